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
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("benchmark_consent", sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("benchmark_consent_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("benchmark_consent_by", sa.Integer(), nullable=True))
    organisations = sa.table("organisations", sa.column("name", sa.String()),
                             sa.column("synthetic", sa.Boolean()),
                             sa.column("benchmark_consent", sa.Boolean()))
    op.execute(organisations.update()
               .where(sa.or_(organisations.c.synthetic.is_(True),
                             organisations.c.name == DEMO_ORGANISATION))
               .values(benchmark_consent=True))
    with op.batch_alter_table("report_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20),
                                      server_default="organisation", nullable=False))
        batch_op.add_column(sa.Column("compared", sa.JSON(), nullable=True))


def downgrade():
    op.execute("DELETE FROM report_jobs WHERE kind <> 'organisation'")
    with op.batch_alter_table("report_jobs", schema=None) as batch_op:
        batch_op.drop_column("compared")
        batch_op.drop_column("kind")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("benchmark_consent_by")
        batch_op.drop_column("benchmark_consent_at")
        batch_op.drop_column("benchmark_consent")
