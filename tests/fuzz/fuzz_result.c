/*
 * fuzz_result.c - a RESULT body as the coordinator reads it: codec_decode()
 * under the document limits, then result_validate() against each agent's
 * schema (docs/RESULTS.md), on any bytes.
 *
 * A refusal must say which agent and where ("<agent> result: ..."). An
 * accepted result must be a map carrying phase "OPTIMIZE" and the agent's
 * own label, and must be accepted for no other agent.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz_targets.h"
#include "proto/codec.h"
#include "proto/result_schema.h"

#define NAME "result"

static const char *const agents[] = {"index_advisor", "query_rewriter", "config_tuner", "ai_tuning",
                                     "other"};

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    err_t err = {{0}};
    if (codec_decode(data, size, &CODEC_LIMITS_DOCUMENT, &doc, &err) != 0)
        return 0; /* the codec target checks the decoder's refusals */
    int accepted = 0;
    for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++) {
        err_clear(&err);
        if (result_validate(doc, agents[i], &err) != 0) {
            size_t n = strlen(agents[i]);
            if (strncmp(err.msg, agents[i], n) != 0 || strncmp(err.msg + n, " result: ", 9) != 0)
                fuzz_fail(NAME, "refusal does not name the agent and the place", err.msg);
            continue;
        }
        accepted++;
        const char *phase = json_string_value(json_object_get(doc, "phase"));
        const char *label = json_string_value(json_object_get(doc, "agent"));
        if (!json_is_object(doc) || !phase || strcmp(phase, "OPTIMIZE") != 0 || !label ||
            strcmp(label, agents[i]) != 0)
            fuzz_fail(NAME, "accepted a result without phase OPTIMIZE and its own label",
                      agents[i]);
    }
    if (accepted > 1)
        fuzz_fail(NAME, "one result accepted for two agents", NULL);
    json_decref(doc);
    return 0;
}
