"""The floor of bench_submit.py: a bare Flask app whose one endpoint stores a row.

Served by the same gunicorn settings as the real app (gunicorn.conf.py), it measures the
least a database-backed request can cost on this machine: read a form body of a
response's size, INSERT one response-sized row (answers and scores as JSON, the profile
columns) over the same driver and pool settings, commit, answer a few bytes. No
templates, sessions, CSRF or ORM.

Run: FLOOR_DATABASE_URL=postgresql://... gunicorn -c gunicorn.conf.py \
         --pythonpath bench floor_app:app
"""

from __future__ import annotations

import datetime as dt
import json
import os

from flask import Flask, request
from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
)

from assessment.config import engine_options, sqlalchemy_url

metadata = MetaData()
floor_responses = Table(
    "bench_floor_responses", metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, nullable=False),
    Column("answers", JSON, nullable=False),
    Column("seniority", String(40)),
    Column("function", String(40)),
    Column("generation", String(40)),
    Column("country", String(10)),
    Column("locale", String(10), nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("index_score", Float),
    Column("scores", JSON, nullable=False),
)


def create_floor_table(url: str) -> None:
    """Create the floor's table at `url` when missing. The bench does it before gunicorn
    starts: two workers each creating it at once race, and the loser fails to boot."""
    url = sqlalchemy_url(url)
    engine = create_engine(url, **engine_options(url))
    metadata.create_all(engine)
    engine.dispose()


def create_floor_app(url: str) -> Flask:
    """The bare app on the database at `url` (see `create_floor_table`)."""
    url = sqlalchemy_url(url)
    engine = create_engine(url, **engine_options(url))
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    @app.post("/insert")
    def store() -> tuple[str, int]:
        answers = request.form.to_dict(flat=False)
        row = {"campaign_id": 1, "answers": answers, "seniority": "staff",
               "function": "it", "generation": "x", "country": "PL", "locale": "en",
               "submitted_on": dt.date.today(), "index_score": 50.0,
               "scores": {f"dimension_{i}": 50.0 + i for i in range(12)}}
        with engine.begin() as connection:
            connection.execute(insert(floor_responses), row)
        return json.dumps({"stored": True}), 201

    return app


# gunicorn's `floor_app:app`; the bench imports this module only for create_floor_table.
app = (create_floor_app(os.environ["FLOOR_DATABASE_URL"])
       if os.environ.get("FLOOR_DATABASE_URL") else None)
