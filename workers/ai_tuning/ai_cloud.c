/*
 * ai_cloud.c - cloud_native and cost_optimization, priced against the
 * dated catalog in ai_catalog.c.
 *
 * Need: vCPUs = ceil(p95 load / 0.7) (load = statement execution time per
 * second: an upper bound of CPU demand, since it includes I/O waits);
 * memory = working set / 0.75 (so the hot data fits the effective cache,
 * as effective_cache_size = 3/4 RAM assumes). Right-sizing picks the
 * cheapest offering of the same product that covers both. Monthly = hourly
 * x 730 hours. Spot/preemptible capacity does not exist for managed
 * PostgreSQL primaries: it is only suggested for self-managed replicas or
 * batch analytics.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/provider.h"
#include "workers/ai_tuning/ai_internal.h"

#define HOURS_PER_MONTH 730.0
#define CPU_TARGET      0.7
#define CACHE_SHARE     0.75
#define GIB             1073741824.0

/* The catalog's provider (aws, gcp, azure, neon, self-managed) for a --cloud
 * spelling (aws, rds, aurora, cloudsql, ec2, ...; prefix match, any case),
 * or NULL when none matches. */
static const char *norm_provider(const char *p)
{
    if (!p)
        return NULL;
    static const struct {
        const char *alias, *provider;
    } map[] = {
        {"aws", "aws"},           {"amazon", "aws"},
        {"rds", "aws"},           {"aurora", "aws"},
        {"gcp", "gcp"},           {"google", "gcp"},
        {"cloudsql", "gcp"},      {"alloydb", "gcp"},
        {"azure", "azure"},       {"microsoft", "azure"},
        {"neon", "neon"},         {"ec2", "self-managed"},
        {"gce", "self-managed"},  {"self-managed", "self-managed"},
        {"self", "self-managed"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strncasecmp(p, map[i].alias, strlen(map[i].alias)) == 0)
            return map[i].provider;
    return NULL;
}

/* The catalog row of instance class cls (any case) of provider (any when
 * NULL), or NULL when the catalog has none. */
static const ai_offer_t *find_offer(const char *provider, const char *cls)
{
    if (!cls)
        return NULL;
    /* Aurora and RDS share class names: an "aurora" provider spelling picks Aurora. */
    for (size_t i = 0; i < AI_OFFER_COUNT; i++)
        if (strcasecmp(AI_OFFERS[i].instance, cls) == 0 &&
            (!provider || !strcmp(AI_OFFERS[i].provider, provider)))
            return &AI_OFFERS[i];
    return NULL;
}

/* The cheapest offering of product with at least vcpu cores and mem_gib GiB,
 * or NULL when none is that large. */
static const ai_offer_t *cheapest(const char *product, double vcpu, double mem_gib)
{
    const ai_offer_t *best = NULL;
    for (size_t i = 0; i < AI_OFFER_COUNT; i++) {
        const ai_offer_t *o = &AI_OFFERS[i];
        if (strcmp(o->product, product) != 0 || o->vcpu < vcpu || o->memory_gib < mem_gib)
            continue;
        if (!best || o->usd_per_hour < best->usd_per_hour)
            best = o;
    }
    return best;
}

static const ai_commitment_t *commitment(const char *product)
{
    for (size_t i = 0; i < AI_COMMITMENT_COUNT; i++)
        if (!strcmp(AI_COMMITMENTS[i].product, product))
            return &AI_COMMITMENTS[i];
    return NULL;
}

/* A catalog row as output: instance, size, hourly and monthly list price and
 * where the price comes from. */
static json_t *offer_json(const ai_offer_t *o)
{
    return json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:s, s:s, s:s, s:s}", "provider",
                     o->provider, "product", o->product, "instance", o->instance, "vcpu", o->vcpu,
                     "memory_gib", o->memory_gib, "usd_per_hour", o->usd_per_hour, "usd_per_month",
                     o->usd_per_hour * HOURS_PER_MONTH, "region", o->region, "price_source",
                     o->source, "price_as_of", o->as_of, "price_basis",
                     "on-demand list price as of that date, compute only");
}

