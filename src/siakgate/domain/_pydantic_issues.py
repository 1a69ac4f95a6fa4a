"""Turn a pydantic ``ValidationError`` into our issues, so type errors and business rules look alike
to callers.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from siakgate.domain.issues import IssueCode, issue
from siakgate.domain.text import TEXT_ERROR_TYPE
from siakgate.errors import DataIssue

__all__ = ["issues_from_validation_error", "plain_path"]

_KIND: dict[str, tuple[IssueCode, str]] = {
    "missing": (IssueCode.WAJIB_DIISI, "wajib diisi"),
    "enum": (IssueCode.KODE_TIDAK_DIKENAL, "memuat kode yang tidak dikenal"),
    "extra_forbidden": (IssueCode.ELEMEN_TIDAK_DIKENAL, "memuat elemen yang tidak dikenal"),
    TEXT_ERROR_TYPE: (IssueCode.TEKS_TIDAK_VALID, "memuat karakter yang tidak diizinkan"),
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
    may be a NIK). An unknown element is reported at its parent's path: its key is not ours to
    echo either (a NIK sent as a key would come back verbatim).
    """
    found: list[DataIssue] = []
    for error in exc.errors(include_url=False, include_input=False):
        code, phrase = _KIND.get(error["type"], _DEFAULT)
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            loc = loc[:-1]
        where = path_of(loc)
        found.append(
            issue(code, where or "keluarga", f"Elemen {where} {phrase}" if where else f"Data keluarga {phrase}")
        )
    return found
