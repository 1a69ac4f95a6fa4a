"""archive renewal

Revision ID: 7c3d2e9a4f10
Revises: 5a1e7c0d9b21
Create Date: 2026-12-03 13:00:00

* ``archive_records.renew_at``: when an archival form of a signed KK needs a new document timestamp
  (existing signed KKs: due at once, so each gets its first archival B-LTA form);
* ``archive_records.renew_attempts`` / ``renew_error_code``: the renewer's failures and backoff.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3d2e9a4f10"
down_revision: str | Sequence[str] | None = "5a1e7c0d9b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("archive_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renew_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("renew_attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("renew_error_code", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_archive_renew", ["renew_at"], unique=False)
    op.execute("UPDATE archive_records SET renew_at = created_at WHERE kind = 'SIGNED_KK'")


def downgrade() -> None:
    with op.batch_alter_table("archive_records", schema=None) as batch_op:
        batch_op.drop_index("ix_archive_renew")
        batch_op.drop_column("renew_error_code")
        batch_op.drop_column("renew_attempts")
        batch_op.drop_column("renew_at")
