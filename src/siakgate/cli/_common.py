"""What every ``siakgate`` command shares: exit codes, messages, and the one way to open the gateway's state.

A command that needs the database opens it with :func:`open_state`: the settings from ``SIAKGATE_*``,
the database migrated to the newest schema, and the command's :class:`~siakgate.clock.Clock` (built
once, by :func:`siakgate.cli.main`); the database is disposed on the way out, whatever happened.

Exit codes: 0 done / valid, 1 a result that is "no" (invalid signature, signing refused, a broken audit
chain, a bad archive copy), 2 the command cannot run as asked (:class:`UsageProblem`), 3 no answer yet: a
verdict that needs a service out of reach (``verify`` when revocation information cannot be had); try later;
130 stopped by Ctrl-C (a many-file run first says what it finished). Ctrl-D at a prompt is exit 2:
nothing was entered, the command cannot run (:func:`ask_secret`).
Messages for people are in Bahasa Indonesia, on stderr, after ``siakgate:``; stdout carries only the result.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from siakgate.clock import Clock
from siakgate.errors import SiakgateError

if TYPE_CHECKING:
    from siakgate.config import Settings
    from siakgate.store.db import Database

__all__ = [
    "EXIT_CANCELLED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_TRY_LATER",
    "EXIT_UNUSABLE",
    "State",
    "UsageProblem",
    "ask_secret",
    "error",
    "load_settings",
    "open_state",
    "read_input",
    "trust_roots",
    "whole_number",
]

EXIT_OK, EXIT_INVALID, EXIT_UNUSABLE, EXIT_TRY_LATER = 0, 1, 2, 3
EXIT_CANCELLED = 130
"""Ctrl-C (128 + SIGINT), as a shell reports a command it interrupted."""


class UsageProblem(Exception):
    """The command cannot run as asked (options, files, settings, database): exit 2 with this message.

    Deliberately not a :class:`~siakgate.errors.SiakgateError`: it is the command line's own signal,
    raised only here, and a command that answers a library refusal with exit 1 (``except SiakgateError``)
    must not swallow it.
    """


def error(message: str) -> None:
    """A message for people, on stderr."""
    print(f"siakgate: {message}", file=sys.stderr)


def whole_number(text: str) -> int:
    """An option's count or port (``type=whole_number``): a whole number, 0 or more, said in Indonesian if not."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bukan bilangan bulat: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"tidak boleh negatif: {text!r}")
    return value


def ask_secret(prompt: str, what: str) -> str:
    """A secret typed on the terminal (not echoed); Ctrl-D (end of input) is a :class:`UsageProblem`.

    ``what`` names the secret in the message: ``Dibatalkan: passphrase tidak dimasukkan.`` (exit 2, no
    ``EOFError`` traceback). Ctrl-C propagates: :func:`siakgate.cli.main` answers it with exit 130.
    """
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise UsageProblem(f"Dibatalkan: {what} tidak dimasukkan.") from None


def load_settings() -> Settings:
    """``Settings()`` from ``SIAKGATE_*`` (and ``.env``); a refused setting is a :class:`UsageProblem`."""
    from pydantic import ValidationError

    from siakgate.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise UsageProblem(f"konfigurasi SIAKGATE_* tidak valid: {exc.errors()[0]['msg']}") from exc


def read_input(path: Path) -> bytes:
    """The bytes of a file named on the command line; a missing or unreadable one is a :class:`UsageProblem`."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UsageProblem(f"berkas tidak ditemukan: {path}") from exc
    except OSError as exc:
        raise UsageProblem(f"berkas tidak dapat dibaca: {path} ({exc.strerror})") from exc


def trust_roots(paths: Sequence[Path] | None) -> list[bytes]:
    """The roots named by ``--trust-root`` (PEM or DER), or the settings' when none is named."""
    from siakgate.verify import load_certificates

    if not paths:
        return load_settings().trust_root_ders()
    roots = []
    for path in paths:
        try:
            roots += load_certificates(read_input(path))
        except ValueError as exc:
            raise UsageProblem(f"akar terpercaya bukan sertifikat X.509: {path}") from exc
    return roots


class State(NamedTuple):
    """What :func:`open_state` yields (unpack it: ``with open_state(clock) as (settings, db, clock):``)."""

    settings: Settings
    db: Database
    clock: Clock


@contextmanager
def open_state(clock: Clock, *, settings: Settings | None = None, migrate: bool = True) -> Iterator[State]:
    """The settings, the database (migrated unless ``migrate`` is false) and ``clock``; disposed on exit.

    ``settings``: already loaded ones (a command that checks them before touching the database); by
    default :func:`load_settings`. A :class:`~siakgate.errors.SiakgateError` raised while the state is open,
    by the migration or by the command (an unknown profile, a duplicate token, a database that cannot
    be reached), becomes a :class:`UsageProblem` with its message: the command cannot do what was asked.
    """
    from siakgate.store.db import Database

    settings = settings if settings is not None else load_settings()
    db = Database.create(settings.database_url)
    try:
        if migrate:
            db.migrate()
        yield State(settings, db, clock)
    except SiakgateError as exc:
        raise UsageProblem(exc.message) from exc
    finally:
        db.dispose()
