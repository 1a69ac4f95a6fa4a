"""What the Kepala Dinas sees before and after signing: each KK's family head and region in words, an image of
the exact bytes to sign with their SHA-256, links to the signed KK and its public page; no OTP where the signer
has none; a new attempt that never shows the last one's failures; history that tells what became of each file.

The names shown are checked against the KK itself (``pdftotext``, poppler: not the gateway's own reader).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
import time
from typing import Any

import anyio.to_thread
import pytest
from test_signing_pages import WRONG, _batch, _finished, _start
from web_kit import KEPALA_DINAS_PASSPHRASE, PASSWORD, Browser, Web

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService
from siakgate.api.metrics import MeteredSigningBackend
from siakgate.domain import CaseType
from siakgate.workflow.profiles import load_profiles

_SHA = re.compile(r'data-testid="sha-([0-9A-Z]+)" data-sha256="([0-9a-f]{64})"')


def _text_of(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def _kepala(web: Web) -> Browser:
    web.user("kepaladinas", "KEPALA_DINAS", name="Drs. Bambang Setiawan, M.Si.")
    return web.browser("kepaladinas")


def _field(text: str, label: str) -> str:
    found = re.search(rf"{re.escape(label)}\s*:\s*(\S(?:.*?\S)?)(?:\s{{2,}}|$)", text, re.MULTILINE)
    assert found is not None, f"{label} not in the KK's text"
    return found.group(1)


def test_the_batch_page_shows_each_kk_in_words_with_an_image_and_the_hash_of_the_bytes_to_sign(
    web: Web, mock_siak: MockService
) -> None:
    app_ids = [web.application(mock_siak, "MENUNGGU_TTE") for _ in range(2)]
    browser = _kepala(web)
    batch_id = _batch(browser, app_ids)
    page = browser.get(f"/ws/tte/batch/{batch_id}")
    assert page.status_code == 200
    html = page.text
    hashes = dict(_SHA.findall(html))
    assert set(hashes) == set(app_ids), hashes
    villages = []
    for app_id in app_ids:
        full = browser.get(f"/ws/tte/pratinjau/{app_id}/{hashes[app_id]}.pdf")
        assert full.status_code == 200
        assert full.headers["content-type"] == "application/pdf"
        assert full.headers["content-disposition"].startswith("inline")
        assert hashlib.sha256(full.content).hexdigest() == hashes[app_id]  # the hash shown is of these bytes
        short = " ".join(hashes[app_id][i : i + 4] for i in range(0, 16, 4))
        assert f"<code>{short}</code>" in html
        # ... and they are the bytes the batch signs: the application's latest DRAFT_KK
        drafts = [d for d in web.view(app_id)["documents"] if d["kind"] == "DRAFT_KK"]
        assert drafts[-1]["sha256"] == hashes[app_id]
        text = _text_of(full.content)
        head, village, district = (
            _field(text, label) for label in ("Nama Kepala Keluarga", "Desa/Kelurahan", "Kecamatan")
        )
        assert f'data-testid="head-{app_id}">{head}<' in html
        assert f'data-testid="region-{app_id}">Desa/Kel. {village}, Kec. {district}<' in html
        villages.append((district, village))
        image = browser.get(f"/ws/tte/pratinjau/{app_id}/{hashes[app_id]}.png")
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/png"
        assert image.content.startswith(b"\x89PNG")
        assert "no-store" in image.headers["cache-control"]
        assert f'href="/ws/tte/pratinjau/{app_id}/{hashes[app_id]}.pdf"' in html  # full size
    assert CaseType.HILANG.label in html  # the case type in words
    summary = re.search(r'data-testid="sign-summary"[^>]*>(.*?)</p>', html, re.DOTALL)
    assert summary is not None
    words = " ".join(summary.group(1).split())
    assert "2 KK" in words
    for district, village in villages:
        assert f"Kec. {district}" in words
        assert village in words
    assert "3508" not in words  # names, not codes
    # a passphrase signer (the test backend is remote hash with a passphrase): no OTP offered at all
    assert 'data-testid="mode-otp"' not in html
    assert 'data-testid="otp-request-button"' not in html
    assert "Minta kode OTP" not in html


def test_a_preview_is_served_only_for_the_bytes_still_to_sign_and_only_to_the_signer(
    web: Web, mock_siak: MockService
) -> None:
    (app_id,) = [web.application(mock_siak, "MENUNGGU_TTE")]
    browser = _kepala(web)
    batch_id = _batch(browser, [app_id])
    sha = dict(_SHA.findall(browser.get(f"/ws/tte/batch/{batch_id}").text))[app_id]
    other = "0" * 64
    stale = browser.get(f"/ws/tte/pratinjau/{app_id}/{other}.png", headers={"Accept": "application/json"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "DRAF_BERGANTI"
    assert "muat ulang" in stale.json()["message"]
    assert browser.get(f"/ws/tte/pratinjau/01TIDAKADA/{sha}.pdf").status_code == 404
    web.user("kasi", "KASI")
    kasi = web.browser("kasi")
    assert kasi.get(f"/ws/tte/pratinjau/{app_id}/{sha}.png").status_code == 403
    stranger = web.browser()
    assert stranger.get(f"/ws/tte/pratinjau/{app_id}/{sha}.pdf").status_code == 303  # to the sign-in page


def test_after_signing_each_kk_links_to_the_signed_kk_and_its_public_verification_page(
    web: Web, mock_siak: MockService
) -> None:
    app_ids = [web.application(mock_siak, "MENUNGGU_TTE") for _ in range(2)]
    browser = _kepala(web)
    batch_id = _batch(browser, app_ids)
    before = browser.get(f"/ws/tte/batch/{batch_id}").text
    assert "/dokumen/SIGNED_KK" not in before
    _start(browser, batch_id, KEPALA_DINAS_PASSPHRASE)
    status = _finished(browser, batch_id)
    assert status["state"] == "DONE"
    page = browser.get(f"/ws/tte/batch/{batch_id}").text
    for item in status["items"]:
        app_id = item["application_id"]
        assert item["signed_url"] == f"/ws/permohonan/{app_id}/dokumen/SIGNED_KK"
        assert item["verify_url"].startswith(f"{web.settings.public_base_url}/v1/verify/")
        assert f'href="{item["signed_url"]}"' in page
        assert f'href="{item["verify_url"]}"' in page
        signed = browser.get(item["signed_url"])
        assert signed.status_code == 200
        assert signed.content.startswith(b"%PDF-")
        assert hashlib.sha256(signed.content).hexdigest() == web.view(app_id)["documents"][-1]["sha256"]
        public = web.api.get(item["verify_url"].removeprefix(web.settings.public_base_url))
        assert public.status_code == 200
        assert public.json()["valid"] is True


def test_an_otp_is_refused_for_a_passphrase_signer_before_anything_starts(web: Web, mock_siak: MockService) -> None:
    app_id = web.application(mock_siak, "MENUNGGU_TTE")
    browser = _kepala(web)
    batch_id = _batch(browser, [app_id])
    token = browser.csrf(f"/ws/tte/batch/{batch_id}")
    answer = browser.post(
        f"/ws/tte/batch/{batch_id}/tandatangani",
        data={"mode": "otp", "secret": "123456"},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "OTP_TIDAK_DIPAKAI"
    assert "passphrase" in answer.json()["message"]
    status = browser.get(f"/ws/tte/batch/{batch_id}/status", headers={"Accept": "application/json"}).json()
    assert status["running"] is False
    assert status["items"][0]["state"] == "PENDING"


def test_a_new_attempt_never_shows_the_previous_attempts_failures(
    web: Web, mock_siak: MockService, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_ids = [web.application(mock_siak, "MENUNGGU_TTE") for _ in range(2)]
    browser = _kepala(web)
    batch_id = _batch(browser, app_ids)
    _start(browser, batch_id, WRONG)
    refused = _finished(browser, batch_id)
    assert [item["state"] for item in refused["items"]] == ["FAILED", "FAILED"]

    release = threading.Event()
    entered = threading.Event()
    original = MeteredSigningBackend.sign_batch

    async def held(self: MeteredSigningBackend, *args: Any, **kwargs: Any) -> Any:
        entered.set()
        await anyio.to_thread.run_sync(release.wait)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(MeteredSigningBackend, "sign_batch", held)
    try:
        _start(browser, batch_id, KEPALA_DINAS_PASSPHRASE)
        first = browser.get(f"/ws/tte/batch/{batch_id}/status", headers={"Accept": "application/json"}).json()
        assert first["running"] is True
        assert first["error"] is None
        assert first["failed"] == 0
        assert [item["state"] for item in first["items"]] == ["SIGNING", "SIGNING"]
        assert not any("Gagal" in item["message"] for item in first["items"])
        assert entered.wait(30)
        page = browser.get(f"/ws/tte/batch/{batch_id}").text  # the page itself while signing
        assert "Gagal" not in page
        assert "Passphrase salah" not in page
        result = re.search(r'data-testid="batch-result"[^>]*>(.*?)</p>', page, re.DOTALL)
        assert result is not None
        assert "0 dari 2 KK sudah ditandatangani" in " ".join(result.group(1).split())
        assert not re.search(r'data-testid="batch-result"[^>]*\bhidden\b', page)
    finally:
        release.set()
    assert _finished(browser, batch_id)["state"] == "DONE"


def test_history_shows_what_became_of_each_file_in_words(web: Web, mock_siak: MockService) -> None:
    approved = web.application(mock_siak, "MENUNGGU_VERIFIKASI")
    rejected = web.application(mock_siak, "MENUNGGU_VERIFIKASI")
    web.user("kasi", "KASI", name="Siti Rahayu")
    kasi = web.browser("kasi")
    assert kasi.form(f"/ws/verifikasi/{approved}/setujui", page=f"/ws/verifikasi/{approved}").status_code == 303
    assert (
        kasi.form(
            f"/ws/verifikasi/{rejected}/tolak",
            {"reason": "Foto surat tidak terbaca."},
            page=f"/ws/verifikasi/{rejected}",
        ).status_code
        == 303
    )
    web.wait_state(approved, "MENUNGGU_TTE")
    deadline = time.monotonic() + 60
    while True:  # the rejection is told to SIAK by the worker; the application is DITOLAK throughout
        history = kasi.get("/ws/riwayat").text
        rows = dict(re.findall(r'data-app-id="([0-9A-Z]+)" data-state="([A-Z_]+)"', history))
        if rows.get(rejected) == "DITOLAK" and rows.get(approved) == "MENUNGGU_TTE":
            break
        assert time.monotonic() < deadline, rows
        time.sleep(0.1)
    assert "Status sekarang" in history
    assert "Ditolak" in history
    assert "Menunggu TTE Kepala Dinas" in history
    assert "Sedang diproses di SIAK" not in history
    assert "bantul-wa-cetak-mandiri" not in history  # the service's title, not its id
    assert load_profiles(web.settings.profiles_dir)["bantul-wa-cetak-mandiri"].name in history
    assert PASSWORD not in history


def test_with_siak_down_the_batch_page_still_shows_each_kk_and_says_the_names_are_missing(
    web: Web, mock_siak: MockService, mock_siak_faults: FaultInjector
) -> None:
    app_id = web.application(mock_siak, "MENUNGGU_TTE")
    browser = _kepala(web)
    created = browser.form("/ws/tte/batch", {"application_id": [app_id]})  # no page has asked SIAK yet
    assert created.status_code == 303
    batch_id = created.headers["location"].rsplit("/", 1)[1]
    mock_siak_faults.configure(FaultConfig(http_5xx_rate=1.0))
    page = browser.get(f"/ws/tte/batch/{batch_id}")
    assert page.status_code == 200
    region = web.view(app_id)["region_code"]
    assert "Nama kepala keluarga belum didapat dari SIAK" in page.text
    assert f"Wilayah {region} (nama belum didapat dari SIAK)" in page.text
    sha = dict(_SHA.findall(page.text))[app_id]  # the image and the hash come from the gateway's own copy
    assert browser.get(f"/ws/tte/pratinjau/{app_id}/{sha}.png").status_code == 200
    mock_siak_faults.configure(FaultConfig())
    again = browser.get(f"/ws/tte/batch/{batch_id}").text  # nothing missing is remembered as missing
    assert "belum didapat dari SIAK" not in again


def test_the_verifiers_pages_name_the_region_and_the_service_not_their_codes(web: Web, mock_siak: MockService) -> None:
    app_id = web.application(mock_siak, "MENUNGGU_VERIFIKASI")
    web.user("kasi", "KASI")
    kasi = web.browser("kasi")
    queue = kasi.get("/ws/verifikasi").text
    draft = kasi.get(f"/ws/verifikasi/{app_id}").text
    region = web.view(app_id)["region_code"]
    title = load_profiles(web.settings.profiles_dir)["bantul-wa-cetak-mandiri"].name
    for page in (queue, draft):
        assert re.search(r"Desa/Kel\. [A-Z][^<,]*, Kec\. [A-Z]", page)
        assert f">{region}<" not in page
        assert title in page
        assert ">bantul-wa-cetak-mandiri<" not in page
        assert "Draft KK" not in page
        assert 'class="nowrap">' + web.view(app_id)["siak_request_no"] in page
    assert "Kepala keluarga" in draft
