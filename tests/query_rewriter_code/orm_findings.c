/*
 * orm_findings.c - prints the ORM code analysis' findings (the
 * sqla_patterns.h shape) for the Python files named on the command line, as
 * one JSON document {"findings": [...], "notes": [...]}; paths are kept as
 * given. For the differential execution test (differential/run.py), which
 * applies each rewrite and runs both versions against PostgreSQL.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "workers/query_rewriter/orm/sqla_models.h"
#include "workers/query_rewriter/orm/sqla_patterns.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (n + 4096 + 1) * 2;
            char *g = realloc(buf, cap);
            if (!g) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = g;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096)
            break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.py...\n", argv[0]);
        return 2;
    }
    json_t *code = json_array();
    for (int i = 1; i < argc; i++) {
        size_t len = 0;
        char *content = slurp(argv[i], &len);
        if (!content) {
            fprintf(stderr, "orm_findings: cannot read %s\n", argv[i]);
            json_decref(code);
            return 1;
        }
        json_array_append_new(code,
                              json_pack("{s:s, s:s%}", "path", argv[i], "content", content, len));
        free(content);
    }
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    if (!p) {
        fprintf(stderr, "orm_findings: %s\n", err.msg);
        json_decref(code);
        return 1;
    }
    json_t *findings = NULL, *notes = NULL;
    if (sqla_detect(p, &findings, &notes, &err) != 0) {
        fprintf(stderr, "orm_findings: %s\n", err.msg);
        sqla_project_destroy(&p);
        json_decref(code);
        return 1;
    }
    json_t *out = json_pack("{s:o, s:o}", "findings", findings, "notes", notes);
    json_dumpf(out, stdout, JSON_INDENT(1));
    fputc('\n', stdout);
    json_decref(out);
    sqla_project_destroy(&p);
    json_decref(code);
    return 0;
}
