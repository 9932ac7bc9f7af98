/*
 * jsonget.h - read one member of a JSON object without checking its type at
 * every call site: a string member or NULL, a number member or NAN.
 *
 * NAN (not 0) for a missing number so that "absent" cannot pass for a
 * measured zero: callers test isnan() where the difference matters.
 */
#ifndef PGOPT_COMMON_JSONGET_H
#define PGOPT_COMMON_JSONGET_H

#include <jansson.h>
#include <math.h>

/* The string value of o[k], or NULL when absent or not a string. */
static inline const char *jget_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The numeric value of o[k] (integer or real), or NAN when absent or not a
 * number. */
static inline double jget_num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The numeric value of o[k], or dflt when absent or not a number: for
 * members whose absence has a meaning of its own (0 calls, the planner's
 * default width), where NAN would only be replaced at every use. */
static inline double jget_num_or(const json_t *o, const char *k, double dflt)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

#endif
