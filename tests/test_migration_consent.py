"""Migration 0006 on a database from before it: real organisations start outside the
shared benchmark pool until someone agrees; the synthetic demo pool and the demo
organisation start inside it; existing report jobs are organisation reports."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from assessment.extensions import db, init_migrations
from tests.faults import app_on


def test_upgrade_keeps_real_organisations_out_until_they_agree(tmp_path: Path) -> None:
    app = app_on(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with app.app_context():
        init_migrations(app)
        upgrade(revision="0004")
        for number, name, synthetic in ((1, "Acme", 0), (2, "Synthetic Retail Co 001", 1),
                                        (3, "Demo organisation", 0)):
            db.session.execute(text(
                "INSERT INTO organisations (id, name, sector, size_band, country, synthetic, "
                f"created_at) VALUES ({number}, '{name}', 'Retail', '50-249', 'PL', "  # noqa: S608
                f"{synthetic}, '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO campaigns (id, organisation_id, name, slug, questionnaire_key, "
            "questionnaire_version, opens_on, anonymity_threshold, mode, invited, "
            "data_version, created_at) VALUES (1, 1, 'C', 'abc', 'digiskills', 1, "
            "'2026-01-01', 5, 'open', 3, 0, '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO report_jobs (id, campaign_id, language, status, data_version, "
            "attempts, created_at, heartbeat_at) VALUES ('j', 1, 'en', 'done', 0, 1, "
            "'2026-01-01', '2026-01-01')"))
        db.session.commit()
        upgrade(revision="0006")
        consent = dict(db.session.execute(text(
            "SELECT name, benchmark_consent FROM organisations")).all())
        recorded = db.session.execute(text(
            "SELECT benchmark_consent_at, benchmark_consent_by FROM organisations")).all()
        kinds = db.session.execute(text("SELECT kind, compared FROM report_jobs")).all()
        db.session.commit()
        downgrade(revision="0004")  # and back, with the rows kept
        columns = [r[1] for r in db.session.execute(text("PRAGMA table_info(organisations)"))]
        names = db.session.execute(text("SELECT count(*) FROM organisations")).scalar()
        db.session.remove()
        db.engine.dispose()
    assert consent == {"Acme": 0, "Synthetic Retail Co 001": 1, "Demo organisation": 1}
    assert set(recorded) == {(None, None)}  # nobody has been asked yet
    assert kinds == [("organisation", None)]
    assert "benchmark_consent" not in columns and names == 3
