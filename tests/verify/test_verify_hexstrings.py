"""The verifier's hex string reader gives pyHanko's result, error and stream position on any input."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from siakgate.verify import _hexstrings

PYHANKO = _hexstrings._PYHANKO_READER
ALPHABET = list(b"0123456789abcdefABCDEF \n\r\t\f\x00") + list(b"%>g<(")


def outcome(reader: Any, data: bytes, at: int) -> tuple[object, ...]:
    stream = BytesIO(data)
    stream.seek(at)
    try:
        value = reader(stream)
    except Exception as exc:  # pyHanko's PdfStreamError and friends: the same kind and text
        return ("error", type(exc), str(exc), stream.tell())
    return ("value", type(value), bytes(value.original_bytes), stream.tell())


def same(data: bytes, at: int = 0) -> None:
    assert outcome(_hexstrings.read_hex_string, data, at) == outcome(PYHANKO, data, at)


@settings(max_examples=400, deadline=None)
@given(
    prefix=st.binary(max_size=8),
    body=st.lists(st.sampled_from(ALPHABET), max_size=80).map(bytes),
    tail=st.binary(max_size=8),
)
def test_same_as_pyhanko_on_generated_input(prefix: bytes, body: bytes, tail: bytes) -> None:
    same(prefix + b"<" + body + tail, at=len(prefix))


@settings(max_examples=30, deadline=None)
@given(size=st.integers(min_value=200, max_value=5000), odd=st.booleans(), spaced=st.booleans())
def test_same_as_pyhanko_past_the_first_chunks(size: int, odd: bool, spaced: bool) -> None:
    digits = (b"30820a1b" * size)[: size * 2 - odd]
    if spaced:
        digits = b"\n".join(digits[i : i + 64] for i in range(0, len(digits), 64))
    same(b"<" + digits + b"> /Type /Sig >>")
    same(b"<" + digits)  # no ">": pyHanko's error
    same(b"<" + digits[:100] + b"%comment\n" + digits[100:] + b">")


def test_install_and_uninstall() -> None:
    original = generic.read_hex_string_from_stream
    try:
        _hexstrings.install()
        _hexstrings.install()
        assert _hexstrings.installed()
        assert generic.read_hex_string_from_stream is _hexstrings.read_hex_string
        _hexstrings.uninstall()
        assert generic.read_hex_string_from_stream is PYHANKO
    finally:
        generic.read_hex_string_from_stream = original
