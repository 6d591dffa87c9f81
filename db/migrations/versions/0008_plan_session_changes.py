"""plan session changes suggested in a live class (issue 15)

Revision ID: 0008_session_changes
Revises: 0006_token_expiry
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_session_changes"
down_revision = "0006_token_expiry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_session_changes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("episode_key", sa.String(length=400), nullable=False),
        sa.Column("class_session_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("session_on", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("change_group", sa.String(length=200), nullable=False),
        sa.Column("exercise_id", sa.String(length=128), nullable=True),
        sa.Column("exercise_name", sa.String(length=200), nullable=True),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("modifications", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["workout_plans.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("episode_key"),
    )
    with op.batch_alter_table("plan_session_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_session_changes_class_session_id"),
                              ["class_session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_session_changes_member_id"),
                              ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_session_changes_plan_id"),
                              ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_session_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_session_changes_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_session_changes_member_id"))
        batch_op.drop_index(batch_op.f("ix_plan_session_changes_class_session_id"))
    op.drop_table("plan_session_changes")
