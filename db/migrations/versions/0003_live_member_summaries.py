"""live: per-member post-class summaries (member reads, history for personal bests)

Revision ID: 0003_live
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_live"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_class_summaries",
        sa.Column("class_session_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("class_session_id", "member_id"),
    )
    with op.batch_alter_table("member_class_summaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_class_summaries_member_id"),
                              ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("member_class_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_class_summaries_member_id"))
    op.drop_table("member_class_summaries")
