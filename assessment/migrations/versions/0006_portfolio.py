"""benchmark consent per organisation (recorded with who and when); comparison report jobs

Existing real organisations start outside the shared benchmark pool until someone who
runs them agrees (the privacy-preserving default); the synthetic demo pool and the demo
organisation `make run` opens a campaign in start inside it.

Revision ID: 0006
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

DEMO_ORGANISATION = "Demo organisation"


def upgrade():
    # Plain ADD COLUMN, not a batch: on SQLite a batch copies the table and drops the
    # old one, which the foreign keys of campaigns and memberships refuse.
    op.add_column("organisations", sa.Column("benchmark_consent", sa.Boolean(),
                                             server_default=sa.false(), nullable=False))
    op.add_column("organisations", sa.Column("benchmark_consent_at", sa.DateTime(),
                                             nullable=True))
    op.add_column("organisations", sa.Column("benchmark_consent_by", sa.Integer(),
                                             nullable=True))
    organisations = sa.table("organisations", sa.column("name", sa.String()),
                             sa.column("synthetic", sa.Boolean()),
                             sa.column("benchmark_consent", sa.Boolean()))
    op.execute(organisations.update()
               .where(sa.or_(organisations.c.synthetic.is_(True),
                             organisations.c.name == DEMO_ORGANISATION))
               .values(benchmark_consent=True))
    op.add_column("report_jobs", sa.Column("kind", sa.String(length=20),
                                           server_default="organisation", nullable=False))
    op.add_column("report_jobs", sa.Column("compared", sa.JSON(), nullable=True))


def downgrade():
    # SQLite (3.35 or newer) and PostgreSQL drop a column in place.
    op.execute("DELETE FROM report_jobs WHERE kind <> 'organisation'")
    for column in ("compared", "kind"):
        op.execute(f"ALTER TABLE report_jobs DROP COLUMN {column}")
    for column in ("benchmark_consent_by", "benchmark_consent_at", "benchmark_consent"):
        op.execute(f"ALTER TABLE organisations DROP COLUMN {column}")
