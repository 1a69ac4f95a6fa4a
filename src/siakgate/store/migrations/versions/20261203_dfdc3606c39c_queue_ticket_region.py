"""queue ticket region

Revision ID: dfdc3606c39c
Revises: 7c3d2e9a4f10
Create Date: 2026-12-03 14:00:00

* ``desk_queue_tickets.region_code``: the region of the office that handed the ticket out (the creating
  token's region prefix, or a region inside it). Existing tickets get ``''``: national, visible only to
  tokens without a region, since nobody recorded which office issued them.
* The unique key becomes (region_code, counter, day, number): every region's counter "A" numbers on its
  own. Existing tickets all share region ``''``, so they keep satisfying it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "dfdc3606c39c"
down_revision: str | Sequence[str] | None = "7c3d2e9a4f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("desk_queue_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=10), server_default="", nullable=False))
        batch_op.drop_constraint("uq_desk_queue_tickets_counter_day_number", type_="unique")
        batch_op.create_unique_constraint(
            "uq_desk_queue_tickets_region_counter_day_number", ["region_code", "counter", "day", "number"]
        )
    with op.batch_alter_table("desk_queue_tickets", schema=None) as batch_op:
        batch_op.alter_column("region_code", server_default=None, existing_type=sa.String(length=10))


def downgrade() -> None:
    # Regional numbering may have handed out one number in several regions: a downgrade refuses then
    # (the old unique key fails), rather than dropping tickets.
    with op.batch_alter_table("desk_queue_tickets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_desk_queue_tickets_region_counter_day_number", type_="unique")
        batch_op.create_unique_constraint("uq_desk_queue_tickets_counter_day_number", ["counter", "day", "number"])
        batch_op.drop_column("region_code")
