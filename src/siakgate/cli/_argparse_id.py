"""argparse's own strings in Bahasa Indonesia ("penggunaan:", "opsi:", its error messages), for the command line only.

argparse looks every string it shows up through its module-level ``_`` / ``ngettext`` (``from gettext import
gettext as _``) *at the moment it uses it*: group titles and the ``-h`` help when a parser is built, ``usage:``
when help is printed, the error messages deep inside ``parse_args``. :func:`indonesian_argparse` swaps a
:class:`gettext.NullTranslations` of our own catalogue in for exactly that span and puts the original back on the
way out; :func:`siakgate.cli.main` (the composition root) wraps building and parsing in it. Nothing happens at
import, and other users of argparse in the same process (uvicorn, pytest) are untouched outside that span.

Why not a ``HelpFormatter``/``ArgumentParser`` subclass: the strings sit in some forty call sites, most of them
error messages built inside ``_parse_known_args`` and already formatted in English by the time ``error()``
sees them (a subclass would have to re-parse English), and a subclass does not reach a parser built elsewhere
(``siakgate demo`` builds its own). A string argparse adds in a later Python stays English until it is added
here; ``tests/cli/test_cli_bahasa.py`` walks every ``--help`` and fails on it.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["MESSAGES", "indonesian_argparse"]

MESSAGES: dict[str, str] = {
    "usage: ": "penggunaan: ",
    "options": "opsi",
    "optional arguments": "opsi",
    "positional arguments": "argumen",
    "subcommands": "perintah",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "show program's version number and exit": "tampilkan versi program lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: kesalahan: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "pilihan tidak valid: %(value)r (pilih dari %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "perintah tidak dikenal: %(parser_name)r "
    "(pilihan: %(choices)s)",
    "invalid %(type)s value: %(value)r": "nilai tidak valid (%(type)s): %(value)r",
    "expected one argument": "memerlukan satu nilai",
    "expected at most one argument": "paling banyak satu nilai",
    "expected at least one argument": "memerlukan paling sedikit satu nilai",
    "ambiguous option: %(option)s could match %(matches)s": "opsi ambigu: %(option)s bisa berarti %(matches)s",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
    "ignored explicit argument %r": "opsi ini tidak menerima nilai: %r",
    "one of the arguments %s is required": "salah satu argumen %s wajib diisi",
    "unexpected option string: %s": "opsi tidak terduga: %s",
    "can't open '%(filename)s': %(error)s": "tidak dapat membuka '%(filename)s': %(error)s",
    "cannot have multiple subparser arguments": "tidak boleh ada lebih dari satu kelompok perintah",
}
"""English msgid (as argparse spells it, Python 3.11) to Bahasa Indonesia."""

_PLURALS: dict[str, str] = {"expected %s argument": "memerlukan %s nilai"}


class _Indonesian(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return MESSAGES.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return _PLURALS.get(msgid1) or (msgid1 if n == 1 else msgid2)


@contextmanager
def indonesian_argparse() -> Iterator[None]:
    """argparse speaks Bahasa Indonesia inside the block (build the parser *and* parse inside it)."""
    translation = _Indonesian()
    saved = getattr(argparse, "_"), getattr(argparse, "ngettext")  # noqa: B009 - not declared by typeshed
    setattr(argparse, "_", translation.gettext)  # noqa: B010
    setattr(argparse, "ngettext", translation.ngettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010