/* Self-hosted: the same measured need, in the server's own terms (cores,
 * memory, disk), against what the host has (host.cpus, host.memory_bytes). */
static void self_hosted_sizing(ai_ctx_t *c, json_t *recs, json_t *crecs, double need_vcpu,
                               double need_mem, const char *load_basis)
{
    const json_t *host = json_object_get(c->snapshot, "host");
    const json_t *jc = json_object_get(host, "cpus"), *jm = json_object_get(host, "memory_bytes");
    double cpus = json_is_number(jc) ? json_number_value(jc) : NAN;
    double mem = json_is_number(jm) ? json_number_value(jm) / GIB : NAN;
    json_t *r = json_pack("{s:s, s:s}", "provider", "self-hosted", "recommendation", "cores");
    if (isfinite(need_vcpu))
        json_object_set_new(
            r, "why",
            isfinite(cpus)
                ? json_sprintf("measured need %.0f cores (%s at 70%% target) against %.0f on the "
                               "host: %s",
                               need_vcpu, load_basis, cpus,
                               need_vcpu > cpus        ? "add cores or move load off the server"
                               : need_vcpu * 2 <= cpus ? "less than half is used at p95"
                                                       : "enough")
                : json_sprintf("measured need %.0f cores (%s at 70%% target); the host's core "
                               "count is unknown (--cpus)",
                               need_vcpu, load_basis));
    else
        json_object_set_new(r, "why",
                            json_string("unknown: needs the load distribution from history"));
    json_array_append_new(recs, r);
    r = json_pack("{s:s, s:s}", "provider", "self-hosted", "recommendation", "memory");
    if (isfinite(need_mem))
        json_object_set_new(
            r, "why",
            isfinite(mem)
                ? json_sprintf("working set %.1f GiB needs %.1f GiB of RAM to stay cached "
                               "(working set / 0.75) against %.1f GiB on the host: %s",
                               c->working_set_bytes / GIB, need_mem, mem,
                               need_mem > mem ? "add memory or expect reads from disk" : "enough")
                : json_sprintf("working set needs %.1f GiB of RAM; the host's memory is "
                               "unknown (--memory)",
                               need_mem));
    else
        json_object_set_new(r, "why", json_string("unknown: needs the tables' sizes"));
    json_array_append_new(recs, r);
    r = json_pack("{s:s, s:s}", "provider", "self-hosted", "recommendation", "disk");
    double size = c->db_size_now;
    if (size > 0 && isfinite(c->db_growth_monthly))
        json_object_set_new(r, "why",
                            json_sprintf("database %.2f GiB growing %.1f%% a month: %.2f GiB in "
                                         "12 months at that rate (plan disk with WAL and "
                                         "headroom for VACUUM FULL / REINDEX copies)",
                                         size / GIB, 100 * c->db_growth_monthly,
                                         size * (1 + 12 * c->db_growth_monthly) / GIB));
    else if (size > 0)
        json_object_set_new(
            r, "why",
            json_sprintf("database %.2f GiB; growth unknown (needs history)", size / GIB));
    else
        json_object_set_new(r, "why", json_string("unknown: database size not collected"));
    json_array_append_new(recs, r);
    if (isfinite(need_vcpu) && isfinite(cpus) && need_vcpu * 2 <= cpus)
        json_array_append_new(
            crecs, json_pack("{s:s, s:o}", "type", "right_size", "why",
                             json_sprintf("self-hosted: %.0f of %.0f cores needed at p95; a "
                                          "smaller machine or sharing this one would do",
                                          need_vcpu, cpus)));
}

/* The measured need (vCPUs from the p95 load, or from the average since the
 * pg_stat_statements reset without history; memory from the working set)
 * into *need_vcpu / *need_mem (NAN when unknown) and impact.measured_need;
 * *load_basis says which load was used. */
