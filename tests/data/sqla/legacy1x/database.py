import sqlalchemy as sa
from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import scoped_session, sessionmaker

POOL_SIZE = 15
OVERFLOW = POOL_SIZE // 3

ENGINE_KWARGS = {
    "max_overflow": OVERFLOW,
    "pool_recycle": 3600,
    "echo": True,
}

engine = sa.create_engine("postgresql://legacy@localhost/shop", pool_size=POOL_SIZE,
                          pool_timeout=30, poolclass=sa.pool.QueuePool, **ENGINE_KWARGS)
Session = scoped_session(sessionmaker(bind=engine))
Base = declarative_base()
