"""A faster reader for PDF hex strings, for pyHanko's parser: the same result, or pyHanko's own reader.

A signature's ``/Contents`` is a hex string of 16 to 64 KB (the CMS, padded with zeros), and pyHanko reads
hex strings one byte at a time through generator calls: about half the CPU of verifying a KK goes there.
:func:`read_hex_string` reads the string in growing chunks and decodes it with one ``unhexlify``, when it is
the plain case: hex digits and PDF whitespace up to the first ``>``. Anything else (a comment, a stray
character, a string that runs to the end of the file) goes back to pyHanko's reader from the same position,
so the result, the error and where the stream is left are pyHanko's own in every case
(``tests/verify/test_verify_hexstrings.py`` compares the two with generated inputs).

:func:`install` puts it in place of ``pyhanko.pdf_utils.generic.read_hex_string_from_stream``, which is where
pyHanko's object parser looks it up at each call. That changes a library's module for the whole process,
so it is done on purpose, by the verifier (:class:`~siakgate.verify.Verifier`), never by importing this
module; :func:`uninstall` undoes it.
"""

from __future__ import annotations

import binascii
import re
from typing import IO, Any

from pyhanko.pdf_utils import generic

__all__ = ["install", "installed", "read_hex_string", "uninstall"]

_PYHANKO_READER = generic.read_hex_string_from_stream
_PLAIN = re.compile(rb"[0-9A-Fa-f \n\r\t\f\x00]*")
"""Hex digits and PDF whitespace (pyHanko's ``PDF_WHITESPACE``): no comment, nothing else."""
_WHITESPACE = re.compile(rb"[ \n\r\t\f\x00]+")
_FIRST_CHUNK = 256


def read_hex_string(stream: IO[bytes]) -> Any:
    """What ``pyhanko.pdf_utils.generic.read_hex_string_from_stream(stream)`` returns, at the ``<`` of ``stream``."""
    start = stream.tell()
    stream.read(1)  # the "<"
    chunks: list[bytes] = []
    size = _FIRST_CHUNK
    while True:
        chunk = stream.read(size)
        if not chunk:  # no ">" before the end: pyHanko's error
            break
        end = chunk.find(b">")
        if end < 0:
            chunks.append(chunk)
            size *= 2
            continue
        chunks.append(chunk[:end])
        body = b"".join(chunks)
        if _PLAIN.fullmatch(body) is None:  # a comment or a stray character: pyHanko's reading or error
            break
        stream.seek(start + 1 + len(body) + 1)  # just after the ">", as pyHanko leaves it
        digits = _WHITESPACE.sub(b"", body)
        if len(digits) % 2:
            digits += b"0"
        return generic.pdf_string(binascii.unhexlify(digits))
    stream.seek(start)
    return _PYHANKO_READER(stream)


def install() -> None:
    """Make pyHanko's object parser read hex strings with :func:`read_hex_string` (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string


def uninstall() -> None:
    """Give pyHanko its own reader back."""
    generic.read_hex_string_from_stream = _PYHANKO_READER


def installed() -> bool:
    return generic.read_hex_string_from_stream is read_hex_string
