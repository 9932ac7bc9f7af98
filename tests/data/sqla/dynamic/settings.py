import os

from sqlalchemy import create_engine, engine_from_config
from sqlalchemy.pool import NullPool

from .tuning import engine_options


def make_engine():
    opts = {"pool_timeout": 20}
    if os.environ.get("SLOW_NETWORK"):
        opts["pool_timeout"] = 60
    return create_engine(
        os.environ["DATABASE_URL"],
        pool_size=int(os.environ.get("POOL_SIZE", "5")),
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "application_name": os.getenv("APP_NAME")},
        **opts,
        **engine_options(),
    )


INI = {
    "db.url": "postgresql://reports@warehouse/reports",
    "db.pool_size": "4",
    "db.pool_pre_ping": "true",
    "db.poolclass": "sqlalchemy.pool.NullPool",
    "other.pool_size": "99",
}
reports_engine = engine_from_config(INI, prefix="db.", max_overflow=0)


def batch_engine(url, size):
    return create_engine(url, pool_size=size, poolclass=NullPool, future=True)