static void measured_need(ai_ctx_t *c, json_t *impact, double *need_vcpu, double *need_mem,
                          const char **load_basis)
{
    double load = c->load_p95;
    *load_basis = "p95 of per-interval statement execution time per second";
    if (!isfinite(load)) {
        /* No history: the average since pg_stat_statements was reset. */
        const json_t *meta = json_object_get(c->snapshot, "meta");
        double t_reset, t_now, total = 0;
        size_t i;
        const json_t *row;
        json_array_foreach(json_object_get(c->snapshot, "statements"), i, row)
        {
            total += json_number_value(json_object_get(row, "total_exec_time"));
        }
        if (ai_parse_time(json_string_value(json_object_get(json_object_get(meta, "stats_reset"),
                                                            "pg_stat_statements")),
                          &t_reset) == 0 &&
            ai_parse_time(json_string_value(json_object_get(meta, "collected_at")), &t_now) == 0 &&
            t_now - t_reset > 3600) {
            load = total / 1000 / (t_now - t_reset);
            *load_basis = "average statement execution time per second since the "
                          "pg_stat_statements reset (no history: peaks unknown)";
        }
    }
    double ws = c->working_set_bytes;
    *need_vcpu = isfinite(load) ? fmax(1, ceil(load / CPU_TARGET)) : NAN;
    *need_mem = isfinite(ws) ? fmax(1, ws / CACHE_SHARE / GIB) : NAN;
    json_t *need = json_object();
    json_object_set_new(need, "vcpu", isfinite(*need_vcpu) ? json_real(*need_vcpu) : json_null());
    json_object_set_new(need, "memory_gib",
                        isfinite(*need_mem) ? json_real(*need_mem) : json_null());
    json_object_set_new(need, "load", isfinite(load) ? json_real(load) : json_null());
    json_object_set_new(need, "load_basis", json_string(*load_basis));
    json_object_set_new(need, "working_set_bytes", isfinite(ws) ? json_real(ws) : json_null());
    json_object_set_new(need, "method",
                        json_string("vCPU = ceil(load / 0.7); memory = working set / 0.75"));
    json_object_set_new(impact, "measured_need", need);
    json_object_set_new(impact, "catalog_date", json_string(AI_CATALOG_DATE));
}

/* The catalog row of the instance the snapshot names (host.cloud or the
 * detected provider), or NULL; sets impact.current and cost.current_monthly
 * (a price, or why it is unknown) and notes a region the list prices may
 * not match. */
static const ai_offer_t *current_offer(ai_ctx_t *c, json_t *impact, json_t *cost,
                                       const json_t *cloud, const provider_info_t *pi,
                                       const char *prov, const char *prov_raw, int aurora,
                                       int managed)
{
    const char *cls = json_string_value(json_object_get(cloud, "instance_class"));
    const ai_offer_t *cur = NULL;
    if (prov && cls) {
        if (aurora) {
            for (size_t i = 0; i < AI_OFFER_COUNT && !cur; i++)
                if (!strcmp(AI_OFFERS[i].product, "Aurora PostgreSQL") &&
                    !strcasecmp(AI_OFFERS[i].instance, cls))
                    cur = &AI_OFFERS[i];
        }
        if (!cur)
            cur = find_offer(prov, cls);
    }
    if (cur) {
        json_object_set_new(impact, "current", offer_json(cur));
        json_object_set_new(cost, "current_monthly",
                            json_sprintf("$%.2f", cur->usd_per_hour * HOURS_PER_MONTH));
    } else {
        json_object_set_new(
            cost, "current_monthly",
            !managed ? json_string("not applicable: self-hosted (no managed-service price; "
                                   "sizing is given in cores, memory and disk)")
            : !cls   ? json_sprintf("unknown: %s detected (%s) but its instance class is "
                                      "unknown (pass --cloud PROVIDER:INSTANCE_CLASS[:REGION])",
                                  pi->product ? pi->product : prov, pi->evidence)
            : !cloud ? json_string("unknown: no host.cloud in the snapshot (pass --cloud "
                                   "PROVIDER:INSTANCE_CLASS[:REGION])")
                     : json_sprintf("unknown: instance class '%s' of provider '%s' is not in the "
                                    "catalog dated %s",
                                    cls ? cls : "?", prov_raw ? prov_raw : "?", AI_CATALOG_DATE));
    }
    if (cur && cloud && json_string_value(json_object_get(cloud, "region")) &&
        strcasecmp(json_string_value(json_object_get(cloud, "region")), cur->region) != 0)
        json_array_append_new(c->notes,
                              json_sprintf("cost: prices are the catalog's %s list prices; "
                                           "region %s may differ",
                                           cur->region,
                                           json_string_value(json_object_get(cloud, "region"))));

    return cur;
}

