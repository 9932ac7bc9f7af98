from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from .config import ProductionConfig

app = Flask(__name__)
app.config.from_object(ProductionConfig)
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_timeout": 15, "pool_size": 10}
db = SQLAlchemy(app)


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)


@app.route("/posts")
def posts():
    return [p.id for p in Post.query.limit(10)]


@app.route("/rebuild")
def rebuild():
    db.session.execute(db.text("SELECT pg_advisory_lock(42)"))
    db.session.execute(db.select(Post).where(Post.id > 0))
    return "ok"
