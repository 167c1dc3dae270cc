"""campaign summaries: per campaign, the responses and per dimension the count, sum and
sum of squares of the scores, kept with the responses so the benchmark reads one row per
campaign and dimension

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign_summaries",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_campaign_summaries_campaign_id_campaigns")),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_summaries")),
    )
    op.create_table(
        "score_summaries",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("total_squares", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_score_summaries_campaign_id_campaigns")),
        sa.PrimaryKeyConstraint("campaign_id", "dimension", name=op.f("pk_score_summaries")),
    )
    # The answers stored so far, summed once (what `assessment db rebuild-summaries` does).
    op.execute(
        "INSERT INTO campaign_summaries (campaign_id, responses) "
        "SELECT campaign_id, count(*) FROM responses GROUP BY campaign_id"
    )
    op.execute(
        "INSERT INTO score_summaries (campaign_id, dimension, n, total, total_squares) "
        "SELECT campaign_id, dimension, count(score), sum(score), sum(score * score) "
        "FROM response_scores GROUP BY campaign_id, dimension"
    )


def downgrade():
    op.drop_table("score_summaries")
    op.drop_table("campaign_summaries")
