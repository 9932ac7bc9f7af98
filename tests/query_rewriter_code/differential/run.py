#!/usr/bin/python3
"""Differential execution of pgopt's ORM rewrites (issue 14).

For every case in cases/*.py: run pgopt's code analysis on the file
(orm_findings, a thin wrapper of sqla_detect), check the finding the case's
header expects, apply the rewrite (the finding's `original` lines replaced
by its `optimized` code), then run the original and the rewritten module
against the test PostgreSQL, each in a fresh schema with the same seed data,
and assert that
  - the database state (every table's rows) is the same,
  - the return value (or the exception type) of run() is the same,
  - the rewrite runs fewer statements (cursor executions plus COMMITs)
    where the case says it claims so.
A case header line `# expect: KIND code [fewer]` wants a rewrite with code;
`# expect: KIND manual` wants the finding reported without code (the
failure classes of issue 14 that must not be rewritten); `# expect: KIND
none` wants no finding of that kind at all.

Usage: run.py ORM_FINDINGS_BINARY [CASE...]; needs PGOPT_TEST_PGENV (the
sandbox's env file, see tests/CMakeLists.txt), SQLAlchemy and psycopg2
(Debian: python3-sqlalchemy, python3-psycopg2; scripts/deps.sh).
"""
import importlib.util
import json
import os
import re
import subprocess
import sys
import traceback

import sqlalchemy
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.orm import Session

HERE = os.path.dirname(os.path.abspath(__file__))


def pg_env():
    path = os.environ.get("PGOPT_TEST_PGENV")
    if not path:
        sys.exit("differential: PGOPT_TEST_PGENV is not set (run through ctest)")
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                env[k] = v
    return env


def expectation(source, name):
    m = re.search(r"^# expect: (\w+) (code|manual|none)( fewer)?$", source, re.M)
    if not m:
        sys.exit(f"differential: {name} has no '# expect: KIND code|manual|none' line")
    return m.group(1), m.group(2), bool(m.group(3))


def load_module(name, source):
    spec = importlib.util.spec_from_loader(name, loader=None)
    mod = importlib.util.module_from_spec(spec)
    exec(compile(source, name + ".py", "exec"), mod.__dict__)
    return mod