/* cost.projected_savings, .recommendations (right-size or upsize the
 * current instance, commitments on the right-sized one, spot) and
 * .assumptions. */
static void cost_recommendations(ai_ctx_t *c, json_t *cost, json_t *crecs, const ai_offer_t *cur,
                                 int managed, double need_vcpu, double need_mem,
                                 const char *load_basis)
{
    double savings = 0;
    const ai_offer_t *target = cur;
    if (cur && isfinite(need_vcpu) && isfinite(need_mem)) {
        const ai_offer_t *fit = cheapest(cur->product, need_vcpu, need_mem);
        if (fit && fit != cur && fit->usd_per_hour < cur->usd_per_hour) {
            double s = (cur->usd_per_hour - fit->usd_per_hour) * HOURS_PER_MONTH;
            savings += s;
            target = fit;
            json_array_append_new(
                crecs,
                json_pack("{s:s, s:s, s:s, s:f, s:o}", "type", "right_size", "from", cur->instance,
                          "to", fit->instance, "monthly_savings_usd", s, "why",
                          json_sprintf("measured need %.0f vCPU / %.1f GiB (%s); %s has "
                                       "%.0f vCPU / %.0f GiB",
                                       need_vcpu, need_mem, load_basis, cur->instance, cur->vcpu,
                                       cur->memory_gib)));
        } else if (cur->vcpu < need_vcpu || cur->memory_gib < need_mem) {
            json_array_append_new(
                crecs,
                json_pack(
                    "{s:s, s:s, s:o, s:o}", "type", "upsize", "from", cur->instance, "to",
                    fit ? json_string(fit->instance) : json_string("(larger than the catalog)"),
                    "why",
                    json_sprintf("measured need %.0f vCPU / %.1f GiB exceeds %s (%.0f vCPU "
                                 "/ %.0f GiB)",
                                 need_vcpu, need_mem, cur->instance, cur->vcpu, cur->memory_gib)));
        }
    } else if (cur) {
        json_array_append_new(c->notes, json_string("cost: right-sizing needs the load "
                                                    "distribution and the working set (history "
                                                    "and tables)"));
    }
    /* Commitments on the (right-sized) instance. */
    const ai_commitment_t *cm = target ? commitment(target->product) : NULL;
    if (target && cm) {
        double m = target->usd_per_hour * HOURS_PER_MONTH;
        json_array_append_new(
            crecs,
            json_pack("{s:s, s:s, s:f, s:f, s:s, s:s, s:s, s:o}", "type", "reserved_capacity",
                      "instance", target->instance, "monthly_savings_1y_usd", m * cm->discount_1y,
                      "monthly_savings_3y_usd", m * cm->discount_3y, "terms", cm->terms, "source",
                      cm->source, "as_of", cm->as_of, "why",
                      json_string("a steady primary runs 730 h a month: commitment "
                                  "discounts apply to all of it")));
        savings += m * cm->discount_1y;
    } else if (target && !strcmp(target->provider, "neon")) {
        json_array_append_new(crecs, json_pack("{s:s, s:s}", "type", "reserved_capacity", "why",
                                               "Neon has no commitment pricing: savings come from "
                                               "autoscaling and scale-to-zero"));
    }
    /* Spot. */
    if (!managed) {
        json_array_append_new(
            crecs, json_pack("{s:s, s:o}", "type", "spot", "why",
                             json_sprintf("self-managed: spot/preemptible VMs suit read "
                                          "replicas and batch analytics only (%.0f%% of "
                                          "execution time is analytical); never the "
                                          "primary",
                                          isfinite(c->olap_share) ? 100 * c->olap_share : 0.0)));
    } else {
        json_array_append_new(crecs,
                              json_pack("{s:s, s:s}", "type", "spot", "why",
                                        "not applicable: managed PostgreSQL (RDS, Aurora, Cloud "
                                        "SQL, AlloyDB, Azure flexible server, Neon) offers no "
                                        "spot or preemptible primaries"));
    }
    if (!managed)
        json_object_set_new(cost, "projected_savings",
                            json_string("not applicable: self-hosted; the sizing below says "
                                        "whether cores or memory can be given back"));
    else if (cur)
        json_object_set_new(cost, "projected_savings",
                            json_sprintf("$%.2f per month (right-sizing plus a 1-year "
                                         "commitment, list prices as of %s)",
                                         savings, cur->as_of));
    else
        json_object_set_new(cost, "projected_savings",
                            json_string("unknown: the current instance and its price are "
                                        "unknown"));
    json_object_set_new(cost, "recommendations", crecs);
    json_object_set_new(cost, "assumptions",
                        json_string("730 hours per month; compute only (storage, I/O, backups, "
                                    "HA standby, egress extra); on-demand list prices of the "
                                    "catalog rows named, as of their date"));
}

