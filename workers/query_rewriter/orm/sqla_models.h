/*
 * sqla_models.h - a whole application's Python code read in one pass (each
 * tree freed after it: see sqla_project_file), with what the ORM layer
 * needs to know to reason about database access: the mapped
 * classes (models), their tables, columns and relationships, and an index
 * of the project's functions and methods so that analyses can follow a call
 * from one module into another.
 *
 * Models are the classes that derive, directly or through other models or
 * mixin-free intermediate classes, from a declarative base:
 *   - a class deriving from sqlalchemy.orm.DeclarativeBase (2.0) or
 *     DeclarativeBaseNoMeta,
 *   - a name assigned declarative_base() (1.x) or registry().generate_base(),
 *   - Flask-SQLAlchemy's `<db>.Model`.
 * Bases are collected across every file first, so a model in one module may
 * derive from a base declared in another. Classes with `__abstract__ = True`
 * are not models (their subclasses are). A superclass name is resolved as
 * Python binds it in its module (sqla_project_model_ref): a class whose
 * superclass only shares a base's or a model's name is no model.
 *
 * The table is `__tablename__` (literal), the first argument of
 * `__table__ = Table("name", ...)`, or for Flask-SQLAlchemy classes without
 * either, the class name in snake_case (Flask-SQLAlchemy's own rule).
 * Columns are attributes assigned Column(...) / mapped_column(...) /
 * db.Column(...): the database column name (a leading string argument, else
 * the attribute), ForeignKey("table.column") and primary_key=True.
 * Relationships are attributes assigned relationship(...) (or
 * db.relationship): the target class, lazy= ("select" when absent),
 * uselist=, secondary=, back_populates=, backref= (which adds the reverse
 * relationship on the target). Whether a relationship loads a collection
 * or one object: uselist= when given; otherwise a Mapped[List[...]] /
 * Mapped[list[...]] / Mapped[Set[...]] annotation says collection and any
 * other Mapped[...] says scalar; otherwise secondary= means collection, a
 * foreign key on this model's table to the target's table means
 * many-to-one (scalar), and anything else is one-to-many (collection).
 */
#ifndef PGOPT_QR_ORM_SQLA_MODELS_H
#define PGOPT_QR_ORM_SQLA_MODELS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/python/pysource.h"

typedef enum {
    SQLA_LAZY_SELECT = 0, /* loads on first access: one SELECT per parent */
    SQLA_LAZY_EAGER,      /* joined, selectin, subquery, immediate */
    SQLA_LAZY_DYNAMIC,    /* dynamic / write_only: a query object on access */
    SQLA_LAZY_NONE,       /* raise, raise_on_sql, noload: access never queries */
} sqla_lazy_t;

typedef struct {
    char *name;   /* attribute */
    char *target; /* class name of the related model */
    sqla_lazy_t lazy;
    char *lazy_text; /* the literal lazy= value, NULL when absent */
    bool collection;
    char *secondary; /* association table expression, NULL when none */
    char *back_populates;
    bool from_backref; /* created by the other side's backref= */
    unsigned line;
} sqla_relationship_t;

typedef struct {
    char *attr;     /* attribute name */
    char *column;   /* database column name */
    char *fk_table; /* ForeignKey("table.column") target, NULL when none */
    char *fk_column;
    bool primary_key;
    bool python_default; /* default= / onupdate= not a static literal (a callable) */
} sqla_column_t;

typedef struct {
    char *name;  /* class name */
    char *table; /* NULL when it cannot be told */
    size_t file; /* index into the project's files */
    unsigned line;
    bool flask; /* derives from <db>.Model */
    sqla_column_t *columns;
    size_t ncolumns;
    sqla_relationship_t *rels;
    size_t nrels;
    /* what the ORM does on top of an INSERT, which Core and bulk inserts
     * skip (sqla_patterns' bulk-insert rule reads these): */
    char *parent;     /* the model this one derives from (inheritance), or NULL */
    bool mapper_args; /* __mapper_args__ (polymorphic identity, version id...) */
    bool custom_init; /* defines __init__ */
    bool validates;   /* @validates methods, or property setters */
} sqla_model_t;

