import smtplib

import requests
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import create_engine, text
from sqlalchemy.orm import joinedload, selectinload

from shop.models import Order, OrderItem, Outbox, Product, Role, User, db
from shop.services.pricing import describe_line, order_value

bp = Blueprint("shop", __name__)
PAYMENT_URL = "https://payments.example.com/charge"
STATS_TABLE = "order_stats"


@bp.route("/users")
def list_users():
    users = User.query.order_by(User.name).all()
    rows = []
    for u in users:
        rows.append({"name": u.name, "orders": len(u.orders)})
    return jsonify(rows)


@bp.route("/orders/open")
def open_orders():
    orders = Order.query.filter_by(status="open").all()
    return jsonify([{"id": o.id, "customer": o.user.name} for o in orders])


@bp.route("/orders/value")
def orders_value():
    total = 0
    for order in Order.query.filter(Order.status != "cancelled"):
        total += order_value(order)
    return jsonify({"total": str(total)})


@bp.route("/orders/sizes")
def order_sizes():
    return jsonify([{"id": o.id, "n": o.item_count} for o in Order.query.limit(50).all()])


@bp.route("/users/eager")
def users_eager():
    users = User.query.options(selectinload(User.orders)).all()
    return jsonify([{"name": u.name, "orders": len(u.orders)} for u in users])


@bp.route("/orders/<int:order_id>/lines")
def order_lines(order_id):
    order = Order.query.options(joinedload(Order.items).joinedload(OrderItem.product)).get(order_id)
    return jsonify([describe_line(line) for line in order.items])


@bp.route("/products/tags")
def product_tags():
    out = {}
    for p in Product.query.all():
        out[p.name] = [t.name for t in p.tags]
    return jsonify(out)


@bp.route("/products/lookup", methods=["POST"])
def products_lookup():
    ids = request.json["ids"]
    found = []
    for pid in ids:
        product = Product.query.get(pid)
        if product is not None:
            found.append({"id": product.id, "name": product.name})
    return jsonify(found)


@bp.route("/roles/check")
def check_roles():
    missing = []
    for name in ("admin", "editor", "viewer"):
        role = Role.query.filter_by(name=name).one_or_none()
        if role is None:
            missing.append(name)
    return jsonify(missing)


@bp.route("/products/import", methods=["POST"])
def import_products():
    rows = request.json["products"]
    for row in rows:
        db.session.add(Product(name=row["name"], price=row["price"]))
    db.session.commit()
    return jsonify({"imported": len(rows)})


def seed_roles():
    for name in ("admin", "editor", "viewer"):
        db.session.add(Role(name=name))
    db.session.commit()


def process_new_orders():
    for o in Order.query.filter_by(status="new"):
        try:
            o.status = "processed"
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("order %s failed", o.id)


def send_outbox():
    for msg in Outbox.query.filter_by(sent=False).all():
        with smtplib.SMTP("localhost") as smtp:
            smtp.sendmail("shop@example.com", [msg.email], msg.body)
        msg.sent = True
        db.session.commit()


def recalc_totals():
    for i, order in enumerate(Order.query.yield_per(1000)):
        order.total = order_value(order)
        if i % 500 == 0:
            db.session.commit()
    db.session.commit()


@bp.route("/search")
def search():
    q = request.args.get("q", "")
    rows = db.session.execute(text(f"SELECT id, name FROM product WHERE name = '{q}'"))
    return jsonify([dict(r._mapping) for r in rows])


@bp.route("/stats")
def stats():
    rows = db.session.execute(text(f"SELECT count(*) FROM {STATS_TABLE}"))
    return jsonify(rows.scalar())


@bp.route("/report")
def report():
    engine = create_engine(current_app.config["REPORT_DATABASE_URL"])
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM order_stats")).scalar()
    return jsonify({"n": n})


@bp.route("/checkout", methods=["POST"])
def checkout():
    user = User.query.get(request.json["user_id"])
    order = Order(user_id=user.id, status="pending", total=request.json["total"])
    db.session.add(order)
    charge = requests.post(PAYMENT_URL, json={"amount": str(request.json["total"])}, timeout=10)
    order.status = "paid" if charge.ok else "failed"
    db.session.commit()
    return jsonify({"status": order.status})


@bp.route("/notify", methods=["POST"])
def notify():
    order = Order.query.get(request.json["order_id"])
    order.status = "shipped"
    db.session.commit()
    requests.post("https://hooks.example.com/shipped", json={"id": order.id}, timeout=5)
    return jsonify({"ok": True})


@bp.route("/users/value")
def users_value():
    return jsonify({u.name: str(u.lifetime_value()) for u in User.query.all()})


@bp.route("/search/like")
def search_like():
    q = request.args.get("q", "")
    rows = db.session.execute(text(f"SELECT id, name FROM product WHERE name ILIKE '%{q}%' AND note <> 'it''s' ORDER BY name"))
    return jsonify([dict(r._mapping) for r in rows])
