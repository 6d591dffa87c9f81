"""timetable: members' class ratings, trainers' leave, lookahead proposals

Revision ID: 0005_timetable_feedback_leave
Revises: 0004_merge
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_timetable_feedback_leave"
down_revision = "0004_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "class_feedback",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("class_session_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("time_unsuitable", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["class_session_id"], ["class_sessions.id"],
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("class_session_id", "member_id"),
    )
    op.create_index("ix_class_feedback_class_session_id", "class_feedback",
                    ["class_session_id"])
    op.create_index("ix_class_feedback_member_id", "class_feedback", ["member_id"])
    op.create_table(
        "trainer_leave",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("trainer_id", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["trainer_id"], ["trainers.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_trainer_leave_trainer_id", "trainer_leave", ["trainer_id"])
    op.create_table(
        "schedule_proposals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("class_session_id", sa.String(length=64), nullable=False),
        sa.Column("leave_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["class_session_id"], ["class_sessions.id"],
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["leave_id"], ["trainer_leave.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_schedule_proposals_class_session_id", "schedule_proposals",
                    ["class_session_id"])


def downgrade() -> None:
    op.drop_index("ix_schedule_proposals_class_session_id", table_name="schedule_proposals")
    op.drop_table("schedule_proposals")
    op.drop_index("ix_trainer_leave_trainer_id", table_name="trainer_leave")
    op.drop_table("trainer_leave")
    op.drop_index("ix_class_feedback_member_id", table_name="class_feedback")
    op.drop_index("ix_class_feedback_class_session_id", table_name="class_feedback")
    op.drop_table("class_feedback")
