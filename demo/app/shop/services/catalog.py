"""Product catalogue and search."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..models import Product


def get_product(session: Session, product_id: int) -> Product | None:
    return session.get(Product, product_id)


def search_products(session: Session, term: str, limit: int = 20) -> list[dict]:
    """The storefront search box.

    Built with an f-string: the term goes into the SQL text itself (an
    injection hole, and a new statement text for the server on every search).
    """
    sql = f"SELECT id, sku, name, price_cents FROM products WHERE name ILIKE '%{term}%' ORDER BY name LIMIT {limit}"
    return [dict(row._mapping) for row in session.execute(text(sql))]
