"""The Kasi/Kabid's pages: the queue, one draft beside its documents, approve, reject with a reason; roles."""

from __future__ import annotations

from web_kit import Web

from mock_common.pytest_plugin import MockService


def test_a_kasi_approves_one_draft_and_rejects_another_with_a_reason(web: Web, mock_siak: MockService) -> None:
    first = web.application(mock_siak, "MENUNGGU_VERIFIKASI")
    second = web.application(mock_siak, "MENUNGGU_VERIFIKASI")
    web.user("kasi", "KASI")
    browser = web.browser("kasi")

    queue = browser.get("/ws/verifikasi")
    assert queue.status_code == 200
    assert f'data-testid="draft-row-{first}"' in queue.text
    assert f'data-testid="draft-row-{second}"' in queue.text
    page = browser.get(f"/ws/verifikasi/{first}")
    assert page.status_code == 200
    assert 'data-testid="draft-viewer"' in page.text
    assert f'src="/ws/permohonan/{first}/dokumen/DRAFT_KK"' in page.text
    assert 'data-testid="approve-button"' in page.text
    assert 'data-testid="reject-reason"' in page.text
    draft = browser.get(f"/ws/permohonan/{first}/dokumen/DRAFT_KK")
    assert draft.status_code == 200
    assert draft.headers["content-type"] == "application/pdf"
    assert draft.content.startswith(b"%PDF-")
    assert draft.headers["content-disposition"].startswith("inline")
    assert draft.headers["content-security-policy"] == "sandbox"  # inline, but not in the gateway's origin
    assert draft.headers["x-content-type-options"] == "nosniff"
    requirements = [code for code in _requirement_codes(web, first)]
    assert requirements, "the application has requirement uploads"
    for code in requirements:
        assert f'data-testid="requirement-{code}"' in page.text
        scan = browser.get(f"/ws/permohonan/{first}/dokumen/{code}")
        assert scan.status_code == 200
        assert scan.headers["content-disposition"].startswith("attachment;")
        assert scan.headers["content-security-policy"] == "sandbox"
        assert scan.headers["x-content-type-options"] == "nosniff"

    approved = browser.form(f"/ws/verifikasi/{first}/setujui", page=f"/ws/verifikasi/{first}")
    assert approved.status_code == 303
    assert approved.headers["location"] == "/ws/verifikasi?pesan=disetujui"
    assert 'data-testid="flash-message"' in browser.get(approved.headers["location"]).text
    assert web.view(first)["state"] in {"DIPROSES_SIAK", "MENUNGGU_TTE"}

    empty = browser.form(f"/ws/verifikasi/{second}/tolak", {"reason": "   "}, page=f"/ws/verifikasi/{second}")
    assert empty.status_code == 422
    assert 'data-testid="error-banner"' in empty.text
    assert "Alasan penolakan wajib diisi" in empty.text
    assert web.view(second)["state"] == "MENUNGGU_VERIFIKASI"
    bidi = browser.form(
        f"/ws/verifikasi/{second}/tolak", {"reason": "Nama\u202e salah"}, page=f"/ws/verifikasi/{second}"
    )
    assert bidi.status_code == 422  # the text policy (siakgate.domain.text) holds for the web form too
    assert "\u202e" not in bidi.text
    assert web.view(second)["state"] == "MENUNGGU_VERIFIKASI"
    reason = "Nama kepala keluarga pada draf berbeda dengan buku nikah."
    rejected = browser.form(f"/ws/verifikasi/{second}/tolak", {"reason": reason}, page=f"/ws/verifikasi/{second}")
    assert rejected.status_code == 303
    view = web.wait_state(second, "DITOLAK")
    assert view["return_reason"] == reason

    after = browser.get("/ws/verifikasi")
    assert f"draft-row-{first}" not in after.text
    assert f"draft-row-{second}" not in after.text
    history = browser.get("/ws/riwayat").text
    assert f'data-action="approve" data-app-id="{first}"' in history
    assert f'data-action="reject" data-app-id="{second}"' in history
    assert reason in history


def test_roles_are_kept_apart(web: Web, mock_siak: MockService) -> None:
    draft = web.application(mock_siak, "MENUNGGU_VERIFIKASI")
    web.user("kasi", "KASI")
    web.user("kepaladinas", "KEPALA_DINAS")
    kasi = web.browser("kasi")
    kepala = web.browser("kepaladinas")

    for url in ("/ws/tte", "/ws/tte/batch/01ABC"):
        refused = kasi.get(url)
        assert refused.status_code == 403
        assert 'data-testid="forbidden"' in refused.text
    assert kasi.form("/ws/tte/batch", {"application_id": draft}).status_code == 403
    assert 'data-testid="nav-tte"' not in kasi.get("/ws/verifikasi").text

    assert kepala.get("/ws/verifikasi").status_code == 403
    assert kepala.get(f"/ws/verifikasi/{draft}").status_code == 403
    approve = kepala.form(f"/ws/verifikasi/{draft}/setujui")
    assert approve.status_code == 403
    assert 'data-testid="forbidden"' in approve.text
    assert kepala.form(f"/ws/verifikasi/{draft}/tolak", {"reason": "x"}).status_code == 403
    assert web.view(draft)["state"] == "MENUNGGU_VERIFIKASI"


def test_an_officer_of_another_region_sees_nothing(web: Web, mock_siak: MockService) -> None:
    draft = web.application(mock_siak, "MENUNGGU_VERIFIKASI")
    region = web.view(draft)["region_code"]
    other = "11" if not region.startswith("11") else "12"
    web.user("kasi-lain", "KASI", region=other)
    browser = web.browser("kasi-lain")
    assert f"draft-row-{draft}" not in browser.get("/ws/verifikasi").text
    assert browser.get(f"/ws/verifikasi/{draft}").status_code == 404
    assert browser.get(f"/ws/permohonan/{draft}/dokumen/DRAFT_KK").status_code == 404
    assert browser.form(f"/ws/verifikasi/{draft}/setujui").status_code == 404
    assert web.view(draft)["state"] == "MENUNGGU_VERIFIKASI"


def _requirement_codes(web: Web, app_id: str) -> list[str]:
    documents = web.view(app_id)["documents"]
    return sorted({d["kind"] for d in documents if d["kind"] not in {"DRAFT_KK", "SIGNED_KK", "COVER_LETTER"}})


def test_the_workstation_reads_documents_by_the_same_table(web: Web, mock_siak: MockService) -> None:
    """``DOCUMENT_READERS`` applies on the workstation too: the signer sees the draft it signs, not the scans."""
    draft = web.application(mock_siak, "MENUNGGU_VERIFIKASI")
    scan = _requirement_codes(web, draft)[0]
    web.user("kepaladinas", "KEPALA_DINAS")
    web.user("cetak", "PETUGAS_CETAK")
    kepala = web.browser("kepaladinas")
    cetak = web.browser("cetak")
    assert kepala.get(f"/ws/permohonan/{draft}/dokumen/DRAFT_KK").status_code == 200
    refused = kepala.get(f"/ws/permohonan/{draft}/dokumen/{scan}")
    assert refused.status_code == 403
    assert 'data-testid="forbidden"' in refused.text
    assert cetak.get(f"/ws/permohonan/{draft}/dokumen/DRAFT_KK").status_code == 403
    assert cetak.get(f"/ws/permohonan/{draft}/dokumen/{scan}").status_code == 403
