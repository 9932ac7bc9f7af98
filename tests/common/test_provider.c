/*
 * test_provider.c - common/provider: each managed service recognised from
 * the roles, settings and functions its documentation says it has (the
 * page is named above each case), a plain server as self-hosted, the
 * --cloud flag winning with a note when it disagrees; and the ai_tuning
 * agent giving a self-hosted server no cloud-specific advice.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/provider.h"
#include "workers/ai_tuning/ai_tuning.h"

/* A snapshot with the given marker roles/functions ("role:x",
 * "function:y"), custom setting names and extensions; NULL-terminated. */
static json_t *snap(const char *const *markers, const char *const *settings,
                    const char *const *extensions)
{
    json_t *m = json_array(), *s = json_array(), *e = json_array();
    /* Every server has the core settings. */
    json_array_append_new(s, json_pack("{s:s, s:s}", "name", "shared_buffers", "setting", "16384"));
    json_array_append_new(s, json_pack("{s:s, s:s}", "name", "work_mem", "setting", "4096"));
    for (size_t i = 0; markers && markers[i]; i++) {
        const char *colon = strchr(markers[i], ':');
        char kind[32];
        snprintf(kind, sizeof kind, "%.*s", (int)(colon - markers[i]), markers[i]);
        json_array_append_new(m, json_pack("{s:s, s:s}", "kind", kind, "name", colon + 1));
    }
    for (size_t i = 0; settings && settings[i]; i++)
        json_array_append_new(s, json_pack("{s:s, s:s}", "name", settings[i], "setting", "on"));
    for (size_t i = 0; extensions && extensions[i]; i++)
        json_array_append_new(e, json_pack("{s:s, s:s}", "name", extensions[i], "version", "1"));
    return json_pack("{s:{s:i, s:s, s:o, s:o}, s:o}", "meta", "format_version", 1, "collected_at",
                     "2026-01-05T10:00:00Z", "provider_markers", m, "extensions", e, "settings", s);
}

static void expect(json_t *s, const char *provider, const char *product, const char *evidence)
{
    provider_info_t p;
    provider_detect(s, &p);
    assert_string_equal(p.provider, provider);
    if (product) {
        assert_non_null(p.product);
        assert_string_equal(p.product, product);
        assert_true(p.managed);
    } else {
        assert_null(p.product);
    }
    if (evidence && !strstr(p.evidence, evidence))
        fail_msg("evidence '%s' lacks '%s'", p.evidence, evidence);
    json_decref(s);
}

static void test_rds(void **state)
{
    (void)state;
    /* https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.html
     * (rds_superuser, rdsadmin, rds_replication, rds_iam) and
     * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Parameters.html
     * (rds.force_ssl, rds.logical_replication). */
    const char *roles[] = {"role:rds_superuser", "role:rdsadmin", "role:rds_iam", NULL};
    const char *set[] = {"rds.force_ssl", "rds.logical_replication", NULL};
    expect(snap(roles, set, NULL), "aws", "RDS for PostgreSQL", "role rds_superuser");
    /* A parameter alone is enough (a role that cannot see other roles). */
    const char *set1[] = {"rds.force_ssl", NULL};
    expect(snap(NULL, set1, NULL), "aws", "RDS for PostgreSQL", "setting rds.force_ssl");
}

static void test_aurora(void **state)
{
    (void)state;
    /* https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_version.html:
     * aurora_version() exists on Aurora PostgreSQL only; Aurora also has
     * the RDS roles, so the function must win. */
    const char *m[] = {"role:rds_superuser", "role:rdsadmin", "function:aurora_version", NULL};
    const char *set[] = {"rds.force_ssl", NULL};
    expect(snap(m, set, NULL), "aws", "Aurora PostgreSQL", "function aurora_version()");
}

static void test_cloud_sql(void **state)
{
    (void)state;
    /* https://cloud.google.com/sql/docs/postgres/users (cloudsqlsuperuser,
     * cloudsqladmin, cloudsqlagent) and
     * https://cloud.google.com/sql/docs/postgres/flags
     * (cloudsql.iam_authentication, cloudsql.enable_pgaudit). */
    const char *m[] = {"role:cloudsqladmin", "role:cloudsqlagent", "role:cloudsqlsuperuser", NULL};
    const char *set[] = {"cloudsql.iam_authentication", "cloudsql.enable_pgaudit", NULL};
    expect(snap(m, set, NULL), "gcp", "Cloud SQL for PostgreSQL", "role cloudsqladmin");
}

static void test_alloydb(void **state)
{
    (void)state;
    /* https://cloud.google.com/alloydb/docs/database-users/about
     * (alloydbsuperuser, alloydbimportexport, alloydbagent, alloydbreplica,
     * alloydbiamuser) and https://cloud.google.com/alloydb/docs/reference/database-flags
     * (alloydb.iam_authentication, google_columnar_engine.enabled). */
    const char *m[] = {"role:alloydbagent", "role:alloydbiamuser", "role:alloydbsuperuser", NULL};
    const char *set[] = {"alloydb.iam_authentication", "google_columnar_engine.enabled", NULL};
    expect(snap(m, set, NULL), "gcp", "AlloyDB for PostgreSQL", "role alloydbsuperuser");
    /* Flags only. */
    const char *set1[] = {"google_columnar_engine.enabled", NULL};
    expect(snap(NULL, set1, NULL), "gcp", "AlloyDB for PostgreSQL", "google_columnar_engine");
}