typedef struct {
    char *name;
    char *cls; /* enclosing class name, NULL for module-level functions */
    size_t file;
    uint32_t start; /* first byte of the function_definition (sqla_function_node) */
    uint32_t end;   /* the byte after its last: [start, end) is its text */
    unsigned line;  /* its line */
    bool property;  /* @property, @cached_property, @hybrid_property */
    bool is_async;
    /* a wrapper's body: one statement that is an expression or a return,
     * docstring and comments aside (no branch, loop, try, with, raise or
     * second statement); read while the file's tree is at hand, so that
     * the per-item pass knows what a call of it costs (sqla_perloop.c's
     * rule 17) without parsing it again */
    bool wrapper;
} sqla_function_t;

typedef struct sqla_project sqla_project_t;

/* Parses every .py entry of code_section (array of {path, content}); NULL
 * code_section gives an empty project. NULL with err when the section is
 * malformed (naming the index) or memory runs out. The project holds a
 * reference to code_section: the files are parsed again from its content
 * when a scan needs a tree that is no longer cached (below). */
sqla_project_t *sqla_project_new(const json_t *code_section, err_t *err);

/* Safe on NULL and twice (nulls the pointer). */
void sqla_project_destroy(sqla_project_t **project);

/* The same built a file at a time, so that a scan can read each file's
 * tree as the index is built (sqla_analyze, sqla_patterns.h: the one-pass
 * scan). sqla_project_new is open, add of every file in order, finish.
 *   open: checks the code section (as sqla_project_new) and parses nothing;
 *     the files are known (count, path, content) but not indexed.
 *   add: parses file i, indexes it (functions, bases, factories, its
 *     classes with their bodies) and leaves its tree to the next scan
 *     (sqla_project_file, until sqla_project_scan_end). -1 with err when it
 *     cannot be parsed (out of memory) or i was added already.
 *   speculate: the models are rebuilt whenever an added file may change
 *     them (a base, a class deriving from a base or a model), so a scan
 *     between two adds sees the models of the files added so far; and
 *     look-ups are logged (below).
 *   finish: the index as sqla_project_new's, whatever order the files
 *     were added in (the models are built over the files in their order;
 *     the function chains and factories are kept in file order). Every
 *     file must have been added. Logging stops.
 * Look-up logs: between log_begin and log_end (nested: a log begun inside
 * another belongs to it), every answer of sqla_project_model,
 * _model_count, _function and _session_factory is recorded; log_use makes
 * the current log depend on an ended one (a memoised result reused);
 * after finish, log_stale tells whether any recorded look-up, or any log
 * depended on, answers differently from the complete index. begin returns
 * SIZE_MAX when not speculating (the other calls ignore SIZE_MAX). */
sqla_project_t *sqla_project_open(const json_t *code_section, err_t *err);
int sqla_project_add(sqla_project_t *p, size_t i, err_t *err);
void sqla_project_speculate(sqla_project_t *p);
void sqla_project_finish(sqla_project_t *p);
size_t sqla_project_log_begin(const sqla_project_t *p);
void sqla_project_log_end(const sqla_project_t *p, size_t id);
void sqla_project_log_use(const sqla_project_t *p, size_t id);
bool sqla_project_log_stale(const sqla_project_t *p, size_t id);
/* A function look-up during a scan indexes early the files not added yet
 * that its answer may come from (a text pre-scan of the `def` lines: the
 * module its import names, or every file whose class at column 0 defines
 * the method), so that it answers as the complete index will (import
 * cycles, classes registered at run time). Such a file is indexed but not
 * scanned; its tree is kept, and the driver scans it next: next_early
 * gives the files indexed early not yet added by sqla_project_add, in the
 * order they were indexed (false when none). sqla_project_add of such a
 * file only completes it (the models are rebuilt then, never during the
 * scan that asked, whose model pointers stay valid). */
bool sqla_project_next_early(const sqla_project_t *p, size_t *i);
/* The order a one-pass scan adds the files in, so that most look-ups find
 * their answer already: a text pre-scan of each file's import lines (no
 * parsing) orders modules after what they import (depth first from the
 * files that declare models, then the rest in file order; a cycle is cut
 * where the walk meets a module it is inside). order gets every file
 * index once. */
