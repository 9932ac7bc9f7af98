/*
 * provider.c - managed-service detection from the server's own marks
 * (provider.h). The rules are checked most specific first: Aurora also
 * has every RDS role, AlloyDB shares nothing with Cloud SQL but both are
 * "gcp".
 */
#include "common/provider.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const PROVIDER_MARKER_ROLES[] = {
    "rds_superuser",
    "rdsadmin",
    "rds_replication",
    "rds_iam",
    "cloudsqlsuperuser",
    "cloudsqladmin",
    "cloudsqlagent",
    "cloudsqliamuser",
    "alloydbsuperuser",
    "alloydbadmin",
    "alloydbagent",
    "alloydbiamuser",
    "azure_pg_admin",
    "azuresu",
    "azure_superuser",
    "neon_superuser",
    NULL,
};

const char *const PROVIDER_MARKER_FUNCTIONS[] = {"aurora_version", NULL};

typedef struct {
    const char *provider, *product;
    const char *roles[6];          /* marker roles */
    const char *setting_prefix[3]; /* custom setting namespaces */
    const char *function;          /* marker function */
    const char *extension;         /* marker extension */
} rule_t;

/* Documentation each rule is written from is named in tests/ai_tuning/
 * test_provider.c next to the test of that provider. */
static const rule_t RULES[] = {
    {"aws", "Aurora PostgreSQL", {NULL}, {"apg_plan_mgmt."}, "aurora_version", NULL},
    {"aws",
     "RDS for PostgreSQL",
     {"rds_superuser", "rdsadmin", "rds_replication", "rds_iam"},
     {"rds."},
     NULL,
     NULL},
    {"gcp",
     "AlloyDB for PostgreSQL",
     {"alloydbsuperuser", "alloydbadmin", "alloydbagent", "alloydbiamuser"},
     {"alloydb.", "google_columnar_engine."},
     NULL,
     NULL},
    {"gcp",
     "Cloud SQL for PostgreSQL",
     {"cloudsqlsuperuser", "cloudsqladmin", "cloudsqlagent", "cloudsqliamuser"},
     {"cloudsql."},
     NULL,
     NULL},
    {"azure",
     "Azure Database for PostgreSQL",
     {"azure_pg_admin", "azuresu", "azure_superuser"},
     {"azure."},
     NULL,
     NULL},
    {"neon", "Neon", {"neon_superuser"}, {"neon."}, NULL, "neon"},
};
enum { NRULES = sizeof RULES / sizeof *RULES };

static void add_ev(char *buf, size_t len, const char *kind, const char *name)
{
    size_t used = strlen(buf);
    if (used + 1 >= len)
        return;
    snprintf(buf + used, len - used, "%s%s %s", used ? "; " : "", kind, name);
}

/* markers (meta.provider_markers) holds one of that kind and name. */
static int has_marker(const json_t *markers, const char *kind, const char *name)
{
    size_t i;
    const json_t *m;
    json_array_foreach(markers, i, m)
    {
        const char *k = json_string_value(json_object_get(m, "kind"));
        const char *n = json_string_value(json_object_get(m, "name"));
        if (k && n && !strcmp(k, kind) && !strcmp(n, name))
            return 1;
    }
    return 0;
}

/* Marks of one rule; returns how many, evidence appended. */
static int match_rule(const rule_t *r, const json_t *snapshot, char *ev, size_t evlen)
{
    const json_t *meta = json_object_get(snapshot, "meta");
    const json_t *markers = json_object_get(meta, "provider_markers");
    int hits = 0;
    for (size_t k = 0; k < 6 && r->roles[k]; k++)
        if (has_marker(markers, "role", r->roles[k])) {
            add_ev(ev, evlen, "role", r->roles[k]);
            hits++;
        }
    if (r->function && has_marker(markers, "function", r->function)) {
        char f[64];
        snprintf(f, sizeof f, "%s()", r->function);
        add_ev(ev, evlen, "function", f);
        hits++;
    }
    size_t i;
    const json_t *row;
    int settings_seen = 0;
    json_array_foreach(json_object_get(snapshot, "settings"), i, row)
    {
        const char *n = json_string_value(json_object_get(row, "name"));
        for (size_t k = 0; n && k < 3 && r->setting_prefix[k]; k++)
            if (strncasecmp(n, r->setting_prefix[k], strlen(r->setting_prefix[k])) == 0) {
                /* Name a few, count the rest: one mark is enough. */
                if (settings_seen++ < 2)
                    add_ev(ev, evlen, "setting", n);
                hits++;
            }
    }
    if (r->extension) {
        json_array_foreach(json_object_get(meta, "extensions"), i, row)
        {
            const char *n = json_string_value(json_object_get(row, "name"));
            if (n && !strcmp(n, r->extension)) {
                add_ev(ev, evlen, "extension", n);
                hits++;
            }
        }
    }
    if (settings_seen > 2) {
        char more[48];
        snprintf(more, sizeof more, "+%d more", settings_seen - 2);
        add_ev(ev, evlen, "settings", more);
    }
    return hits;
}