static void test_azure(void **state)
{
    (void)state;
    /* https://learn.microsoft.com/azure/postgresql/flexible-server/how-to-create-users
     * (azure_pg_admin, azuresu) and
     * https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-extensions
     * (azure.extensions allow-list). */
    const char *m[] = {"role:azure_pg_admin", "role:azuresu", NULL};
    const char *set[] = {"azure.extensions", NULL};
    expect(snap(m, set, NULL), "azure", "Azure Database for PostgreSQL", "role azure_pg_admin");
}

static void test_neon(void **state)
{
    (void)state;
    /* https://neon.tech/docs/manage/roles (neon_superuser) and
     * https://neon.tech/docs/extensions/neon (the neon extension; its
     * neon.* settings). */
    const char *m[] = {"role:neon_superuser", NULL};
    const char *set[] = {"neon.max_file_cache_size", NULL};
    const char *ext[] = {"neon", NULL};
    expect(snap(m, set, ext), "neon", "Neon", "role neon_superuser");
}

static void test_self_hosted_and_flag(void **state)
{
    (void)state;
    /* A plain server: core settings only, an ordinary role list. */
    const char *ext[] = {"pg_stat_statements", NULL};
    provider_info_t p;
    json_t *s = snap(NULL, NULL, ext);
    provider_detect(s, &p);
    assert_string_equal(p.provider, "self-hosted");
    assert_false(p.managed);
    assert_non_null(strstr(p.basis, "nothing indicates a managed service"));
    /* The flag wins; with no marks it says so. */
    json_object_set_new(
        s, "host",
        json_pack("{s:{s:s, s:s}}", "cloud", "provider", "aws", "instance_class", "db.r6g.large"));
    provider_detect(s, &p);
    assert_string_equal(p.provider, "aws");
    assert_true(p.managed);
    assert_non_null(strstr(p.basis, "no managed-service mark"));
    json_decref(s);
    /* A flag that disagrees with the marks is kept, and flagged. */
    const char *m[] = {"role:azure_pg_admin", NULL};
    s = snap(m, NULL, NULL);
    json_object_set_new(s, "host", json_pack("{s:{s:s}}", "cloud", "provider", "gcp"));
    provider_detect(s, &p);
    assert_string_equal(p.provider, "gcp");
    assert_non_null(strstr(p.basis, "Azure Database for PostgreSQL"));
    json_decref(s);
}

static int rec_of(const json_t *recs, const char *provider)
{
    size_t i;
    const json_t *r;
    json_array_foreach(recs, i, r)
    {
        const char *p = json_string_value(json_object_get(r, "provider"));
        if (p && !strcmp(p, provider))
            return 1;
    }
    return 0;
}

/* The agent: a self-hosted server gets cores/memory/disk, no provider's
 * advice; a detected RDS gets AWS advice only. */
static void test_agent_advice(void **state)
{
    (void)state;
    json_t *s = snap(NULL, NULL, NULL);
    json_object_set_new(
        s, "host",
        json_pack("{s:i, s:I}", "cpus", 8, "memory_bytes", (json_int_t)32 * 1024 * 1024 * 1024));
    json_t *out = NULL;
    err_t err;
    assert_int_equal(ai_tuning_analyze(s, NULL, NULL, NULL, &out, &err), 0);
    json_t *cn = json_object_get(out, "cloud_native");
    assert_string_equal(json_string_value(json_object_get(cn, "provider")), "self-hosted");
    json_t *recs = json_object_get(cn, "recommendations");
    assert_false(rec_of(recs, "aws") || rec_of(recs, "gcp") || rec_of(recs, "azure") ||
                 rec_of(recs, "neon"));
    assert_true(rec_of(recs, "self-hosted"));
    const char *cm = json_string_value(
        json_object_get(json_object_get(out, "cost_optimization"), "current_monthly"));
    assert_non_null(strstr(cm, "self-hosted"));
    json_decref(out);
    json_decref(s);

    const char *roles[] = {"role:rds_superuser", NULL};
    s = snap(roles, NULL, NULL);
    assert_int_equal(ai_tuning_analyze(s, NULL, NULL, NULL, &out, &err), 0);
    cn = json_object_get(out, "cloud_native");
    assert_string_equal(json_string_value(json_object_get(cn, "provider")), "aws");
    recs = json_object_get(cn, "recommendations");
    assert_true(rec_of(recs, "aws"));
    assert_false(rec_of(recs, "gcp") || rec_of(recs, "azure") || rec_of(recs, "neon") ||
                 rec_of(recs, "self-hosted"));
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(cn, "provider_detection"), "evidence")),
        "rds_superuser"));
    json_decref(out);
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rds),
        cmocka_unit_test(test_aurora),
        cmocka_unit_test(test_cloud_sql),
        cmocka_unit_test(test_alloydb),
        cmocka_unit_test(test_azure),
        cmocka_unit_test(test_neon),
        cmocka_unit_test(test_self_hosted_and_flag),
        cmocka_unit_test(test_agent_advice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