void sqla_project_visit_order(const sqla_project_t *p, size_t *order);

/* Memory is bounded by not keeping every file's syntax tree (a tree costs
 * 20-25 bytes per byte of Python: 280 MB for cinder's 11 MB): the index
 * above is built in one pass over the files, each tree freed after it (or
 * after the scan that follows its file's indexing, sqla_project_add), and
 * the models (class bodies are read in that pass), functions and per-file
 * facts below are what later passes read. A scan that needs a tree (the
 * detections of sqla_patterns.h and sqla_perloop.h, a helper function's
 * body in another module) gets it from sqla_project_file(), which parses
 * the file again unless its tree is in a small cache (sqla_models.c says
 * how big and why; past its budget, the trees handed out to the fewest
 * scans go first, then the least recently used). A tree handed out stays
 * valid until sqla_project_scan_end(): a scan may hold several (its file,
 * the helpers it follows), which the cache may exceed its budget to keep.
 * A scan that never calls scan_end keeps every tree it took, as before the
 * cache. NULL when i is out of range or the file cannot be parsed again
 * (out of memory). */
size_t sqla_project_file_count(const sqla_project_t *p);
const pysource_t *sqla_project_file(const sqla_project_t *p, size_t i);
/* Ends the current scan: the trees handed out since the last call may be
 * freed (the ones handed out to the fewest scans first, then the least
 * recently used, down to the cache's budget). */
void sqla_project_scan_end(const sqla_project_t *p);
/* Whether src is file i's tree (a tree handed out and not yet released):
 * tells a tree's file without parsing anything. */
bool sqla_project_file_is(const sqla_project_t *p, size_t i, const pysource_t *src);
/* What the first pass kept of each file, without its tree: the path, the
 * source text (borrowed from the code section), and the first syntax
 * error (false when it parsed cleanly; pysource_first_error()). */
const char *sqla_project_path(const sqla_project_t *p, size_t i);
const char *sqla_project_content(const sqla_project_t *p, size_t i, size_t *len);
bool sqla_project_file_error(const sqla_project_t *p, size_t i, unsigned *line, unsigned *column);
/* Total lines over all files (for throughput figures). */
size_t sqla_project_line_count(const sqla_project_t *p);
/* Files parsed so far, first pass included (how often the cache missed:
 * tests and the benchmark read it). */
size_t sqla_project_parse_count(const sqla_project_t *p);

/* The function's definition node and its file's tree (*src), from
 * sqla_project_file(): valid until sqla_project_scan_end(). A null node
 * when the file cannot be parsed again. */
TSNode sqla_function_node(const sqla_project_t *p, const sqla_function_t *fn,
                          const pysource_t **src);

/* The same for a caller that reads only the function and its file's
 * imports (the per-item summaries of sqla_perloop): when the file's tree
 * is not cached, only the function's lines are parsed (its enclosing
 * classes' headers and itself: pysource_parse_ranges; nodes have the
 * file's positions, spans read the file's text, and pysource_import_of /
 * pysource_qualified_name answer with the whole file's imports), and the
 * tree is kept until the scan ends (a function asked again in the scan
 * reuses it). *src is
 * then that tree, which holds nothing else of the module: no sibling
 * definition, no module-level statement (pysource_resolve of a module
 * name finds nothing), and it is not the file's (sqla_project_file_is).
 * The whole file is parsed as sqla_function_node does when the function
 * sits in anything but module-level classes, the file has a syntax error,
 * or the lines alone do not parse cleanly. Valid until
 * sqla_project_scan_end(); a null node when nothing can be parsed. */
TSNode sqla_function_tree(const sqla_project_t *p, const sqla_function_t *fn,
                          const pysource_t **src);
/* Functions parsed alone so far (sqla_function_tree; not counted by
 * sqla_project_parse_count). */
size_t sqla_project_fn_parse_count(const sqla_project_t *p);

/* Whether some file of the project has `def NAME` (name: len bytes) in
 * its text, at any indentation, in a string or a comment too: a text scan
 * of every file, made at the first call. Every function of the index is
 * a def, so a name no file's text defines is no function
 * sqla_project_function answers, whatever files are added and in
 * whatever order: a caller may decide about a call of such a name without
 * a look-up, and without the call's tree (sqla_perloop's summaries of
 * helpers none of whose calls can do anything). */
