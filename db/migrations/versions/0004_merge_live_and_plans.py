"""merge the two 0003 branches (live summaries, plans) into one head

Both revisions were written against 0002 in parallel; they touch different tables, so the
merge itself changes nothing. From here on there is exactly one head.

Revision ID: 0004_merge
Revises: 0003_live, 0003_plans
"""

revision = "0004_merge"
down_revision = ("0003_live", "0003_plans")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
