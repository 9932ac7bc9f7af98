from app.models import Book


def book_summary(book: Book) -> dict:
    return {"title": book.title, "author": book.author.name}


def publisher_name(book: Book) -> str:
    return book.publisher.name if book.publisher else ""
