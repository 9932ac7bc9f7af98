"""Engine and session factory.

The web application runs 4 gunicorn workers per host on 3 hosts; each
worker process owns one engine, hence one pool of its own.
"""

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from .config import DATABASE_URL

# SQLAlchemy's defaults spelled out: 5 pooled connections plus 10 overflow
# per process, no pre-ping, connections never recycled.
engine = create_engine(DATABASE_URL, pool_size=5, max_overflow=10)

SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)

# The fulfilment worker keeps one long-lived connection with session state
# (advisory lock, LISTEN, SET); a pool of one is enough for it.
worker_engine = create_engine(
    DATABASE_URL, pool_size=1, max_overflow=0, pool_pre_ping=True
)
