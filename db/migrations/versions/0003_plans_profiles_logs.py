"""plans: member profiles, where a logged set was done and whether it was applied,
pain areas of check-ins, adaptation history of plans

Revision ID: 0003_plans
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_plans"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_profiles",
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("member_id"),
    )
    with op.batch_alter_table("workout_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("week", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pain", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("poor_form", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_workout_logs_plan_id", ["plan_id"], unique=False)
    with op.batch_alter_table("readiness_checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pain_areas", sa.JSON(), nullable=False,
                                      server_default="[]"))
    with op.batch_alter_table("workout_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adaptations", sa.JSON(), nullable=False,
                                      server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("workout_plans", schema=None) as batch_op:
        batch_op.drop_column("adaptations")
    with op.batch_alter_table("readiness_checkins", schema=None) as batch_op:
        batch_op.drop_column("pain_areas")
    with op.batch_alter_table("workout_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_workout_logs_plan_id")
        batch_op.drop_column("applied_at")
        batch_op.drop_column("poor_form")
        batch_op.drop_column("pain")
        batch_op.drop_column("day")
        batch_op.drop_column("week")
    op.drop_table("member_profiles")
