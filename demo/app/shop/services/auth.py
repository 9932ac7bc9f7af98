"""Login and session handling."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..config import SESSION_DAYS
from ..models import Customer, CustomerSession


def authenticate(session: Session, email: str, user_agent: str) -> CustomerSession | None:
    """Find the customer by e-mail, ignoring case, and open a session."""
    customer = session.scalars(select(Customer).where(func.lower(Customer.email) == func.lower(email))).first()
    if customer is None or not customer.is_active:
        return None
    customer.last_login_at = func.now()
    token = hashlib.md5(os.urandom(16)).hexdigest()
    login = CustomerSession(
        customer_id=customer.id,
        token=token,
        user_agent=user_agent,
        expires_at=datetime.now(timezone.utc) + timedelta(days=SESSION_DAYS),
        data={},
    )
    session.add(login)
    session.commit()
    return login


def touch_session(session: Session, session_id: int) -> None:
    """Called on every authenticated request."""
    session.execute(
        update(CustomerSession).where(CustomerSession.id == session_id).values(last_seen_at=func.now())
    )
    session.commit()