/* impact.options_for_measured_need: the cheapest offering of each product
 * in the catalog that covers the measured need. */
static void options_for_need(json_t *impact, double need_vcpu, double need_mem)
{
    json_t *opts = json_array();
    const char *seen[16];
    size_t ns = 0;
    for (size_t i = 0; i < AI_OFFER_COUNT && ns < 16; i++) {
        int dup = 0;
        for (size_t k = 0; k < ns; k++)
            dup |= !strcmp(seen[k], AI_OFFERS[i].product);
        if (dup)
            continue;
        seen[ns++] = AI_OFFERS[i].product;
        const ai_offer_t *f = cheapest(AI_OFFERS[i].product, need_vcpu, need_mem);
        if (f)
            json_array_append_new(opts, offer_json(f));
    }
    json_object_set_new(impact, "options_for_measured_need", opts);
}

/* Provider-specific advice from the measured profile (AWS Performance
 * Insights, GCP Query Insights and AlloyDB columnar, Azure Citus, Neon
 * autoscaling range) appended to recs. */
static void provider_advice(ai_ctx_t *c, json_t *recs, const char *prov, int managed,
                            double need_vcpu, double need_mem)
{
    double p50 = c->load_p50, p99 = c->load_p99;
    if (managed && !strcmp(prov, "aws"))
        json_array_append_new(
            recs, json_pack("{s:s, s:s, s:o}", "provider", "aws", "recommendation",
                            "Enable Performance Insights (7 days free) to keep the wait-event "
                            "profile that pg_stat_statements lacks",
                            "why",
                            json_sprintf("pgopt measured load from execution time only; %s",
                                         isfinite(c->load_p95)
                                             ? "per-wait attribution would split the p95 load "
                                               "into CPU and I/O"
                                             : "no load history was available")));
    if (managed && !strcmp(prov, "gcp")) {
        json_array_append_new(recs,
                              json_pack("{s:s, s:s, s:s}", "provider", "gcp", "recommendation",
                                        "Enable Cloud SQL Query Insights for per-query plans "
                                        "and tags",
                                        "why",
                                        "complements pg_stat_statements with "
                                        "sampled plans"));
        if (isfinite(c->olap_share))
            json_array_append_new(
                recs, json_pack("{s:s, s:s, s:o}", "provider", "gcp", "recommendation",
                                c->olap_share >= 0.25 ? "AlloyDB columnar engine for the "
                                                        "analytical statements"
                                                      : "AlloyDB columnar engine: not needed",
                                "why",
                                json_sprintf("%.0f%% of execution time is analytical (scan-heavy)",
                                             100 * c->olap_share)));
    }
    if (managed && !strcmp(prov, "azure")) {
        double size = c->db_size_now;
        json_array_append_new(
            recs, json_pack("{s:s, s:s, s:o}", "provider", "azure", "recommendation",
                            isfinite(need_vcpu) && need_vcpu > 16
                                ? "Consider Azure Cosmos DB for PostgreSQL (Citus, formerly "
                                  "Hyperscale) to shard: the measured need exceeds 16 vCPU"
                                : "Flexible server is enough; Hyperscale (Citus) sharding not "
                                  "needed",
                            "why",
                            json_sprintf("measured need %s vCPU; database %.1f GiB",
                                         isfinite(need_vcpu) ? "known" : "unknown",
                                         size > 0 ? size / GIB : 0.0)));
    }
    if (managed && !strcmp(prov, "neon")) {
        if (isfinite(p50) && isfinite(p99)) {
            double min_cu = fmax(0.25, ceil(4 * p50 / CPU_TARGET) / 4);
            double max_cu = fmax(min_cu, ceil(4 * fmax(p99, c->load_max) / CPU_TARGET) / 4);
            if (isfinite(need_mem))
                min_cu = fmax(min_cu, ceil(4 * need_mem / 4.0) / 4); /* 4 GiB per CU */
            max_cu = fmax(max_cu, min_cu);
            json_array_append_new(
                recs, json_pack("{s:s, s:s, s:f, s:f, s:o}", "provider", "neon", "recommendation",
                                "Neon autoscaling range", "min_cu", min_cu, "max_cu", max_cu, "why",
                                json_sprintf("load p50 %.2f, p99 %.2f sessions executing at 70%% "
                                             "target; min also holds the working set (4 GiB per "
                                             "CU)",
                                             p50, p99)));
        } else {
            json_array_append_new(recs, json_pack("{s:s, s:s, s:s}", "provider", "neon",
                                                  "recommendation", "Neon autoscaling range", "why",
                                                  "unknown: needs the load distribution from "
                                                  "history"));
        }
    }
}

