import sqlalchemy.ext.asyncio as aio

POOL_SIZE = 8


def make_engine(url: str):
    return aio.create_async_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=-1,
        pool_recycle=60 * 30,
        connect_args={"server_settings": {"application_name": "orders-async", "jit": "off"}},
    )
