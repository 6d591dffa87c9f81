"""accounts: API tokens expire

Revision ID: 0006_token_expiry
Revises: 0007_insights

User tokens issued before this revision never expired; they get the default lifetime
(30 days) counted from when they were issued, so old forgotten tokens stop working at
once. Device tokens keep no expiry (they last until revoked).
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0006_token_expiry"
down_revision = "0007_insights"
branch_labels = None
depends_on = None

DEFAULT_TTL_DAYS = 30


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("id", sa.String), sa.column("kind", sa.String),
                      sa.column("created_at", sa.DateTime(timezone=True)),
                      sa.column("expires_at", sa.DateTime(timezone=True)))
    connection = op.get_bind()
    rows = connection.execute(sa.select(tokens.c.id, tokens.c.created_at)
                              .where(tokens.c.kind == "user")).all()
    for token_id, created_at in rows:
        connection.execute(tokens.update().where(tokens.c.id == token_id)
                           .values(expires_at=created_at + timedelta(days=DEFAULT_TTL_DAYS)))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
