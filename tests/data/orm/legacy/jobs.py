import requests
from sqlalchemy.orm import joinedload

from legacy.db import Session
from legacy.models import AuditLog, Customer, Invoice

CRM_URL = "https://crm.example.com/api/customers"


def score(customer):
    return sum(int(i.amount) for i in customer.invoices)


def rescore_all():
    session = Session()
    try:
        customers = session.query(Customer).all()
        for c in customers:
            c.score = score(c)
            session.commit()
    finally:
        session.close()


def region_report():
    session = Session()
    try:
        report = {}
        for c in session.query(Customer).options(joinedload(Customer.region)):
            report.setdefault(c.region.name, 0)
            report[c.region.name] += 1
        return report
    finally:
        session.close()


def invoices_by_region():
    session = Session()
    try:
        totals = {}
        for inv in session.query(Invoice).filter(Invoice.amount > 0):
            key = inv.customer.region.name
            totals[key] = totals.get(key, 0) + inv.amount
        return totals
    finally:
        session.close()


def audit(customer_ids, action):
    session = Session()
    try:
        for cid in customer_ids:
            session.add(AuditLog(customer_id=cid, action=action))
        session.commit()
    finally:
        session.close()


def push_to_crm(customer_id):
    session = Session()
    try:
        customer = session.query(Customer).get(customer_id)
        customer.score += 1
        session.flush()
        requests.put(f"{CRM_URL}/{customer.id}", json={"score": customer.score}, timeout=10)
        session.commit()
    finally:
        session.close()


def last_invoice(session, customers):
    result = {}
    for c in customers:
        inv = session.query(Invoice).filter_by(customer_id=c.id).order_by(Invoice.issued_at.desc()).first()
        result[c.id] = inv
    return result


def delete_customer(session, customer_id):
    sql = "DELETE FROM customers WHERE id = %s" % customer_id
    session.execute(sql)
    session.commit()
