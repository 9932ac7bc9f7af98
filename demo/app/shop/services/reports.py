"""Reports for finance, marketing and merchandising (raw SQL)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

CUSTOMER_REVENUE_SQL = text(
    """
    SELECT customer_id, created_at, total_cents,
           sum(total_cents) OVER (PARTITION BY customer_id ORDER BY created_at) AS running_total
    FROM orders
    WHERE created_at >= now() - interval '60 days'
    ORDER BY customer_id, created_at
    """
)

UNSOLD_PRODUCTS_SQL = text(
    """
    SELECT p.id, p.sku, p.name, p.stock
    FROM products p
    WHERE p.id NOT IN (SELECT oi.product_id FROM order_items oi WHERE oi.order_id > :since_order_id)
    ORDER BY p.stock DESC
    LIMIT 100
    """
)

CAMPAIGN_SQL = text(
    """
    SELECT type, count(*) AS events, count(DISTINCT customer_id) AS customers
    FROM events
    WHERE payload @> :filter
    GROUP BY type
    ORDER BY events DESC
    """
)


def customer_revenue_export(session: Session) -> list[dict]:
    return [dict(r._mapping) for r in session.execute(CUSTOMER_REVENUE_SQL)]


def unsold_products(session: Session, since_order_id: int) -> list[dict]:
    return [dict(r._mapping) for r in session.execute(UNSOLD_PRODUCTS_SQL, {"since_order_id": since_order_id})]


def campaign_activity(session: Session, campaign: str) -> list[dict]:
    return [dict(r._mapping) for r in session.execute(CAMPAIGN_SQL, {"filter": '{"campaign": "%s"}' % campaign})]
