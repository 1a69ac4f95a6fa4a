"""Keep NIKs out of httpx's request log lines.

BSrE's v1 ``GET /api/user/status/{nik}`` puts a NIK in the URL path, and httpx logs every request
URL (``HTTP Request: GET http://.../3508011205720001 "HTTP/1.1 200 OK"``) at INFO. Passphrases and
OTPs never reach a URL (they travel in bodies), but a NIK would. This filter masks any 16-digit
run in the records of the ``httpx`` logger to ``3508********0001``; it is installed once, when a
:class:`~siakgate.bsre.BsreClient` is made.
"""

from __future__ import annotations

import logging
import re

__all__ = ["NikMaskingFilter", "install_httpx_nik_filter", "mask_nik"]

_NIK = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def mask_nik(text: str) -> str:
    """Every 16-digit run in ``text`` as ``dddd********dddd``."""
    return _NIK.sub(r"\1********\2", text)


class NikMaskingFilter(logging.Filter):
    """Rewrites a record's message so that no full NIK remains (never drops the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_nik(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def install_httpx_nik_filter() -> None:
    """Add the filter to the ``httpx`` logger unless it is already there (idempotent)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, NikMaskingFilter) for f in logger.filters):
        logger.addFilter(NikMaskingFilter())
