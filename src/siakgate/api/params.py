"""Bounded query and path parameter types shared by the routes.

Why bounds on every integer: an unbounded ``offset=9223372036854775808`` passes FastAPI's ``int``
check and then overflows the database driver (SQLite's ``OverflowError``), which used to be a 500. A
parameter that can never be meaningful past ``INT32_MAX`` (a row id, a page offset, an audit seq)
says so in the schema, so the request is refused as a 422 problem before any route runs.

Why a date parser of our own: pydantic's lax mode reads ``day=0`` as a Unix timestamp (1970-01-01).
A day in a query string is an ISO date (``YYYY-MM-DD``) between :data:`FIRST_DAY` and
:data:`LAST_DAY`, nothing else.

::

    offset: Offset = 0
    task_id: RowId
    day: Annotated[IsoDate | None, Query(description="...")] = None
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

__all__ = ["FIRST_DAY", "INT32_MAX", "LAST_DAY", "IsoDate", "Offset", "RowId", "Seq"]

INT32_MAX = 2**31 - 1
"""The largest id, seq or offset any route accepts (an ``INTEGER`` column on PostgreSQL)."""

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
"""The days a query may name: nothing the gateway stores is older, and nothing it plans is later."""

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` strings (or dates) inside [FIRST_DAY, LAST_DAY]; never a timestamp."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _ISO_DAY.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_parsing", "not a date (YYYY-MM-DD)") from None
    else:
        raise PydanticCustomError("date_parsing", "not a date (YYYY-MM-DD)")
    if not FIRST_DAY <= day <= LAST_DAY:
        bounds = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        raise PydanticCustomError("date_out_of_range", "outside {first}..{last}", bounds)
    return day


IsoDate = Annotated[date, BeforeValidator(_iso_day)]
"""An ISO calendar day (``YYYY-MM-DD``) between 2000-01-01 and 2099-12-31."""

Offset = Annotated[int, Query(ge=0, le=INT32_MAX, description="Rows to skip (paging)")]
"""A page offset."""

Seq = Annotated[int, Query(ge=0, le=INT32_MAX, description="Entries after this seq (paging)")]
"""An audit-trail seq to page after."""

RowId = Annotated[int, Path(ge=1, le=INT32_MAX)]
"""A numeric row id in a path."""
