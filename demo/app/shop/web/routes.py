"""HTTP routes: one Session per request."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request

from ..db import SessionLocal
from ..services import accounts, auth, catalog, checkout, orders, reports

bp = Blueprint("shop", __name__)


@bp.before_request
def open_session():
    g.db = SessionLocal()
    session_id = request.cookies.get("sid")
    if session_id and session_id.isdigit():
        auth.touch_session(g.db, int(session_id))


@bp.teardown_request
def close_session(exc):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@bp.post("/login")
def login():
    body = request.get_json(force=True)
    s = auth.authenticate(g.db, body["email"], request.headers.get("User-Agent", ""))
    if s is None:
        abort(401)
    response = jsonify({"ok": True})
    response.set_cookie("sid", str(s.id), httponly=True)
    return response


@bp.get("/products/<int:product_id>")
def product(product_id: int):
    p = catalog.get_product(g.db, product_id)
    if p is None:
        abort(404)
    return jsonify({"id": p.id, "name": p.name, "price_cents": p.price_cents, "stock": p.stock})


@bp.get("/search")
def search():
    return jsonify(catalog.search_products(g.db, request.args.get("q", "")))


@bp.get("/customers/<int:customer_id>/orders")
def my_orders(customer_id: int):
    return jsonify(orders.recent_orders_page(g.db, customer_id))


@bp.get("/orders/<int:order_id>")
def order(order_id: int):
    detail = orders.order_detail(g.db, order_id)
    if detail is None:
        abort(404)
    return jsonify(detail)


@bp.post("/checkout")
def place_order():
    body = request.get_json(force=True)
    cart = [(int(line["product_id"]), int(line["quantity"])) for line in body["lines"]]
    o = checkout.place_order(g.db, int(body["customer_id"]), cart, body["address"])
    return jsonify({"order_id": o.id}), 201


@bp.get("/admin/orders")
def admin_orders():
    page = int(request.args.get("page", "0"))
    rows = orders.admin_order_page(g.db, page)
    return jsonify([{"id": o.id, "status": o.status, "total_cents": o.total_cents} for o in rows])


@bp.get("/admin/accounts/<int:account_id>")
def account(account_id: int):
    overview = accounts.account_overview(g.db, account_id)
    if overview is None:
        abort(404)
    return jsonify(overview)


@bp.get("/reports/unsold")
def unsold():
    return jsonify(reports.unsold_products(g.db, int(request.args.get("since_order_id", "0"))))
