from app.models import Parent


def child_counts(session):
    out = {}
    for p in session.query(Parent).all():
        out[p.name] = len(p.children)
    return out
