from sqlalchemy import create_engine, text

engine = create_engine("postgresql://broken@localhost/app", pool_size=3)


def half_written(session:
    session.execute(text("SELECT 1")


def later(conn):
    conn.execute(text("SET search_path TO tenant_1"))