/* cloud_native (provider, detection, provider-specific advice, cost
 * impact of the measured need) returned, and cost_optimization in
 * *cost_out. Never fails: what is unknown says so in the output. */
json_t *ai_cloud(ai_ctx_t *c, json_t **cost_out)
{
    json_t *cn = json_object(), *recs = json_array(), *impact = json_object();
    json_t *cost = json_object(), *crecs = json_array();
    const json_t *cloud = json_object_get(json_object_get(c->snapshot, "host"), "cloud");
    const char *prov_raw = json_string_value(json_object_get(cloud, "provider"));
    provider_info_t pi;
    provider_detect(c->snapshot, &pi);
    /* The flag's own spelling still picks the catalog (aurora vs rds);
     * without a flag, the detected provider. */
    const char *prov = pi.managed ? pi.provider : "self-managed";
    if (prov_raw && norm_provider(prov_raw))
        prov = norm_provider(prov_raw);
    int aurora = (prov_raw && strncasecmp(prov_raw, "aurora", 6) == 0) ||
                 (pi.product && !strcmp(pi.product, "Aurora PostgreSQL"));
    int managed = strcmp(prov, "self-managed") != 0;
    json_object_set_new(cn, "provider", json_string(managed ? prov : "self-hosted"));
    json_object_set_new(cn, "provider_detection", provider_json(&pi));

    double need_vcpu, need_mem;
    const char *load_basis;
    measured_need(c, impact, &need_vcpu, &need_mem, &load_basis);
    const ai_offer_t *cur =
        current_offer(c, impact, cost, cloud, &pi, prov, prov_raw, aurora, managed);
    cost_recommendations(c, cost, crecs, cur, managed, need_vcpu, need_mem, load_basis);
    /* a self-hosted server gets its sizing in cores and memory instead */
    if (managed && isfinite(need_vcpu) && isfinite(need_mem))
        options_for_need(impact, need_vcpu, need_mem);
    json_object_set_new(impact, "current_monthly_usd",
                        cur ? json_real(cur->usd_per_hour * HOURS_PER_MONTH) : json_null());
    provider_advice(c, recs, prov, managed, need_vcpu, need_mem);
    if (!managed)
        self_hosted_sizing(c, recs, crecs, need_vcpu, need_mem, load_basis);
    json_object_set_new(cn, "recommendations", recs);
    json_object_set_new(cn, "cost_impact", impact);
    *cost_out = cost;
    return cn;
}
