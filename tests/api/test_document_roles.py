"""Who reads which document, through the API, on SQLite and PostgreSQL: every cell of
:data:`~siakgate.workflow.access.DOCUMENT_READERS` (role × category → 200 or 403), the cover letter's own
route, region before role (404), and the README's table against the code's."""

from __future__ import annotations

import re
from pathlib import Path

from api_kit import ALL_ROLES, Api, drive, lost_kk_request

from mock_common.pytest_plugin import MockService
from siakgate.workflow.access import ADMIN_ROLE, DOCUMENT_READERS, DocumentCategory, document_category
from siakgate.workflow.profiles import Role

README = Path(__file__).resolve().parents[2] / "README.md"
ROLES = (*ALL_ROLES, ADMIN_ROLE)
_COLUMNS = {
    "Requirement scans": DocumentCategory.REQUIREMENT,
    "`DRAFT_KK`": DocumentCategory.DRAFT_KK,
    "`SIGNED_KK`": DocumentCategory.SIGNED_KK,
    "`COVER_LETTER`": DocumentCategory.COVER_LETTER,
}


def expected(role: str, category: DocumentCategory) -> int:
    return 200 if role in DOCUMENT_READERS[category] else 403


def test_every_role_reads_exactly_the_documents_of_its_cells(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    client = api.client
    created = client.post("/v1/applications", json=lost_kk_request(mock_siak, "kecamatan-sumbersuko"), headers=admin)
    assert created.status_code == 201, created.text
    final = drive(client, admin, created.json()["id"])
    assert final["state"] == "SELESAI"
    app_id, collection_id = final["id"], final["collection_id"]
    kinds: dict[DocumentCategory, str] = {}
    for document in final["documents"]:
        kinds.setdefault(document_category(document["kind"]), document["kind"])
    assert set(kinds) == set(DocumentCategory), kinds

    seen: dict[tuple[str, str], int] = {}
    wanted: dict[tuple[str, str], int] = {}
    for role in ROLES:
        headers = api.token(role)
        for category, kind in kinds.items():
            answer = client.get(f"/v1/applications/{app_id}/documents/{kind}", headers=headers)
            seen[role, category] = answer.status_code
            wanted[role, category] = expected(role, category)
            if answer.status_code == 403:
                assert answer.json()["code"] == "PERAN_TIDAK_BERHAK_DOKUMEN", answer.text
        letter = client.get(f"/v1/collections/{collection_id}/cover-letter", headers=headers)
        seen[role, "cover-letter route"] = letter.status_code
        wanted[role, "cover-letter route"] = expected(role, DocumentCategory.COVER_LETTER)
    assert seen == wanted

    # Region first: outside its region a reader of every category finds nothing (404, not 403).
    other = "11" if not final["region_code"].startswith("11") else "12"
    stranger = api.token(*ALL_ROLES, region=other, name="stranger")
    for kind in kinds.values():
        assert client.get(f"/v1/applications/{app_id}/documents/{kind}", headers=stranger).status_code == 404
    assert client.get(f"/v1/collections/{collection_id}/cover-letter", headers=stranger).status_code == 404
    # The role is judged before the document is looked for: no hint whether an unread kind exists.
    clerk = api.token("PETUGAS_CETAK")
    assert client.get(f"/v1/applications/{app_id}/documents/TIDAK_ADA", headers=clerk).status_code == 403


def test_the_table_covers_every_role_and_names_no_unknown_one() -> None:
    known = {str(role) for role in Role if role is not Role.SYSTEM}
    assert known == set(ALL_ROLES)
    for readers in DOCUMENT_READERS.values():
        assert readers <= known  # ADMIN and SYSTEM read nothing
    assert set(DOCUMENT_READERS) == set(DocumentCategory)


def test_the_readme_table_is_the_code_table() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("| Role | Requirement scans |")
    lines = text[start:].split("\n\n", 1)[0].splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[1:] == list(_COLUMNS)
    rows: dict[str, dict[DocumentCategory, bool]] = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        match = re.fullmatch(r"`([A-Z_]+)`", cells[0])
        assert match is not None, line
        assert set(cells[1:]) <= {"yes", "no"}, line
        rows[match.group(1)] = {
            category: cell == "yes" for category, cell in zip(_COLUMNS.values(), cells[1:], strict=True)
        }
    assert list(rows) == list(ROLES)
    code = {role: {category: role in DOCUMENT_READERS[category] for category in _COLUMNS.values()} for role in ROLES}
    assert rows == code
