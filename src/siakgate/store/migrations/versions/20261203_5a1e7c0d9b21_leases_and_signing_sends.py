"""leases and signing sends

Revision ID: 5a1e7c0d9b21
Revises: d94bf0009280
Create Date: 2026-12-03 10:30:00

* ``applications.entry_round``: the round whose data SIAK holds; the data entry's client request id
  follows it, so an administrator's retry reuses the first request id (existing rows: their round).
* ``signing_batches.locked_by``: the fencing token of the sign call holding the batch.
* ``signing_sends``: every document handed to the signing service, written before it is sent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a1e7c0d9b21"
down_revision: str | Sequence[str] | None = "d94bf0009280"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_round", sa.Integer(), server_default="0", nullable=False))
    op.execute("UPDATE applications SET entry_round = round")
    with op.batch_alter_table("signing_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_by", sa.String(length=100), nullable=True))
    op.create_table(
        "signing_sends",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(length=26), nullable=False),
        sa.Column("application_id", sa.String(length=26), nullable=False),
        sa.Column("lease_token", sa.String(length=100), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("signed_sha256", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_signing_sends_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["signing_batches.id"], name=op.f("fk_signing_sends_batch_id_signing_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_sends")),
    )
    with op.batch_alter_table("signing_sends", schema=None) as batch_op:
        batch_op.create_index("ix_signing_sends_app", ["application_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signing_sends", schema=None) as batch_op:
        batch_op.drop_index("ix_signing_sends_app")
    op.drop_table("signing_sends")
    with op.batch_alter_table("signing_batches", schema=None) as batch_op:
        batch_op.drop_column("locked_by")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("entry_round")
