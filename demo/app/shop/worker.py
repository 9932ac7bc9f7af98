"""The fulfilment worker: one long-lived connection that ships open orders.

It relies on session state - a session-level advisory lock so that only one
worker runs, LISTEN for new orders, and a statement_timeout set once for
the connection. All three are lost or leak between clients when the
connection sits behind PgBouncer in transaction pooling mode.
"""

from __future__ import annotations

import select as io_select

from sqlalchemy import text

from .db import worker_engine

LOCK_ID = 4242


def run_forever() -> None:
    with worker_engine.connect() as conn:
        conn.execute(text("SET statement_timeout = '5s'"))
        got_lock = conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": LOCK_ID}).scalar()
        if not got_lock:
            return
        conn.execute(text("LISTEN order_created"))
        conn.commit()
        raw = conn.connection.dbapi_connection
        try:
            while True:
                ship_open_orders(conn)
                # Sleep until an order_created notification (or 5 s).
                io_select.select([raw], [], [], 5.0)
                raw.poll()
                raw.notifies.clear()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": LOCK_ID})


def ship_open_orders(conn) -> None:
    rows = conn.execute(
        text(
            "SELECT id, customer_id, total_cents, created_at FROM orders "
            "WHERE status = 'pending' OR status = 'processing' ORDER BY created_at LIMIT 20"
        )
    ).all()
    for row in rows:
        conn.execute(text("UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = :id"), {"id": row.id})
        conn.execute(
            text(
                "INSERT INTO audit_log (actor, entity, entity_id, action, changes) "
                "VALUES ('fulfilment-worker', 'order', :id, 'update', '{\"field\": \"status\", \"new\": \"shipped\"}')"
            ),
            {"id": row.id},
        )
        conn.commit()


if __name__ == "__main__":
    run_forever()
