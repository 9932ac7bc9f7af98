"""Database setup for the orders service (SQLAlchemy 2.0 style)."""
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

DATABASE_URL = "postgresql+psycopg://app@db/orders"

engine = create_engine(
    DATABASE_URL,
    poolclass=QueuePool,
    pool_size=20,
    max_overflow=5,
    pool_timeout=10.5,
    pool_recycle=1800,
    pool_pre_ping=True,
    pool_use_lifo=True,
    echo_pool=False,
    isolation_level="READ COMMITTED",
    connect_args={"connect_timeout": 5, "options": "-c statement_timeout=30000"},
    echo=False,
)
SessionLocal = sessionmaker(engine)
