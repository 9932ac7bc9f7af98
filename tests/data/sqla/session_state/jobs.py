import psycopg2
import sqlalchemy as sa
from sqlalchemy import func, text

SET_TIMEZONE = "SET TIME ZONE 'UTC'"


def run_exclusive(conn, job_id):
    conn.execute(text("SELECT pg_advisory_lock(:job_id)"), {"job_id": job_id})
    conn.execute(sa.select(func.pg_try_advisory_lock(job_id)))
    conn.execute(text(SET_TIMEZONE))
    conn.exec_driver_sql("LISTEN job_events")
    conn.execute(text("PREPARE fetch_job AS SELECT * FROM jobs WHERE id = $1"))
    conn.execute(text("CREATE TEMP TABLE staging (id int)"))
    conn.execute(text("DECLARE big CURSOR WITH HOLD FOR SELECT * FROM jobs"))
    conn.execute(text("SELECT set_config('app.user', :user, false)"), {"user": "x"})


def tenant(conn, schema):
    conn.execute(text(f"SET search_path TO {schema}"))


def raw(dsn):
    with psycopg2.connect(dsn) as pg:
        cur = pg.cursor()
        cur.execute("SET statement_timeout = %s", (5000,))
        cur.execute("SELECT * FROM jobs WHERE name = %(name)s", {"name": "x"})


def look_alikes(conn, job_id):
    # None of these keep state past the transaction, or they are not SQL.
    conn.execute(text("SET LOCAL statement_timeout = '5s'"))
    conn.execute(text("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"))
    conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": job_id})
    conn.execute(sa.select(func.pg_try_advisory_xact_lock(job_id)))
    conn.execute(text("CREATE TEMP TABLE scratch (id int) ON COMMIT DROP"))
    conn.execute(text("SELECT 'SET search_path TO x; LISTEN y' AS doc -- PREPARE z"))
    conn.execute(text("DECLARE c CURSOR FOR SELECT 1"))
    conn.execute(text("SELECT set_config('app.user', 'x', true)"))
    conn.execute(text("SELECT note FROM settings WHERE key = 'LISTEN'"))
    print("SET search_path TO public")
    log.execute("SET")


def binds(conn, schema):
    conn.execute(text("SET search_path TO :schema"), {"schema": schema})
    conn.execute(text("SELECT arr[1:n], x::int FROM t WHERE a = :a -- :b"), {"a": 1})
    conn.execute(text("SELECT $tag$ LISTEN :c $tag$ AS body, 'x:y' AS z /* :w */"))
