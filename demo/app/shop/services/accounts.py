"""Account (tenant) administration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Account, Customer


def account_overview(session: Session, account_id: int) -> dict | None:
    """The account admin page: every customer with order count and revenue."""
    account = session.get(Account, account_id)
    if account is None:
        return None
    rows = []
    for customer in account.customers:
        # customer.orders is lazy: one query per customer (N+1), and each of
        # them filters orders by customer_id.
        orders = customer.orders
        rows.append(
            {
                "customer": customer.email,
                "orders": len(orders),
                "revenue_cents": sum(o.total_cents for o in orders if o.status == "delivered"),
            }
        )
    return {"account": account.name, "plan": account.plan, "customers": rows}


def account_order_summary(session: Session, account_id: int) -> list[dict]:
    """Same numbers for the monthly e-mail, loaded the efficient way.

    selectinload fetches the orders of all the account's customers in one
    extra query, so the loop below runs no query per customer.
    """
    customers = session.scalars(
        select(Customer).where(Customer.account_id == account_id).options(selectinload(Customer.orders))
    ).all()
    summary = []
    for customer in customers:
        summary.append({"customer": customer.email, "orders": len(customer.orders)})
    return summary
