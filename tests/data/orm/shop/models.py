from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

product_tags = db.Table(
    "product_tags",
    db.Column("product_id", db.Integer, db.ForeignKey("product.id"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("tag.id"), primary_key=True),
)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)
    email = db.Column(db.String(120), unique=True)
    orders = db.relationship("Order", back_populates="user")

    def lifetime_value(self):
        return sum(o.total for o in self.orders)


class Order(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    status = db.Column(db.String(20), default="new")
    total = db.Column(db.Numeric(10, 2))
    user = db.relationship("User", back_populates="orders")
    items = db.relationship("OrderItem", backref="order")

    @property
    def item_count(self):
        return len(self.items)


class OrderItem(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("order.id"), nullable=False)
    product_id = db.Column(db.Integer, db.ForeignKey("product.id"), nullable=False)
    qty = db.Column(db.Integer, default=1)
    price = db.Column(db.Numeric(10, 2))
    product = db.relationship("Product")


class Product(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200))
    price = db.Column(db.Numeric(10, 2))
    tags = db.relationship("Tag", secondary=product_tags, lazy="selectin")


class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50))


class Role(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), unique=True)


class Outbox(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120))
    body = db.Column(db.Text)
    sent = db.Column(db.Boolean, default=False)
