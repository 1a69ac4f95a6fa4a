"""The free-text policy (siakgate.domain.text): NFC, forbidden code points, SIAK's character sets."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kk_samples import FAMILY, TODAY
from pydantic import BaseModel, ValidationError

from siakgate.domain import InvalidFamilyError, parse_family
from siakgate.domain.text import Address, FreeText, MultilineText, PersonName, PlaceName, forbidden_in

BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
CONTROLS = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))]
FORBIDDEN = [*CONTROLS, *BIDI, *ZERO_WIDTH, "\u2028", "\u2029", "\ud800", "\ue000", "\ufdd0", "\uffff"]


class Form(BaseModel):
    name: PersonName | None = None
    place: PlaceName | None = None
    address: Address | None = None
    note: FreeText | None = None
    text: MultilineText | None = None


def refused(**field: str) -> bool:
    try:
        Form(**field)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors = exc.errors(include_input=False)
        assert {e["type"] for e in errors} == {"teks_tidak_valid"}
        assert all(next(iter(field)) == e["loc"][0] for e in errors)
        return True
    return False


_LATIN = st.characters(categories=["Lu", "Ll"], max_codepoint=0x024F, exclude_characters="ªºßĸŉſƀƁƂƃƄƅ").filter(
    lambda c: unicodedata.name(c, "").startswith("LATIN")
)
names = st.lists(st.text(_LATIN, min_size=1, max_size=12), min_size=1, max_size=4).map(" ".join)


@given(names, st.sampled_from(["", "'", ".", ",", "-"]))
def test_valid_names_come_back_in_nfc(name: str, punctuation: str) -> None:
    decomposed = unicodedata.normalize("NFD", name + punctuation)
    form = Form(name=decomposed)
    assert form.name == unicodedata.normalize("NFC", decomposed)
    assert Form(name=form.name).name == form.name


@given(st.text(max_size=30), st.sampled_from(FORBIDDEN), st.text(max_size=30))
def test_any_text_with_a_forbidden_code_point_is_refused_in_every_field(before: str, bad: str, after: str) -> None:
    text = before + bad + after
    assert forbidden_in(unicodedata.normalize("NFC", text))
    for field in ("name", "place", "address", "note"):
        assert refused(**{field: text}), field
    if bad not in ("\n", "\r"):
        assert refused(text=text)


@pytest.mark.parametrize("bad", ["\x00", "\u202e", "\u200b", "\ufeff", "\x85", "\t", "\u2028"])
@pytest.mark.parametrize("where", ["start", "end"])
def test_edge_characters_are_refused_not_stripped(bad: str, where: str) -> None:
    assert refused(name=bad + "BUDI" if where == "start" else "BUDI" + bad)


def test_multiline_text_keeps_line_feeds_and_turns_crlf_into_lf() -> None:
    assert Form(text="baris satu\r\nbaris dua\n").text == "baris satu\nbaris dua\n"
    assert refused(note="baris satu\nbaris dua")
    assert refused(text="baris\rsatu")


@pytest.mark.parametrize(
    "name", ["MOH. HOLIL", "MA'RUF AMIN", "SITI-AMINAH", "BUDI, S.H.", "JOSÉ MÜLLER", "NGUYỄN VĂN AN", "de vries"]
)
def test_names_siak_prints_are_accepted(name: str) -> None:
    assert Form(name=name).name == name


@pytest.mark.parametrize(
    "name", ["BUDI 2", "<script>", "BUDI <b>", "ΑΛΕΞΑΝΔΡΟΣ", "БОРИС", "张伟", "BUDI & ANI", "BUDI_SANTOSO", "...", "😀"]
)
def test_names_outside_siaks_character_set_are_refused(name: str) -> None:
    assert refused(name=name)


def test_places_and_addresses_allow_digits_and_slashes_but_not_html() -> None:
    assert Form(address="JL. MERDEKA NO. 5/B (BELAKANG PASAR)").address == "JL. MERDEKA NO. 5/B (BELAKANG PASAR)"
    assert Form(place="KRAJAN 2").place == "KRAJAN 2"
    assert refused(address="JL. <img src=x>")
    assert refused(place="DUSUN #3")


def test_free_text_allows_punctuation_but_no_html_tags() -> None:
    assert Form(note="Umur < 17 & belum kawin: 100%?").note == "Umur < 17 & belum kawin: 100%?"
    for bad in ("<script>alert(1)</script>", "lihat <a href=x>", "</b>", "<!-- x -->"):
        assert refused(note=bad)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("members.0.full_name", "BUDI\x00SANTOSO"),
        ("members.1.father_name", "AYAH\u202eUJI"),
        ("members.2.birth_place", "LUMA\u200bJANG"),
        ("head_name", "BUDI <b>"),
        ("address", "JL. MERDEKA\nNO. 1"),
        ("dusun", "KRAJAN\x07"),
    ],
)
def test_the_family_model_refuses_bad_text_without_quoting_it(path: str, value: str) -> None:
    data = FAMILY.model_dump()
    target: dict[str, object] = data
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]  # type: ignore[index]
    target[last] = value
    with pytest.raises(InvalidFamilyError) as info:
        parse_family(data)
    issues = info.value.issues
    expected = path.replace(".0.", "[0].").replace(".1.", "[1].").replace(".2.", "[2].")
    assert [(i.code, i.path) for i in issues] == [("TEKS_TIDAK_VALID", expected)]
    assert value not in issues[0].message


def test_an_unknown_family_key_is_not_echoed() -> None:
    data = FAMILY.model_dump()
    data["3508121205850002"] = "x"
    data["members"][0]["3508121205850003"] = "x"
    with pytest.raises(InvalidFamilyError) as info:
        parse_family(data)
    found = {(i.code, i.path) for i in info.value.issues}
    assert found == {("ELEMEN_TIDAK_DIKENAL", "keluarga"), ("ELEMEN_TIDAK_DIKENAL", "members[0]")}
    assert "35081212058500" not in repr([(i.path, i.message) for i in info.value.issues])


def test_the_family_model_stores_names_in_nfc() -> None:
    data = FAMILY.model_dump()
    data["members"][1]["father_name"] = "MA'RUF D'ARCY-E\u0301TIENNE, S.H."
    kk = parse_family(data, today=TODAY)
    assert kk.members[1].father_name == "MA'RUF D'ARCY-\u00c9TIENNE, S.H."
