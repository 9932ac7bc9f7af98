/*
 * orm_two_pass.h - the ORM tests' reference answer for a code section: the
 * two-pass analysis (sqla_project_new indexes every file, then sqla_detect
 * scans them), which the one-pass sqla_analyze must match in any order.
 */
#ifndef PGOPT_TESTS_ORM_TWO_PASS_H
#define PGOPT_TESTS_ORM_TWO_PASS_H

#include <jansson.h>

/* The findings and notes of the two-pass analysis of code (a code section:
 * [{path, content}]), and the models it indexed when models is not NULL
 * (sqla_project_models_json); each a new reference. Fails the running
 * cmocka test when the analysis fails. */
void orm_two_pass(json_t *code, json_t **findings, json_t **notes, json_t **models);

#endif
