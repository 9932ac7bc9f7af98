/*
 * provider.h - where does this PostgreSQL run? Managed services leave
 * marks a plain server does not have: their own roles (rds_superuser,
 * cloudsqlsuperuser, azure_pg_admin, ...), their own settings (rds.*,
 * cloudsql.*, azure.*, neon.*) and functions (aurora_version()). The
 * collector records the marker roles and functions it finds
 * (meta.provider_markers) next to every pg_settings row; this module reads
 * a snapshot and names the provider with the evidence.
 *
 * No mark and no --cloud flag: the server is treated as self-hosted, so
 * advice speaks of cores, memory and disk rather than instance classes.
 * A --cloud flag wins over detection; when both exist and disagree the
 * result says so.
 *
 * Shared by the ai_tuning agent (cloud advice) and the config tuner
 * (which settings a provider lets a user change).
 */
#ifndef PGOPT_COMMON_PROVIDER_H
#define PGOPT_COMMON_PROVIDER_H

#include <jansson.h>

/* The roles and functions the collector looks for (NULL-terminated), so
 * the collector's query and the detection rules cannot drift apart. */
extern const char *const PROVIDER_MARKER_ROLES[];
extern const char *const PROVIDER_MARKER_FUNCTIONS[];

typedef struct {
    /* "aws", "gcp", "azure", "neon" for a managed service, "self-hosted"
     * when nothing indicates one; never NULL after provider_detect. */
    const char *provider;
    /* "RDS for PostgreSQL", "Aurora PostgreSQL", "Cloud SQL for PostgreSQL",
     * "AlloyDB for PostgreSQL", "Azure Database for PostgreSQL", "Neon";
     * NULL for self-hosted. */
    const char *product;
    /* How it was decided: "detected", "flag", "flag (detection agrees)",
     * "flag (detection says X)", "nothing indicates a managed service". */
    char basis[160];
    /* The marks found, "role rds_superuser; setting rds.force_ssl". */
    char evidence[512];
    int managed; /* 1 for a managed service */
} provider_info_t;

/* Reads snapshot.settings, snapshot.meta.provider_markers,
 * snapshot.meta.extensions and snapshot.host.cloud (the --cloud flag).
 * Never fails: missing sections only mean fewer marks. */
void provider_detect(const json_t *snapshot, provider_info_t *out);

/* The provider info as a JSON map {provider, product, managed, basis,
 * evidence} (a new reference). */
json_t *provider_json(const provider_info_t *p);

#endif
