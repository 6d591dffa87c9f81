"""members' data: consent history, data access log, erasure receipts (issue 20)

Revision ID: 0010_privacy
Revises: 0009_wall_display
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_privacy"
down_revision = "0009_wall_display"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_consents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("choice", sa.String(length=40), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_member_consents_member_choice", "member_consents",
                    ["member_id", "choice", "recorded_at"], unique=False)
    op.create_table(
        "data_access_log",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.String(length=64), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("resource", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_data_access_log_member_at", "data_access_log", ["member_id", "at"],
                    unique=False)
    op.create_index(op.f("ix_data_access_log_at"), "data_access_log", ["at"], unique=False)
    op.create_table(
        "erasure_receipts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymous_id", sa.String(length=64), nullable=False),
        sa.Column("performed_by", sa.String(length=64), nullable=True),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("erasure_receipts")
    op.drop_index(op.f("ix_data_access_log_at"), table_name="data_access_log")
    op.drop_index("ix_data_access_log_member_at", table_name="data_access_log")
    op.drop_table("data_access_log")
    op.drop_index("ix_member_consents_member_choice", table_name="member_consents")
    op.drop_table("member_consents")
