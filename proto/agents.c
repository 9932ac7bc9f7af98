/* agents.c - see agents.h. */
#include "proto/agents.h"

#include <string.h>

/* Each name is written once; AGENTS and AGENT_NAMES point at it. */
static const char INDEX_ADVISOR[] = "index_advisor";
static const char QUERY_REWRITER[] = "query_rewriter";
static const char CONFIG_TUNER[] = "config_tuner";
static const char AI_TUNING[] = "ai_tuning";

const agent_info_t AGENTS[AGENT_COUNT] = {
    {INDEX_ADVISOR, "pgopt-index-advisor", "Index advisor", "index changes recommended"},
    {QUERY_REWRITER, "pgopt-query-rewriter", "Query rewriter", "rewrites found"},
    {CONFIG_TUNER, "pgopt-config-tuner", "Config tuner", "setting changes recommended"},
    {AI_TUNING, "pgopt-ai-tuning", "AI tuning advisor", "actions, regressions or anomalies found"},
};

const char *const AGENT_NAMES[AGENT_COUNT] = {INDEX_ADVISOR, QUERY_REWRITER, CONFIG_TUNER,
                                              AI_TUNING};

const agent_info_t *agent_info(const char *name)
{
    for (int i = 0; name && i < AGENT_COUNT; i++)
        if (strcmp(AGENTS[i].name, name) == 0)
            return &AGENTS[i];
    return NULL;
}
