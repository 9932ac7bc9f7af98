/*
 * ai_catalog.c - the embedded, dated catalog of managed PostgreSQL offerings
 * (compute only) that cost_optimization and cloud_native price against.
 *
 * THESE ARE LIST PRICES AS OF THE DATE IN EACH ROW, transcribed by hand
 * from the public pricing page named in the row (on-demand, single zone,
 * the region named; storage, I/O, backups, HA standbys and egress are
 * extra). pgopt cannot reach the web: prices change, so every figure that
 * uses them says which row and date it came from. To update: edit this
 * table (one row per offering) and AI_CATALOG_DATE; nothing else refers to
 * the figures.
 */
#include "workers/ai_tuning/ai_internal.h"

const char *const AI_CATALOG_DATE = "2024-06-01";

#define RDS    "https://aws.amazon.com/rds/postgresql/pricing/"
#define AURORA "https://aws.amazon.com/rds/aurora/pricing/"
#define CSQL   "https://cloud.google.com/sql/pricing"
#define ALLOY  "https://cloud.google.com/alloydb/pricing"
#define AZURE  "https://azure.microsoft.com/en-us/pricing/details/postgresql/flexible-server/"
#define NEON   "https://neon.tech/pricing"
#define ASOF   "2024-06-01"

/* Cloud SQL and AlloyDB price vCPU and memory separately: the hourly price
 * of a shape is vcpu * per-vCPU + GiB * per-GiB, computed from the rates
 * in the comments (us-central1, Enterprise edition for Cloud SQL). */
