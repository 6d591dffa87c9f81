"""wall screen: room display tokens and members' wall-screen names (issue 13)

Revision ID: 0009_wall_display
Revises: 0008_session_changes
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_wall_display"
down_revision = "0008_session_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "display_tokens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("room_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("display_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_display_tokens_token_hash"), ["token_hash"],
                              unique=True)
        batch_op.create_index(batch_op.f("ix_display_tokens_room_id"), ["room_id"],
                              unique=False)
    op.create_table(
        "member_display_preferences",
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("nickname", sa.String(length=40), nullable=True),
        sa.Column("on_wall", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )


def downgrade() -> None:
    op.drop_table("member_display_preferences")
    with op.batch_alter_table("display_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_display_tokens_room_id"))
        batch_op.drop_index(batch_op.f("ix_display_tokens_token_hash"))
    op.drop_table("display_tokens")
