"""The KK mock SIAK renders, fit for the archive: embedded fonts, its title, the PDF/A-2b parts.

See ``tests/archive_pdf_kit.py`` for what is judged by poppler and why no PDF/A validator runs.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from archive_pdf_kit import assert_info_matches_xmp, font_rows, info_field, needs_poppler, xmp_properties
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from mock_siak.draft_pdf import DRAFT_TITLE, KK_TITLE, render_draft_kk
from mock_siak.population import generate_population


@pytest.fixture(scope="module")
def family() -> dict[str, Any]:
    return next(f for f in generate_population(20261101, 60) if len(f["ANGGOTA"]) >= 5)


def render(family: dict[str, Any], *, draft: bool) -> bytes:
    return render_draft_kk(
        family,
        no_permohonan="BCA-2026-000777",
        issued_on=date(2026, 11, 1),
        kepala_dinas_name="Drs. AGUS SANTOSO, M.Si.",
        kepala_dinas_nip="19730702 199311 1 001",
        kab_name="KABUPATEN LUMAJANG",
        draft=draft,
    )


@needs_poppler
@pytest.mark.parametrize("draft", [True, False])
def test_every_font_is_embedded(family: dict[str, Any], draft: bool, tmp_path: Path) -> None:
    rows = font_rows(render(family, draft=draft), tmp_path)
    assert {row["name"].partition("+")[2] for row in rows} == {
        "DejaVuSansCondensed",
        "DejaVuSansCondensed-Bold",
        "DejaVuSansCondensed-Oblique",
    }
    assert all(row["emb"] == "yes" for row in rows), rows


@needs_poppler
@pytest.mark.parametrize(("draft", "title"), [(True, DRAFT_TITLE), (False, KK_TITLE)])
def test_only_the_draft_is_titled_draft(family: dict[str, Any], draft: bool, title: str, tmp_path: Path) -> None:
    assert info_field(render(family, draft=draft), tmp_path, "Title") == title


def test_declares_pdfa_2b_with_an_srgb_output_intent(family: dict[str, Any]) -> None:
    pdf = render(family, draft=False)
    xmp = xmp_properties(pdf)
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "B")
    (intent_ref,) = PdfFileReader(io.BytesIO(pdf)).root["/OutputIntents"]
    intent = intent_ref.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"]
    assert isinstance(profile, generic.StreamObject)
    assert profile["/N"] == 3
    icc = profile.data
    assert icc[36:40] == b"acsp"  # an ICC profile
    assert (icc[12:16], icc[16:20], icc[8]) == (b"mntr", b"RGB ", 2)  # a version 2 RGB display profile


def test_info_dictionary_and_xmp_agree(family: dict[str, Any]) -> None:
    pdf = render(family, draft=True)
    assert_info_matches_xmp(pdf)
    assert xmp_properties(pdf)["dc:title"] == DRAFT_TITLE
