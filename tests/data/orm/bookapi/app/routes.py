import httpx
from fastapi import APIRouter, Depends
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, selectinload

from app.db import AsyncSessionLocal, SessionLocal, get_db
from app.models import Author, Book, Review
from app.services import book_summary, publisher_name

router = APIRouter()
WEBHOOK_URL = "https://hooks.example.com/import"


@router.get("/books")
def list_books(session: Session = Depends(get_db)):
    books = session.scalars(select(Book).order_by(Book.id)).all()
    return [{"title": b.title, "author": b.author.name} for b in books]


@router.get("/authors/counts")
async def author_counts():
    async with AsyncSessionLocal() as session:
        result = await session.execute(select(Author))
        authors = result.scalars().all()
        out = []
        for a in authors:
            out.append({"name": a.name, "books": len(await a.awaitable_attrs.books)})
        return out


@router.get("/authors/eager")
def authors_eager(session: Session = Depends(get_db)):
    authors = session.scalars(select(Author).options(selectinload(Author.books))).all()
    return {a.name: [b.title for b in a.books] for a in authors}


@router.get("/books/summaries")
def summaries(session: Session = Depends(get_db)):
    return [book_summary(b) for b in session.scalars(select(Book).limit(100))]


@router.get("/books/publishers")
def publishers(session: Session = Depends(get_db)):
    return [publisher_name(b) for b in session.scalars(select(Book))]


@router.post("/books/lookup")
def lookup(book_ids: list[int], session: Session = Depends(get_db)):
    titles = []
    for book_id in book_ids:
        book = session.get(Book, book_id)
        titles.append(book.title if book else None)
    return titles


@router.get("/authors/latest")
def latest_books(session: Session = Depends(get_db)):
    authors = session.scalars(select(Author)).all()
    latest = {}
    for a in authors:
        book = session.scalars(
            select(Book).where(Book.author_id == a.id).order_by(Book.id.desc())
        ).first()
        latest[a.name] = book.title if book else None
    return latest


@router.post("/books/import")
def import_books(rows: list[dict], session: Session = Depends(get_db)):
    for r in rows:
        book = Book(title=r["title"], author_id=r["author_id"])
        session.add(book)
    session.commit()
    httpx.post(WEBHOOK_URL, json={"event": "books_imported"}, timeout=5)
    return {"n": len(rows)}


@router.post("/reviews/import")
async def import_reviews(rows: list[dict]):
    async with AsyncSessionLocal() as session:
        for r in rows:
            await session.execute(insert(Review).values(book_id=r["book_id"], stars=r["stars"], body=r["body"]))
        await session.commit()
    return {"n": len(rows)}


@router.post("/tenants/refresh")
def refresh_tenants(tenants: list[str]):
    for tenant in tenants:
        s = SessionLocal()
        s.execute(text("SELECT refresh_tenant(:t)"), {"t": tenant})
        s.close()


@router.post("/authors/sync")
def sync_authors():
    with SessionLocal.begin() as session:
        session.execute(text("UPDATE authors SET name = trim(name)"))
        httpx.post(WEBHOOK_URL, json={"event": "authors_synced"}, timeout=5)


@router.get("/books/search")
def search_books(title: str, session: Session = Depends(get_db)):
    conn = session.connection()
    rows = conn.exec_driver_sql("SELECT id, title FROM books WHERE title = '%s'" % title)
    return [tuple(r) for r in rows]


@router.get("/books/search2")
def search_books_bound(title: str, session: Session = Depends(get_db)):
    rows = session.execute(text("SELECT id, title FROM books WHERE title = :title"), {"title": title})
    return [tuple(r) for r in rows]


@router.get("/stars")
def star_counts(session: Session = Depends(get_db)):
    counts = {}
    for stars in (1, 2, 3, 4, 5):
        counts[stars] = session.scalar(select(func.count(Review.id)).where(Review.stars == stars))
    return counts


@router.get("/books/like")
def like_books(title: str, session: Session = Depends(get_db)):
    conn = session.connection()
    rows = conn.exec_driver_sql("SELECT id, title FROM books WHERE title LIKE '%%%s%%'" % title)
    return [tuple(r) for r in rows]
