/*
 * snapshot.h - the snapshot data model (DESIGN.md, "The snapshot"): a
 * versioned document, a json_t tree, validated section by section.
 *
 * Files: ".json" (UTF-8 JSON, pretty-printed) or ".msgpack"; reading sniffs
 * the content when the extension is neither. Both directions are lossless:
 * msgpack -> tree -> JSON -> tree -> msgpack yields the same bytes for a
 * canonical input, and doubles keep all their bits.
 */
#ifndef PGOPT_PROTO_SNAPSHOT_H
#define PGOPT_PROTO_SNAPSHOT_H

#include <jansson.h>

#include "common/error.h"

/* meta.format_version: bumped on incompatible changes of the model. */
#define SNAPSHOT_FORMAT_VERSION 1

/* Checks the document's shape: meta (required, with a supported
 * format_version), and for every known section its container type and the
 * types of the fields pgopt's agents read. Unknown sections and fields are
 * allowed (forward compatibility). The error names the field path, e.g.
 * "statements[3].calls: expected integer, got string". */
int snapshot_validate(const json_t *doc, err_t *err);

/* Reads a file (format by extension or content), decodes strictly and
 * validates. */
int snapshot_read_file(const char *path, json_t **doc, err_t *err);

/* Writes a document; format from the extension (".msgpack" or ".json"). */
int snapshot_write_file(const char *path, const json_t *doc, err_t *err);

/* Parses JSON text strictly (duplicate keys rejected, int64 range,
 * line:column in errors) into a tree. */
int snapshot_parse_json(const char *text, size_t len, json_t **doc, err_t *err);

#endif
