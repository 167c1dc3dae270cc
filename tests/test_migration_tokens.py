"""Migration 0003 on a database from before it: the used-token rows that linked tokens to
responses are removed, the campaign keeps the count it issued, unused tokens still work."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from assessment.extensions import db, init_migrations
from tests.faults import app_on


def test_upgrade_removes_used_tokens_and_keeps_the_count(tmp_path: Path) -> None:
    app = app_on(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with app.app_context():
        init_migrations(app)
        upgrade(revision="0002")
        db.session.execute(text(
            "INSERT INTO organisations (id, name, sector, size_band, country, synthetic, "
            "created_at) VALUES (1, 'Acme', 'Retail', '50-249', 'PL', 0, '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO campaigns (id, organisation_id, name, slug, questionnaire_key, "
            "questionnaire_version, opens_on, anonymity_threshold, mode, invited, "
            "data_version, created_at) VALUES (1, 1, 'C', 'abc', 'digiskills', 1, "
            "'2026-01-01', 5, 'token', 3, 0, '2026-01-01')"))
        for number, used in ((1, 1), (2, 0), (3, 1)):
            db.session.execute(text(
                "INSERT INTO invitation_tokens (id, campaign_id, token_hash, used) "
                f"VALUES ({number}, 1, '{number:064d}', {used})"))  # noqa: S608
        db.session.commit()
        upgrade(revision="0003")
        left = db.session.execute(text("SELECT token_hash FROM invitation_tokens")).all()
        issued = db.session.execute(text("SELECT tokens_issued FROM campaigns")).scalar()
        columns = [r[1] for r in db.session.execute(text("PRAGMA table_info(invitation_tokens)"))]
        db.session.remove()
        db.engine.dispose()
    assert left == [(f"{2:064d}",)]
    assert issued == 3 and "used" not in columns
