"""Numbers that count up per key and day (queue numbers, queue tickets), safe when several gateways share a database.

One statement on the :class:`~siakgate.store.models.QueueCounter` row of (key, day)::

    INSERT INTO queue_counters (counter, day, last_number) VALUES (:key, :day, 1)
    ON CONFLICT (counter, day) DO UPDATE SET last_number = queue_counters.last_number + 1
    RETURNING last_number

On PostgreSQL the upsert takes the row lock of an existing counter, so concurrent transactions bump it one after
another; and the day's *first* number has no race (a read-then-insert would let two transactions insert, one of them
failing). On SQLite the unit of work already holds the single write lock. Both support ``ON CONFLICT ... RETURNING``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from siakgate.store.models import QueueCounter

__all__ = ["next_number"]


def next_number(session: Session, key: str, day: date) -> int:
    """The next number of ``key`` on ``day`` (1 for the first), in the caller's unit of work."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(QueueCounter)
        .values(counter=key, day=day, last_number=1)
        .on_conflict_do_update(
            index_elements=[QueueCounter.counter, QueueCounter.day],
            set_={"last_number": QueueCounter.last_number + 1},
        )
        .returning(QueueCounter.last_number)
    )
    number: int = session.execute(stmt).scalar_one()
    return number
