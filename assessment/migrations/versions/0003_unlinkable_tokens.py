"""unlinkable tokens: a spent token is deleted, a submitted draft leaves a key marker

A personal token used to stay behind with used = true, updated in the same transaction
that stored the response (and its draft was stored under the token's hash), so the
transaction ids linked tokens to answers. Spent tokens are now deleted: the campaign
counts how many it issued (used = issued - remaining). Submitted resume keys are kept
in `submissions` so a retried submit is recognised.

Revision ID: 0003
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tokens_issued", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE campaigns SET tokens_issued = (SELECT count(*) FROM invitation_tokens "
        "WHERE invitation_tokens.campaign_id = campaigns.id)")
    # The used rows are the traces that linked tokens to responses: remove them.
    op.execute("DELETE FROM invitation_tokens WHERE used")
    with op.batch_alter_table("invitation_tokens", schema=None) as batch_op:
        batch_op.drop_column("used")
    op.create_table(
        "submissions",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_submissions_campaign_id_campaigns")),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_submissions")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_campaign_id"), ["campaign_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_campaign_id"))
    op.drop_table("submissions")
    with op.batch_alter_table("invitation_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("used", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("tokens_issued")
