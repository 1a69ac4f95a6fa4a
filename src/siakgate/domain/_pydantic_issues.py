"""Turn a pydantic ``ValidationError`` into our issues, so type errors and business rules look alike
to callers.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from siakgate.domain.issues import IssueCode, issue
from siakgate.errors import DataIssue

__all__ = ["issues_from_validation_error", "plain_path"]

_KIND: dict[str, tuple[IssueCode, str]] = {
    "missing": (IssueCode.WAJIB_DIISI, "wajib diisi"),
    "enum": (IssueCode.KODE_TIDAK_DIKENAL, "memuat kode yang tidak dikenal"),
    "extra_forbidden": (IssueCode.ELEMEN_TIDAK_DIKENAL, "tidak dikenal"),
}
_DEFAULT = (IssueCode.FORMAT_TIDAK_VALID, "memiliki format yang tidak valid")


def plain_path(loc: tuple[int | str, ...]) -> str:
    """``("members", 2, "nik")`` -> ``"members[2].nik"``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def issues_from_validation_error(
    exc: ValidationError,
    *,
    path_of: Callable[[tuple[int | str, ...]], str] = plain_path,
) -> list[DataIssue]:
    """One issue per pydantic error. Messages name the element path, never the offending value (it
    may be a NIK).
    """
    found: list[DataIssue] = []
    for error in exc.errors(include_url=False, include_input=False):
        code, phrase = _KIND.get(error["type"], _DEFAULT)
        where = path_of(tuple(error["loc"]))
        found.append(issue(code, where, f"Elemen {where} {phrase}"))
    return found
