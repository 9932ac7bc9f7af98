import os

from sqlalchemy import create_engine, select, func
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

from app.models import Book

engine = create_engine(os.environ["DATABASE_URL"], pool_size=10)
SessionLocal = sessionmaker(bind=engine)
async_engine = create_async_engine(os.environ["ASYNC_DATABASE_URL"])
AsyncSessionLocal = async_sessionmaker(async_engine, expire_on_commit=False)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def get_db_unclosed():
    db = SessionLocal()
    yield db


def count_books():
    s = SessionLocal()
    n = s.scalar(select(func.count(Book.id)))
    return n


def count_books_safely():
    with SessionLocal() as s:
        return s.scalar(select(func.count(Book.id)))
