"""real-time class insights: one row per member per minute, and one per alert

Revision ID: 0007_insights
Revises: 0005_timetable_feedback_leave
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_insights"
down_revision = "0005_timetable_feedback_leave"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "real_time_class_insights",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("class_session_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("real_time_class_insights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_real_time_class_insights_class_session_id"),
                              ["class_session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_real_time_class_insights_member_id"),
                              ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_real_time_class_insights_created_at"),
                              ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("real_time_class_insights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_real_time_class_insights_created_at"))
        batch_op.drop_index(batch_op.f("ix_real_time_class_insights_member_id"))
        batch_op.drop_index(batch_op.f("ix_real_time_class_insights_class_session_id"))
    op.drop_table("real_time_class_insights")
