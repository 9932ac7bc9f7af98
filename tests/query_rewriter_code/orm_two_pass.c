/* orm_two_pass.c - see orm_two_pass.h. */
#include "orm_two_pass.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "workers/query_rewriter/orm/sqla_models.h"
#include "workers/query_rewriter/orm/sqla_patterns.h"

void orm_two_pass(json_t *code, json_t **findings, json_t **notes, json_t **models)
{
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    *findings = NULL;
    *notes = NULL;
    assert_int_equal(sqla_detect(p, findings, notes, &err), 0);
    if (models)
        *models = sqla_project_models_json(p);
    sqla_project_destroy(&p);
}
