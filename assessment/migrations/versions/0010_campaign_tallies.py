"""campaign tallies: the pool's figures read per-organisation counts and sums, kept per
campaign data version, instead of every response

Revision ID: 0010
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign_tallies",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.String(length=64), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("tallies", sa.LargeBinary(), nullable=False),
        sa.Column("cells", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_campaign_tallies_campaign_id_campaigns"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id", "plan", name=op.f("pk_campaign_tallies")),
    )


def downgrade():
    op.drop_table("campaign_tallies")