def plain(value):
    """A return value reduced to comparable data: mapped objects become the
    tuple of their column values."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if hasattr(value, "__mapper__"):
        insp = inspect(value)
        return (type(value).__name__,) + tuple(
            plain(getattr(value, c.key)) for c in insp.mapper.column_attrs)
    if hasattr(value, "_mapping"):
        return tuple(plain(v) for v in value)
    return value


def run_version(url, schema, mod):
    """Creates the schema's tables, seeds them, runs mod.run(session);
    returns (result, state, statements)."""
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"},
                           future=True)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    mod.Base.metadata.create_all(engine)
    with Session(engine, future=True) as s:
        mod.setup(s)
        s.commit()
    counter = {"n": 0}

    def count_execute(*args):
        counter["n"] += 1

    def count_commit(conn):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count_execute)
    event.listen(engine, "commit", count_commit)
    s = Session(engine, future=True)
    try:
        result = ("ok", plain(mod.run(s)))
        s.commit()
    except Exception as e:  # the exception is part of the behaviour
        s.rollback()
        result = ("raised", type(e).__name__)
    finally:
        s.close()
    statements = counter["n"]
    event.remove(engine, "before_cursor_execute", count_execute)
    event.remove(engine, "commit", count_commit)
    state = {}
    with engine.connect() as conn:
        for table in sorted(mod.Base.metadata.tables):
            t = mod.Base.metadata.tables[table]
            rows = conn.execute(t.select()).fetchall()
            state[table] = sorted((tuple(r) for r in rows), key=repr)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
    return result, state, statements


def apply(source, finding):
    """The finding's code in place of its original lines, and the import
    lines it lists (`imports`) before the file's first import, as a user
    applying the advice would."""
    orig, opt = finding["original"], finding["optimized"]
    if source.count(orig) != 1:
        raise AssertionError("the finding's original lines are not found exactly once")
    out = source.replace(orig, opt)
    imports = finding.get("imports") or []
    if imports:
        lines = out.split("\n")
        at = next((i for i, l in enumerate(lines) if l.startswith(("import ", "from "))), 0)
        lines[at:at] = imports
        out = "\n".join(lines)
    return out


def check_case(binary, path, url, tag):
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path) as f:
        source = f.read()
    kind, want, fewer = expectation(source, name)
    out = subprocess.run([binary, path], check=True, capture_output=True, text=True).stdout
    findings = [f for f in json.loads(out)["findings"] if f["kind"] == kind]
    if want == "none":
        if findings:
            return f"expected no {kind} finding, got {len(findings)}"
        return None
    if len(findings) != 1:
        return f"expected one {kind} finding, got {len(findings)}"
    f = findings[0]
    if want == "manual":
        if f["optimized"] is not None or f.get("safety") != "manual":
            return (f"expected {kind} without code (safety manual), got safety "
                    f"{f.get('safety')} with code:\n{f['optimized']}")
        if not f.get("manual_reason"):
            return "a manual finding without manual_reason"
        print(f"  {name}: {kind} reported without code: {f['manual_reason']}")
        return None
    if f["optimized"] is None:
        return f"expected {kind} with code, got none ({f.get('manual_reason')})"
    rewritten = apply(source, f)
    versions = {}
    for label, src in (("original", source), ("rewritten", rewritten)):
        mod = load_module(f"{name}_{label}", src)
        versions[label] = run_version(url, f"diff_{tag}_{name}_{label}", mod)
    (r1, s1, n1), (r2, s2, n2) = versions["original"], versions["rewritten"]
    problems = []
    if r1 != r2:
        problems.append(f"return values differ:\n    original  {r1}\n    rewritten {r2}")
    if s1 != s2:
        problems.append(f"database states differ:\n    original  {s1}\n    rewritten {s2}")
    if fewer and not n2 < n1:
        problems.append(f"the rewrite claims fewer statements: original {n1}, rewritten {n2}")
    if r1[0] != "ok":
        problems.append(f"the original raised {r1[1]}: the case does not exercise the code")
    if problems:
        return "\n  ".join(problems) + f"\n  rewritten code:\n{f['optimized']}"
    print(f"  {name}: {kind} ({f['safety']}) same result and state, statements "
          f"{n1} -> {n2}")
    return None


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: run.py ORM_FINDINGS_BINARY [CASE...]")
    binary = sys.argv[1]
    cases = sys.argv[2:] or sorted(
        os.path.join(HERE, "cases", c) for c in os.listdir(os.path.join(HERE, "cases"))
        if c.endswith(".py"))
    env = pg_env()
    # a database of its own: two copies of the suite may run at once
    tag = str(os.getpid())
    dbname = f"pgopt_diff_{tag}"
    admin = f"postgresql+psycopg2://{env['PGUSER']}@/{env['PGDATABASE']}?host={env['PGHOST']}&port={env['PGPORT']}"
    url = f"postgresql+psycopg2://{env['PGUSER']}@/{dbname}?host={env['PGHOST']}&port={env['PGPORT']}"
    eng = create_engine(admin, isolation_level="AUTOCOMMIT", future=True)
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{dbname}"'))
    failed = 0
    try:
        print(f"differential: SQLAlchemy {sqlalchemy.__version__}, {len(cases)} cases")
        for path in cases:
            try:
                problem = check_case(binary, path, url, tag)
            except Exception:
                problem = traceback.format_exc()
            if problem:
                failed += 1
                print(f"FAIL {os.path.basename(path)}: {problem}")
    finally:
        with eng.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        eng.dispose()
    print(f"differential: {len(cases) - failed} of {len(cases)} cases pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
