"""Bare endpoints that show the ceiling of the serving stack, for `make bench` only.

create_app registers this blueprint only when the BENCH_ENDPOINTS setting is true. Each
endpoint runs through the same Flask app, extensions, database engine and security
headers as the real pages, but does the least work of its kind, so a real endpoint's
throughput can be read as a share of what the stack allows.

The bench_row table belongs to the benchmark, not to the application's models: it is
not in the migrations, and bench/run.py creates it in its scratch databases.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, request

from pastid.database import UTCDateTime
from pastid.extensions import csrf, db
from pastid.timeutil import now_utc

bp = Blueprint("bench", __name__, url_prefix="/bench")

bench_row = sa.Table(
    "bench_row", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("note", sa.String(40), nullable=False),
)


def create_bench_table(connection):
    """Create the bench_row table through connection (or an engine), unless it exists."""
    bench_row.create(connection, checkfirst=True)


@bp.get("/hello")
def hello():
    """Return a fixed text without touching the database."""
    return "hello"


@bp.get("/read")
def read():
    """Return one bench_row, looked up by primary key (?id=N): one indexed read."""
    row_id = request.args.get("id", "1")
    if not row_id.isdigit():
        abort(400)
    note = db.session.scalar(sa.select(bench_row.c.note).where(bench_row.c.id == int(row_id)))
    if note is None:
        abort(404)
    return note


@bp.post("/insert")
@csrf.exempt
def insert():
    """Insert one bench_row and commit: the write ceiling of the stack."""
    db.session.execute(bench_row.insert().values(created_at=now_utc(), note="bench"))
    db.session.commit()
    return "inserted", 201