bool sqla_project_may_define(const sqla_project_t *p, const char *name, size_t len);

/* Module-level classes that declare __tablename__ (a literal assignment
 * among the first 64 statements of the body), in file order: what the
 * unresolved-model note (sqla_perloop_unresolved_models) compares with the
 * models (names of 96 bytes or more are left out, as that note does). */
size_t sqla_project_table_class_count(const sqla_project_t *p);
void sqla_project_table_class(const sqla_project_t *p, size_t i, size_t *file, unsigned *line,
                              const char **name);

size_t sqla_project_model_count(const sqla_project_t *p);
const sqla_model_t *sqla_project_model_at(const sqla_project_t *p, size_t i);
/* The first model with that class name (a relationship's target, a
 * __tablename__ class: names SQLAlchemy's registry resolves by class name). */
const sqla_model_t *sqla_project_model(const sqla_project_t *p, const char *class_name);
/* The model the class expression n (a name or dotted name: User,
 * models.User, resource.Resource) in tree src names, resolved as Python
 * binds it in src's file (the project's file of the same path): a name
 * imported from one of the project's modules is the class that module
 * defines, or re-exports by import; a bare name the module defines at
 * module level is that class; a name from a module the project does not
 * have (a library's), or one the module it comes from never binds in its
 * text (set at run time: nova's objects registry), is no model; a
 * project class is a model only when it is one itself. Only a name that
 * cannot be resolved (neither imported nor defined at module level, a
 * star import on the way, a dotted name on a local) is matched by its
 * last name, as sqla_project_model. NULL when n is no name or names no
 * model. Models are classes deriving from a base or a model the same way:
 * a superclass is resolved so, so a class whose superclass merely shares
 * a model's last name is no model. */
const sqla_model_t *sqla_project_model_ref(const sqla_project_t *p, const pysource_t *src,
                                           TSNode n);
const sqla_relationship_t *sqla_model_relationship(const sqla_model_t *m, const char *attr);
const sqla_column_t *sqla_model_column(const sqla_model_t *m, const char *attr);
/* The primary key attribute ("id" when none is declared). */
const char *sqla_model_pk(const sqla_model_t *m);

/* A function or method by name. cls NULL: module-level functions only;
 * prefer_file: the file to prefer among several with the same name
 * (SIZE_MAX for none); module_hint: a dotted module path the caller's
 * imports name ("app.services.pricing"), or NULL. NULL when not found or
 * ambiguous. For a function (cls NULL) the lookup follows Python's scoping
 * of the caller's name:
 *   - module_hint an absolute module the project cannot have (neither it
 *     nor a dotted suffix of it is a dotted suffix of a file's module:
 *     `re`, `oslo_utils.timeutils` in nova; the suffixes allow for a code
 *     root above or below the package root): NULL, the name is the
 *     library's, whatever the project defines;
 *   - no module_hint and a prefer_file (a bare name the caller's module does
 *     not import): the caller's module's own def, else NULL (a builtin such
 *     as list(), or a local), unless that module has a star import, which
 *     may bring in any module's name (then as before: the unique one).
 * A relative hint (".x") and a hinted project module that does not define
 * the name (a re-export) keep the project-wide match by name. */
const sqla_function_t *sqla_project_function(const sqla_project_t *p, const char *name,
                                             const char *cls, size_t prefer_file,
                                             const char *module_hint);

/* Whether name is a session factory: assigned sessionmaker(...) /
 * async_sessionmaker(...) anywhere, or Session / AsyncSession imported from
 * sqlalchemy. *is_async tells the async kinds. */
bool sqla_project_session_factory(const sqla_project_t *p, const char *name, bool *is_async);

/* New JSON array describing the models (for tests and reports):
 * [{name, table, file, line, flask, columns:[{attr, column, fk}],
 *   relationships:[{name, target, lazy, collection, secondary,
 *   back_populates, from_backref}]}]. */
json_t *sqla_project_models_json(const sqla_project_t *p);

#endif