/* The provider a --cloud spelling names (aws, gcp, azure, neon, self-hosted;
 * prefix match, any case), or NULL. */
static const char *norm_flag(const char *p)
{
    static const struct {
        const char *alias, *provider;
    } map[] = {
        {"aws", "aws"},         {"amazon", "aws"},      {"rds", "aws"},
        {"aurora", "aws"},      {"gcp", "gcp"},         {"google", "gcp"},
        {"cloudsql", "gcp"},    {"alloydb", "gcp"},     {"azure", "azure"},
        {"microsoft", "azure"}, {"neon", "neon"},       {"self", "self-hosted"},
        {"ec2", "self-hosted"}, {"gce", "self-hosted"}, {"on-prem", "self-hosted"},
    };
    for (size_t i = 0; p && i < sizeof map / sizeof *map; i++)
        if (strncasecmp(p, map[i].alias, strlen(map[i].alias)) == 0)
            return map[i].provider;
    return NULL;
}

void provider_detect(const json_t *snapshot, provider_info_t *out)
{
    memset(out, 0, sizeof *out);
    const rule_t *found = NULL;
    for (size_t i = 0; i < NRULES && !found; i++) {
        char ev[sizeof out->evidence] = "";
        if (match_rule(&RULES[i], snapshot, ev, sizeof ev) > 0) {
            found = &RULES[i];
            memcpy(out->evidence, ev, sizeof ev);
        }
    }
    const json_t *cloud = json_object_get(json_object_get(snapshot, "host"), "cloud");
    const char *flag_raw = json_string_value(json_object_get(cloud, "provider"));
    const char *flag = norm_flag(flag_raw);
    if (flag) {
        out->provider = flag;
        out->managed = strcmp(flag, "self-hosted") != 0;
        out->product = found && !strcmp(found->provider, flag) ? found->product : NULL;
        if (!found)
            snprintf(out->basis, sizeof out->basis,
                     "flag (--cloud %s; no managed-service mark "
                     "on the server)",
                     flag_raw);
        else if (!strcmp(found->provider, flag))
            snprintf(out->basis, sizeof out->basis, "flag (--cloud %s; detection agrees)",
                     flag_raw);
        else
            snprintf(out->basis, sizeof out->basis,
                     "flag (--cloud %s; the server's marks say %s: check the flag)", flag_raw,
                     found->product);
        return;
    }
    if (found) {
        out->provider = found->provider;
        out->product = found->product;
        out->managed = 1;
        snprintf(out->basis, sizeof out->basis,
                 "detected from the server's roles, settings "
                 "and functions");
        return;
    }
    out->provider = "self-hosted";
    out->product = NULL;
    out->managed = 0;
    snprintf(out->basis, sizeof out->basis,
             "nothing indicates a managed service (checked: %s roles, settings, functions and "
             "extensions of RDS, Aurora, Cloud SQL, AlloyDB, Azure, Neon) and no --cloud flag",
             json_object_get(json_object_get(snapshot, "meta"), "provider_markers")
                 ? "marker"
                 : "no marker list collected;");
}

json_t *provider_json(const provider_info_t *p)
{
    return json_pack("{s:s, s:o, s:b, s:s, s:s}", "provider", p->provider, "product",
                     p->product ? json_string(p->product) : json_null(), "managed", p->managed,
                     "basis", p->basis, "evidence", p->evidence);
}
