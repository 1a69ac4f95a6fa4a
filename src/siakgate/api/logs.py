"""Structured logs: one JSON object per line, NIKs masked, the request id on every line.

Why stdlib ``logging`` and not a logging library: the library modules (``siakgate.siak``,
``siakgate.bsre``) already log through it; a formatter and a filter make their lines JSON too.

Masking is done twice on purpose. The request middleware masks what it writes itself (the path may
carry a NIK or a No. KK), and :class:`NikMaskFilter`, installed on the handler, masks any 16-digit
number in any line from any logger (a third-party library, a careless message) before it is written.
Bodies are never logged: they carry a family's personal data, and the sign request a passphrase.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from siakgate.api.context import current_request_id
from siakgate.domain import mask_nik

__all__ = ["JsonFormatter", "NikMaskFilter", "configure_logging", "mask_niks"]

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def mask_niks(text: str) -> str:
    """Every 16-digit number in ``text`` (a NIK or a No. KK) masked: ``3508********0001``."""
    return _SIXTEEN_DIGITS.sub(lambda match: mask_nik(match.group(0)), text)


class NikMaskFilter(logging.Filter):
    """Mask NIKs and No. KKs in the message, its arguments and any extra string field of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
            except (TypeError, ValueError):
                record.msg = str(record.msg)
            record.args = None
        record.msg = mask_niks(str(record.msg))
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, name, mask_niks(value))
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra fields}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRS and name not in entry:
                entry[name] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_niks(json.dumps(entry, ensure_ascii=False))


def configure_logging(level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every logger's records as masked JSON lines to ``stream`` (stderr); returns the handler.

    Called by ``siakgate serve`` (a process of its own), never at import or by ``create_app``, so tests
    and embedding applications keep their own logging.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(NikMaskFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own access log would print raw paths (with NIKs); the gateway writes its own.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return handler
