"""One input policy for free text: what a name, a place, an address or a note may contain.

Why: a NUL in a name made SIAK's XML refuse the data entry twelve times before the job gave up, and
control characters, bidi overrides and zero-width characters make a name print, sort and compare
differently from how it reads. Every free-text field of the API and of the KK model uses one of the
types below, so nothing else ever has to clean text again.

The policy, applied in this order:

1. **NFC.** Text is normalised to Unicode NFC (``"E\\u0301"`` becomes ``"\\u00c9"``), so the same
   name is stored and compared as the same code points.
2. **Refused everywhere** (:func:`forbidden_in`): C0 and C1 control characters, NUL and DEL
   (category ``Cc``), every format character (``Cf``: the bidi marks, embeddings, overrides and
   isolates U+200E/U+200F, U+202A-U+202E, U+2066-U+2069, the zero-width characters
   U+200B-U+200D, U+2060, U+FEFF, soft hyphen, tag characters), surrogates (``Cs``), private-use
   characters (``Co``), the line and paragraph separators U+2028/U+2029 and the noncharacters
   (U+FDD0-U+FDEF, U+xxFFFE/U+xxFFFF, which XML does not allow). The one exception: a line feed
   in multi-line text (:data:`MultilineText`); a CR LF pair is first turned into a line feed.
3. **Character set** for what SIAK stores and prints on the KK (upper-case Latin text):

   * :data:`PersonName` (Nama Lengkap, Ayah, Ibu, Kepala Keluarga, complainant): Latin letters,
     with diacritics (``É``, ``Ñ``, ``Ö``), space, apostrophe ``'``, period, comma and hyphen
     (``MOH. HOLIL``, ``MA'RUF``, ``SITI-AMINAH``, ``BUDI, S.H.``). No digits, no ``<``/``>``; at
     least one letter.
   * :data:`PlaceName` (Tempat Lahir, Dusun, Desa/Kelurahan, Kecamatan, Kabupaten/Kota, Provinsi)
     and :data:`Address` (Alamat): the name set plus digits, ``/``, ``(`` and ``)``
     (``JL. MERDEKA NO. 5/B``, ``KRAJAN 2``). At least one letter or digit.
   * :data:`FreeText` (reasons, notes, subjects) and :data:`MultilineText` (complaint
     descriptions, follow-ups): any other printable character, but no HTML tag (``<`` directly
     followed by a letter, ``/``, ``!`` or ``?``).

Lengths are not part of these types: each field keeps its own limit (``Field(max_length=...)`` in the
API; the KK's limits, 100 for names and places and 200 for the address, are business rules checked
with their own messages in :mod:`siakgate.domain.validation`).

A refusal is a pydantic error of type ``teks_tidak_valid`` (code ``TEKS_TIDAK_VALID``) whose message
names what kind of character is wrong and never quotes the input (it may carry personal data).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

__all__ = [
    "TEXT_ERROR_TYPE",
    "Address",
    "FreeText",
    "MultilineText",
    "PersonName",
    "PlaceName",
    "TextPolicyError",
    "clean_text",
    "forbidden_in",
]

TEXT_ERROR_TYPE = "teks_tidak_valid"
"""The pydantic error type of a refusal; its code, upper-cased, is ``TEKS_TIDAK_VALID``."""

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_NAME_PUNCTUATION = frozenset(" '.,-")
_PLACE_PUNCTUATION = _NAME_PUNCTUATION | frozenset("/()")
_HTML_TAG = re.compile(r"<[A-Za-z/!?]")


class TextPolicyError(ValueError):
    """Text refused by the policy; ``reason`` is a short Indonesian phrase that never quotes the text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def forbidden_in(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds a code point refused in every kind of text (step 2 of the policy)."""
    for char in text:
        if char == "\n" and multiline:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES or _noncharacter(ord(char)):
            return True
    return False


def _latin_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN ")


def _name_chars(text: str) -> bool:
    return any(_latin_letter(c) for c in text) and all(_latin_letter(c) or c in _NAME_PUNCTUATION for c in text)


def _place_chars(text: str) -> bool:
    def allowed(c: str) -> bool:
        return _latin_letter(c) or ("0" <= c <= "9") or c in _PLACE_PUNCTUATION

    return any(_latin_letter(c) or ("0" <= c <= "9") for c in text) and all(allowed(c) for c in text)


def clean_text(text: str, *, kind: str = "free", multiline: bool = False) -> str:
    """Apply the policy to ``text``: return it in NFC, or raise :class:`TextPolicyError`.

    ``kind`` is ``"name"``, ``"place"`` (places and addresses) or ``"free"``. For callers outside
    pydantic models (web forms, the workflow's reasons); the types below call it too.
    """
    if multiline:
        text = text.replace("\r\n", "\n")
    text = unicodedata.normalize("NFC", text)
    if forbidden_in(text, multiline=multiline):
        raise TextPolicyError("memuat karakter kontrol, format atau tak terlihat yang tidak diizinkan")
    if kind == "name" and text.strip() and not _name_chars(text):
        raise TextPolicyError("hanya boleh berisi huruf Latin, spasi, apostrof, titik, koma dan tanda hubung")
    if kind == "place" and text.strip() and not _place_chars(text):
        raise TextPolicyError("hanya boleh berisi huruf Latin, angka, spasi dan tanda . , ' - / ( )")
    if kind == "free" and _HTML_TAG.search(text):
        raise TextPolicyError("tidak boleh memuat tag HTML")
    return text


def _validator(kind: str, *, multiline: bool = False) -> Callable[[object], object]:
    def validate(value: object) -> object:
        if not isinstance(value, str):
            return value  # the str schema reports the wrong type
        try:
            return clean_text(value, kind=kind, multiline=multiline)
        except TextPolicyError as exc:
            raise PydanticCustomError(TEXT_ERROR_TYPE, "Teks {reason}", {"reason": exc.reason}) from None

    return validate


# The checks run *before* the str schema: ``str_strip_whitespace`` would otherwise quietly drop a
# trailing control character (``str.strip`` removes some of them) instead of refusing it.
PersonName = Annotated[str, BeforeValidator(_validator("name"))]
"""A person's name (see the module docstring for the character set)."""

PlaceName = Annotated[str, BeforeValidator(_validator("place"))]
"""A place or region name: Tempat Lahir, Dusun, Desa/Kelurahan, Kecamatan, Kabupaten/Kota, Provinsi."""

Address = Annotated[str, BeforeValidator(_validator("place"))]
"""A street address (Alamat): the same characters as a place name."""

FreeText = Annotated[str, BeforeValidator(_validator("free"))]
"""One line of free text: a reason, a note, a subject."""

MultilineText = Annotated[str, BeforeValidator(_validator("free", multiline=True))]
"""Free text that may span lines (line feeds only): a complaint's description, a follow-up."""