/* Cloud SQL: $0.0413 per vCPU-hour, $0.0070 per GiB-hour. */
/* AlloyDB:   $0.06608 per vCPU-hour, $0.0112 per GiB-hour. */
/* Neon: $0.16 per compute-unit-hour (Launch plan), 1 CU = 1 vCPU + 4 GiB. */
const ai_offer_t AI_OFFERS[] = {
    {"aws", "RDS for PostgreSQL", "db.t4g.micro", 2, 1, 0.016, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.t4g.small", 2, 2, 0.032, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.t4g.medium", 2, 4, 0.065, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.t4g.large", 2, 8, 0.129, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.m6g.large", 2, 8, 0.159, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.m6g.xlarge", 4, 16, 0.318, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.m6g.2xlarge", 8, 32, 0.636, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.m6g.4xlarge", 16, 64, 1.272, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.m6i.large", 2, 8, 0.178, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.m6i.xlarge", 4, 16, 0.356, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.m6i.2xlarge", 8, 32, 0.712, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.r6g.large", 2, 16, 0.225, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.r6g.xlarge", 4, 32, 0.450, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.r6g.2xlarge", 8, 64, 0.899, "us-east-1", RDS, ASOF},
    {"aws", "RDS for PostgreSQL", "db.r6g.4xlarge", 16, 128, 1.798, "us-east-1", RDS, ASOF},
    {"aws", "Aurora PostgreSQL", "db.t4g.medium", 2, 4, 0.073, "us-east-1", AURORA, ASOF},
    {"aws", "Aurora PostgreSQL", "db.r6g.large", 2, 16, 0.260, "us-east-1", AURORA, ASOF},
    {"aws", "Aurora PostgreSQL", "db.r6g.xlarge", 4, 32, 0.519, "us-east-1", AURORA, ASOF},
    {"aws", "Aurora PostgreSQL", "db.r6g.2xlarge", 8, 64, 1.038, "us-east-1", AURORA, ASOF},
    {"aws", "Aurora PostgreSQL", "db.r6g.4xlarge", 16, 128, 2.076, "us-east-1", AURORA, ASOF},
    {"gcp", "Cloud SQL for PostgreSQL", "db-custom-1-3840", 1, 3.75, 0.0676, "us-central1", CSQL,
     ASOF},
    {"gcp", "Cloud SQL for PostgreSQL", "db-custom-2-7680", 2, 7.5, 0.1351, "us-central1", CSQL,
     ASOF},
    {"gcp", "Cloud SQL for PostgreSQL", "db-custom-4-15360", 4, 15, 0.2702, "us-central1", CSQL,
     ASOF},
    {"gcp", "Cloud SQL for PostgreSQL", "db-custom-4-26624", 4, 26, 0.3472, "us-central1", CSQL,
     ASOF},
    {"gcp", "Cloud SQL for PostgreSQL", "db-custom-8-30720", 8, 30, 0.5404, "us-central1", CSQL,
     ASOF},
    {"gcp", "Cloud SQL for PostgreSQL", "db-custom-16-61440", 16, 60, 1.0808, "us-central1", CSQL,
     ASOF},
    {"gcp", "AlloyDB for PostgreSQL", "2 vCPU / 16 GB", 2, 16, 0.3114, "us-central1", ALLOY, ASOF},
    {"gcp", "AlloyDB for PostgreSQL", "4 vCPU / 32 GB", 4, 32, 0.6227, "us-central1", ALLOY, ASOF},
    {"gcp", "AlloyDB for PostgreSQL", "8 vCPU / 64 GB", 8, 64, 1.2454, "us-central1", ALLOY, ASOF},
    {"gcp", "AlloyDB for PostgreSQL", "16 vCPU / 128 GB", 16, 128, 2.4909, "us-central1", ALLOY,
     ASOF},
    {"azure", "Azure Database for PostgreSQL flexible server", "B1ms", 1, 2, 0.0207, "eastus",
     AZURE, ASOF},
    {"azure", "Azure Database for PostgreSQL flexible server", "D2ds_v5", 2, 8, 0.178, "eastus",
     AZURE, ASOF},
    {"azure", "Azure Database for PostgreSQL flexible server", "D4ds_v5", 4, 16, 0.356, "eastus",
     AZURE, ASOF},
    {"azure", "Azure Database for PostgreSQL flexible server", "D8ds_v5", 8, 32, 0.712, "eastus",
     AZURE, ASOF},
    {"azure", "Azure Database for PostgreSQL flexible server", "D16ds_v5", 16, 64, 1.424, "eastus",
     AZURE, ASOF},
    {"neon", "Neon", "0.25 CU", 0.25, 1, 0.04, "aws-us-east-1", NEON, ASOF},
    {"neon", "Neon", "1 CU", 1, 4, 0.16, "aws-us-east-1", NEON, ASOF},
    {"neon", "Neon", "2 CU", 2, 8, 0.32, "aws-us-east-1", NEON, ASOF},
    {"neon", "Neon", "4 CU", 4, 16, 0.64, "aws-us-east-1", NEON, ASOF},
    {"neon", "Neon", "8 CU", 8, 32, 1.28, "aws-us-east-1", NEON, ASOF},
};
const size_t AI_OFFER_COUNT = sizeof AI_OFFERS / sizeof *AI_OFFERS;

/* Reserved / committed-use discounts off on-demand, as published on the
 * same pages on the same date (RDS and Aurora: reserved instances, 1-year
 * no upfront and 3-year all upfront, r6g family; Google: committed use
 * discounts; Azure: reserved capacity). Neon has no commitment pricing. */
const ai_commitment_t AI_COMMITMENTS[] = {
    {"aws", "RDS for PostgreSQL", 0.31, 0.54,
     "1-year no upfront / 3-year all upfront reserved instance", RDS, ASOF},
    {"aws", "Aurora PostgreSQL", 0.31, 0.54,
     "1-year no upfront / 3-year all upfront reserved instance", AURORA, ASOF},
    {"gcp", "Cloud SQL for PostgreSQL", 0.25, 0.52, "1-year / 3-year committed use discount", CSQL,
     ASOF},
    {"gcp", "AlloyDB for PostgreSQL", 0.25, 0.52, "1-year / 3-year committed use discount", ALLOY,
     ASOF},
    {"azure", "Azure Database for PostgreSQL flexible server", 0.36, 0.58,
     "1-year / 3-year reserved capacity", AZURE, ASOF},
};
const size_t AI_COMMITMENT_COUNT = sizeof AI_COMMITMENTS / sizeof *AI_COMMITMENTS;
