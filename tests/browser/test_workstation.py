"""The signing workstation in a real browser (Debian's Chromium, headless): each test is an officer's path
through the pages, checked against what the gateway then holds.

Routes and ``data-testid`` attributes are the contract of ``src/siakgate/web/README.md``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
from browser_kit import LAPTOP_768, PHONE, TABLET, Gateway, Screenshots
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Response, expect

from siakgate.api.metrics import MeteredSigningBackend
from siakgate.workflow import batches

pytestmark = pytest.mark.browser

PASSWORD = "sandi-uji-browser-2026"
WRONG_PASSPHRASE = "bukan-passphrase-yang-benar-77"
CODE_OR_ENGLISH = re.compile(r"\b[A-Za-z]+_[A-Za-z_]+\b|\b(invalid|error|failed|the)\b", re.IGNORECASE)
"""An error code (``invalid_pin``, ``PASSPHRASE_SALAH``) or English: what an officer should not have to read."""
REJECT_REASON = "Foto surat kehilangan dari kepolisian tidak terbaca; mohon unggah ulang."


def tid(page: Page, test_id: str) -> Locator:
    return page.get_by_test_id(test_id)


class Answers:
    """Every body the gateway sends to ``page`` from now on, by URL (read as it arrives: a body is gone
    once the page has moved on)."""

    def __init__(self, page: Page) -> None:
        self.bodies: dict[str, bytes] = {}
        page.on("response", self._record)

    def _record(self, response: Response) -> None:
        if 300 <= response.status < 400:
            return  # a redirect has no body to read
        with contextlib.suppress(PlaywrightError):  # the page moved on before the body could be read
            self.bodies[f"{len(self.bodies)} {response.url}"] = response.body()


def overflow(page: Page) -> list[str]:
    """Empty if the page needs no sideways scrolling on this screen, else what is too wide."""
    extra = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return [f"{page.url} is {extra}px wider than the screen ({page.viewport_size})"] if extra > 0 else []


def fits(page: Page) -> None:
    """The page needs no sideways scrolling on this screen."""
    too_wide = overflow(page)
    assert not too_wide, too_wide


def slow_signing(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make every batch take ``seconds`` longer to sign (the gateway runs in this process)."""
    original = MeteredSigningBackend.sign_batch

    async def slower(self: MeteredSigningBackend, *args: Any, **kwargs: Any) -> Any:
        await anyio.sleep(seconds)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(MeteredSigningBackend, "sign_batch", slower)


def sign_in(page: Page, gateway: Gateway, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{gateway.url}/ws/masuk")
    tid(page, "login-username").fill(username)
    tid(page, "login-password").fill(password)
    tid(page, "login-submit").click()


def test_kasi_verifies_one_draft_and_rejects_another(gateway: Gateway, page: Page, shot: Screenshots) -> None:
    approved, rejected = gateway.prepare(2, "MENUNGGU_VERIFIKASI")
    gateway.add_user("kasi", ["KASI"], PASSWORD, name="Siti Rahayu, S.Sos.")

    page.goto(f"{gateway.url}/ws/")
    expect(page).to_have_url(re.compile(r"/ws/masuk"))
    shot(page, "sign-in page")

    sign_in(page, gateway, "kasi", "kata-sandi-keliru")
    expect(tid(page, "error-banner")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/ws/masuk"))
    assert "kata-sandi-keliru" not in page.content()
    shot(page, "wrong password refused")

    sign_in(page, gateway, "kasi")
    expect(tid(page, "current-user")).to_contain_text(re.compile("kasi|Siti Rahayu"))
    expect(tid(page, "nav-verifikasi")).to_be_visible()
    expect(tid(page, "nav-tte")).to_have_count(0)
    page.goto(f"{gateway.url}/ws/verifikasi")
    queue = tid(page, "draft-queue")
    expect(queue).to_be_visible()
    expect(tid(page, f"draft-row-{approved}")).to_be_visible()
    expect(tid(page, f"draft-row-{rejected}")).to_be_visible()
    shot(page, "verify queue")

    tid(page, f"open-draft-{approved}").click()
    expect(tid(page, "draft-page")).to_have_attribute("data-state", "MENUNGGU_VERIFIKASI")
    viewer = tid(page, "draft-viewer")
    expect(viewer).to_be_visible()
    draft_url = viewer.get_attribute("src")
    assert draft_url is not None
    assert draft_url.endswith(f"/ws/permohonan/{approved}/dokumen/DRAFT_KK"), draft_url
    draft = page.request.get(draft_url if draft_url.startswith("http") else f"{gateway.url}{draft_url}")
    assert draft.status == 200, draft.status
    assert draft.body().startswith(b"%PDF-")
    expect(tid(page, "requirement-list")).to_be_visible()
    for code in ("SURAT_KEHILANGAN_POLISI", "FORMULIR_PERUBAHAN_DATA"):
        expect(tid(page, f"requirement-{code}")).to_be_visible()
    shot(page, "draft beside its requirements")

    tid(page, "approve-button").click()
    expect(page).to_have_url(re.compile(r"/ws/verifikasi/?(\?.*)?$"))
    expect(tid(page, "flash-message")).to_have_attribute("data-kind", "ok")
    expect(tid(page, f"draft-row-{approved}")).to_have_count(0)
    expect(tid(page, f"draft-row-{rejected}")).to_be_visible()
    assert gateway.application(approved)["state"] != "MENUNGGU_VERIFIKASI"
    shot(page, "approved")

    tid(page, f"open-draft-{rejected}").click()
    expect(tid(page, "draft-page")).to_be_visible()
    tid(page, "reject-reason").fill(REJECT_REASON)
    tid(page, "reject-button").click()
    expect(page).to_have_url(re.compile(r"/ws/verifikasi/?(\?.*)?$"))
    expect(tid(page, "flash-message")).to_have_attribute("data-kind", "ok")
    expect(tid(page, f"draft-row-{rejected}")).to_have_count(0)
    view = gateway.application(rejected)
    assert view["state"] != "MENUNGGU_VERIFIKASI"
    assert view["return_reason"] == REJECT_REASON
    shot(page, "rejected with a reason")

    tid(page, "nav-riwayat").click()
    rows = tid(page, "history-row")
    expect(rows).to_have_count(2)
    actions = {rows.nth(i).get_attribute("data-app-id"): rows.nth(i).get_attribute("data-action") for i in range(2)}
    assert set(actions) == {approved, rejected}, actions
    assert actions[approved] != actions[rejected], actions
    shot(page, "history")


def test_a_rejection_needs_a_reason(gateway: Gateway, page: Page, shot: Screenshots) -> None:
    (app_id,) = gateway.prepare(1, "MENUNGGU_VERIFIKASI")
    gateway.add_user("kasi", ["KASI"], PASSWORD)
    sign_in(page, gateway, "kasi")
    page.goto(f"{gateway.url}/ws/verifikasi/{app_id}")
    reason = tid(page, "reject-reason")
    # A browser that honours `required` does not even send the form; strip it to see the server refuse too.
    reason.evaluate("element => element.removeAttribute('required')")
    reason.fill("   ")
    tid(page, "reject-button").click()
    expect(tid(page, "error-banner")).to_be_visible()
    assert gateway.application(app_id)["state"] == "MENUNGGU_VERIFIKASI"
    shot(page, "empty reason refused")


def test_kepala_dinas_signs_a_batch_after_a_wrong_passphrase_is_refused(
    gateway: Gateway, page: Page, shot: Screenshots, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_ids = gateway.prepare(3, "MENUNGGU_TTE")
    gateway.add_user("kepaladinas", ["KEPALA_DINAS"], PASSWORD, name="Drs. Bambang Setiawan, M.Si.")

    sign_in(page, gateway, "kepaladinas")
    expect(tid(page, "nav-tte")).to_be_visible()
    page.goto(f"{gateway.url}/ws/tte")
    for app_id in app_ids:
        expect(tid(page, f"tte-row-{app_id}")).to_be_visible()
    shot(page, "tte queue")

    tid(page, "select-all").check()
    for app_id in app_ids:
        expect(tid(page, f"select-{app_id}")).to_be_checked()
    shot(page, "all selected")
    tid(page, "create-batch-button").click()
    batch_page = tid(page, "batch-page")
    expect(batch_page).to_have_attribute("data-state", "PENDING")
    for app_id in app_ids:
        expect(tid(page, f"batch-item-{app_id}")).to_have_attribute("data-state", "PENDING")
    batch_url = page.url
    answers = Answers(page)
    shot(page, "batch waiting")

    tid(page, "passphrase-input").fill(WRONG_PASSPHRASE)
    tid(page, "sign-button").click()
    error = tid(page, "sign-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile("passphrase", re.IGNORECASE))
    assert not CODE_OR_ENGLISH.search(error.inner_text()), f"not plain words: {error.inner_text()!r}"
    expect(batch_page).to_have_attribute("data-state", "PENDING")
    for app_id in app_ids:  # not signed (the workflow marks each attempt FAILED), and still waiting for TTE
        expect(tid(page, f"batch-item-{app_id}")).to_have_attribute("data-state", re.compile("^(PENDING|FAILED)$"))
        assert gateway.application(app_id)["state"] == "MENUNGGU_TTE"
        expect(tid(page, f"item-status-{app_id}")).to_contain_text(re.compile(r"^\W*Gagal\W+Passphrase salah"))
    expect(tid(page, "passphrase-input")).to_be_editable()
    expect(tid(page, "sign-button")).to_be_enabled()
    assert WRONG_PASSPHRASE not in page.content()
    shot(page, "wrong passphrase refused")

    # The KKs are still there to pick: the queue lists the waiting batch, which opens again.
    page.goto(f"{gateway.url}/ws/tte")
    batch_id = batch_url.rstrip("/").rsplit("/", 1)[-1]
    expect(tid(page, f"batch-link-{batch_id}")).to_be_visible()
    for app_id in app_ids:
        expect(tid(page, f"select-{app_id}")).to_be_enabled()
    shot(page, "queue with the waiting batch")
    tid(page, f"batch-link-{batch_id}").click()
    expect(batch_page).to_have_attribute("data-state", "PENDING")

    # BSrE answers in a fraction of a second here; a slower one (a second or two, as over the closed
    # network) lets the test see the page show the batch while it is being signed.
    slow_signing(monkeypatch, seconds=2.5)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if request.url.endswith("/status") else None)
    tid(page, "passphrase-input").fill(gateway.kepala_dinas_passphrase)
    tid(page, "sign-button").click()
    expect(batch_page).to_have_attribute("data-state", "SIGNING")
    # The new attempt shows none of the last one's failures, and "x dari N" stays on screen while it runs.
    expect(page.locator('#progress-list li[data-state="FAILED"]')).to_have_count(0)
    expect(page.get_by_text("Gagal")).to_have_count(0)
    expect(tid(page, "batch-result")).to_be_visible()
    expect(tid(page, "batch-result")).to_contain_text(f"dari {len(app_ids)} KK")
    expect(tid(page, "sign-error")).to_be_hidden()
    shot(page, "signing in progress")
    expect(batch_page).to_have_attribute("data-state", "DONE", timeout=60_000)
    result = tid(page, "batch-result")
    expect(result).to_have_attribute("data-signed", str(len(app_ids)))
    expect(result).to_have_attribute("data-failed", "0")
    for app_id in app_ids:
        expect(tid(page, f"batch-item-{app_id}")).to_have_attribute("data-state", "SIGNED")
        view = gateway.application(app_id)
        assert "SIGNED_KK" in {doc["kind"] for doc in view["documents"]}, view
    assert gateway.kepala_dinas_passphrase not in page.content()
    assert WRONG_PASSPHRASE not in page.content()
    shot(page, "batch signed")
    # Progress came to the page as it happened (polled), not by reloading it (a form post may reload once).
    assert polls, "the page never asked for the batch's progress"
    # Nothing the gateway sent back, pages or JSON, ever held either passphrase.
    assert any(b"Passphrase salah" in body for body in answers.bodies.values()), "the refusal was not seen"
    echoed = [url for url, body in answers.bodies.items() if WRONG_PASSPHRASE.encode() in body]
    echoed += [url for url, body in answers.bodies.items() if gateway.kepala_dinas_passphrase.encode() in body]
    assert not echoed, echoed
    assert len([url for url in navigations if url.startswith(batch_url)]) <= 1, navigations


def test_the_qr_code_opens_the_public_verification_page(
    gateway: Gateway, new_page: Callable[..., Page], shot: Screenshots, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reference is 32 URL-safe characters; about one in three has no '-' where a line may break. Make
    # this one such, so the phone check below does not depend on the luck of the draw.
    monkeypatch.setattr(batches, "secrets", SimpleNamespace(token_urlsafe=lambda n: secrets.token_hex(n * 2 // 3)))
    (app_id,) = gateway.prepare(1, "SELESAI")
    view = gateway.application(app_id)
    family = gateway.family_of(app_id)
    qr_url = f"{gateway.settings.public_base_url}/v1/verify/{gateway.verify_ref(app_id)}"

    page = new_page()  # a stranger's browser: no session
    page.goto(qr_url)
    result = tid(page, "verify-result")
    expect(result).to_have_attribute("data-valid", "true")
    expect(tid(page, "verify-signer")).to_have_text(gateway.settings.kepala_dinas_name)
    expect(tid(page, "verify-no-kk")).to_have_text(view["no_kk_masked"])
    assert view["no_kk_masked"].count("*") == 8
    html = page.content()
    leaked = [value for value in [family["NO_KK"], *family["NIK"]] if value in html]
    assert not leaked, "the public page shows family data"
    shot(page, "valid")

    phone = new_page(viewport=PHONE)  # a QR code is mostly opened with a phone
    phone.goto(qr_url)
    expect(tid(phone, "verify-result")).to_have_attribute("data-valid", "true")
    shot(phone, "valid on a phone", full_page=False)
    fits(phone)

    page.goto(f"{gateway.url}/v1/verify/tidak-dikenal-123")
    expect(tid(page, "verify-result")).to_have_attribute("data-valid", "false")
    shot(page, "unknown reference")


def test_the_queues_are_usable_on_a_tablet(gateway: Gateway, new_page: Callable[..., Page], shot: Screenshots) -> None:
    drafts = gateway.prepare(2, "MENUNGGU_VERIFIKASI")
    gateway.prepare(2, "MENUNGGU_TTE")
    gateway.add_user("kasi", ["KASI"], PASSWORD)
    gateway.add_user("kepaladinas", ["KEPALA_DINAS"], PASSWORD)

    too_wide: list[str] = []  # every page checked before failing, so one run shows them all

    kasi = new_page(viewport=TABLET)
    sign_in(kasi, gateway, "kasi")
    kasi.goto(f"{gateway.url}/ws/verifikasi")
    expect(tid(kasi, f"open-draft-{drafts[0]}")).to_be_in_viewport()
    shot(kasi, "verify queue on a tablet", full_page=False)
    too_wide += overflow(kasi)
    tid(kasi, f"open-draft-{drafts[0]}").click()
    expect(tid(kasi, "draft-viewer")).to_be_visible()
    shot(kasi, "draft on a tablet", full_page=False)
    too_wide += overflow(kasi)

    kepala = new_page(viewport=TABLET)
    sign_in(kepala, gateway, "kepaladinas")
    kepala.goto(f"{gateway.url}/ws/tte")
    expect(tid(kepala, "select-all")).to_be_in_viewport()
    expect(tid(kepala, "create-batch-button")).to_be_visible()
    shot(kepala, "tte queue on a tablet", full_page=False)
    too_wide += overflow(kepala)
    assert not too_wide, too_wide


def test_an_officer_sees_only_the_pages_of_their_role_and_signs_out(
    gateway: Gateway, page: Page, shot: Screenshots
) -> None:
    gateway.add_user("kasi", ["KASI"], PASSWORD)
    sign_in(page, gateway, "kasi")
    expect(tid(page, "current-user")).to_be_visible()
    response = page.goto(f"{gateway.url}/ws/tte")
    assert response is not None
    assert response.status == 403
    expect(tid(page, "forbidden")).to_be_visible()
    shot(page, "forbidden")

    page.goto(f"{gateway.url}/ws/verifikasi")
    tid(page, "logout-button").click()
    expect(page).to_have_url(re.compile(r"/ws/masuk"))
    page.goto(f"{gateway.url}/ws/verifikasi")
    expect(page).to_have_url(re.compile(r"/ws/masuk"))
    shot(page, "signed out")


def _sha_of(page: Page, gateway: Gateway, href: str | None) -> str:
    assert href is not None
    answer = page.request.get(href if href.startswith("http") else f"{gateway.url}{href}")
    assert answer.status == 200, answer.status
    return hashlib.sha256(answer.body()).hexdigest()


def test_kepala_dinas_sees_what_he_signs_then_opens_the_signed_kk_and_its_public_page(
    gateway: Gateway, new_page: Callable[..., Page], shot: Screenshots
) -> None:
    app_ids = gateway.prepare(2, "MENUNGGU_TTE")
    gateway.add_user("kepaladinas", ["KEPALA_DINAS"], PASSWORD, name="Drs. Bambang Setiawan, M.Si.")
    page = new_page(viewport=LAPTOP_768)
    sign_in(page, gateway, "kepaladinas")
    page.goto(f"{gateway.url}/ws/tte")
    for app_id in app_ids:  # the family head and the village in words, not a region code
        expect(tid(page, f"head-{app_id}")).not_to_be_empty()
        expect(tid(page, f"region-{app_id}")).to_contain_text("Kec. ")
        expect(tid(page, f"region-{app_id}")).not_to_contain_text(re.compile(r"\d{10}"))
    shot(page, "tte queue 1366x768", full_page=False)
    tid(page, "select-all").check()
    tid(page, "create-batch-button").click()
    expect(tid(page, "batch-page")).to_have_attribute("data-state", "PENDING")
    summary = tid(page, "sign-summary")
    expect(summary).to_contain_text("2 KK")
    expect(summary).to_contain_text("Kec. ")
    expect(tid(page, "mode-otp")).to_have_count(0)  # a passphrase signer: no OTP to offer
    expect(tid(page, "otp-request-button")).to_have_count(0)
    expect(page.get_by_text("OTP")).to_have_count(0)
    for app_id in app_ids:
        image = tid(page, f"preview-{app_id}")
        image.scroll_into_view_if_needed()
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=image.element_handle())
        sha = tid(page, f"sha-{app_id}")
        full = tid(page, f"open-full-{app_id}").get_attribute("href")
        shown = sha.get_attribute("data-sha256")
        assert shown is not None
        assert _sha_of(page, gateway, full) == shown  # the hash on screen is of the bytes opened at full size
        drafts = [d for d in gateway.application(app_id)["documents"] if d["kind"] == "DRAFT_KK"]
        assert drafts[-1]["sha256"] == shown  # ... which are the KK the batch signs
        expect(sha).to_contain_text(" ".join(shown[i : i + 4] for i in range(0, 16, 4)))
        expect(tid(page, f"head-{app_id}")).not_to_contain_text("belum didapat")
        expect(tid(page, f"signed-links-{app_id}")).to_be_hidden()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "batch with previews 1366x768", full_page=False)
    shot(page, "batch with previews full page")

    tid(page, "passphrase-input").fill(gateway.kepala_dinas_passphrase)
    tid(page, "sign-button").click()
    expect(tid(page, "batch-page")).to_have_attribute("data-state", "DONE", timeout=60_000)
    for app_id in app_ids:
        links = tid(page, f"signed-links-{app_id}")
        expect(links).to_be_visible()
        signed_href = tid(page, f"signed-kk-{app_id}").get_attribute("href")
        signed_sha = _sha_of(page, gateway, signed_href)
        kinds = {d["sha256"]: d["kind"] for d in gateway.application(app_id)["documents"]}
        assert kinds.get(signed_sha) == "SIGNED_KK"
    tid(page, f"signed-links-{app_ids[0]}").scroll_into_view_if_needed()
    shot(page, "batch signed with links 1366x768", full_page=False)
    verify_href = tid(page, f"verify-link-{app_ids[0]}").get_attribute("href")
    assert verify_href is not None
    assert verify_href.endswith(gateway.verify_ref(app_ids[0]))
    public = new_page(viewport=PHONE)
    public.goto(verify_href)
    expect(tid(public, "verify-result")).to_have_attribute("data-valid", "true")

    phone = new_page(viewport=PHONE)
    sign_in(phone, gateway, "kepaladinas")
    phone.goto(page.url)
    expect(tid(phone, f"signed-links-{app_ids[0]}")).to_be_visible()
    shot(phone, "batch signed on a phone 390x844", full_page=False)
    shot(phone, "batch signed on a phone full page")
    fits(phone)


def test_a_phone_shows_the_batch_to_sign_with_its_previews(
    gateway: Gateway, new_page: Callable[..., Page], shot: Screenshots
) -> None:
    app_ids = gateway.prepare(2, "MENUNGGU_TTE")
    gateway.add_user("kepaladinas", ["KEPALA_DINAS"], PASSWORD)
    phone = new_page(viewport=PHONE)
    sign_in(phone, gateway, "kepaladinas")
    phone.goto(f"{gateway.url}/ws/tte")
    shot(phone, "tte queue 390x844", full_page=False)
    fits(phone)
    tid(phone, "select-all").check()
    tid(phone, "create-batch-button").click()
    expect(tid(phone, "batch-page")).to_have_attribute("data-state", "PENDING")
    for app_id in app_ids:
        image = tid(phone, f"preview-{app_id}")
        image.scroll_into_view_if_needed()
        phone.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=image.element_handle())
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "batch to sign 390x844", full_page=False)
    tid(phone, f"batch-item-{app_ids[0]}").scroll_into_view_if_needed()
    shot(phone, "first kk 390x844", full_page=False)
    fits(phone)


def test_history_tells_what_became_of_an_approved_and_a_rejected_draft(
    gateway: Gateway, new_page: Callable[..., Page], shot: Screenshots
) -> None:
    approved, rejected = gateway.prepare(2, "MENUNGGU_VERIFIKASI")
    gateway.add_user("kasi", ["KASI"], PASSWORD, name="Siti Rahayu, S.Sos.")
    page = new_page(viewport=LAPTOP_768)
    sign_in(page, gateway, "kasi")
    page.goto(f"{gateway.url}/ws/verifikasi")
    shot(page, "verify queue 1366x768", full_page=False)
    page.goto(f"{gateway.url}/ws/verifikasi/{approved}")
    tid(page, "approve-button").click()
    expect(tid(page, "flash-message")).to_have_attribute("data-kind", "ok")
    page.goto(f"{gateway.url}/ws/verifikasi/{rejected}")
    tid(page, "reject-reason").fill(REJECT_REASON)
    tid(page, "reject-button").click()
    expect(tid(page, "flash-message")).to_have_attribute("data-kind", "ok")

    page.goto(f"{gateway.url}/ws/riwayat")
    row_of = {
        app_id: page.locator(f'[data-testid="history-row"][data-app-id="{app_id}"]') for app_id in (approved, rejected)
    }
    expect(row_of[rejected]).to_have_attribute("data-state", "DITOLAK")
    expect(row_of[rejected]).to_contain_text("Ditolak")
    for _ in range(120):  # the approval goes through SIAK first (the worker), then waits for the TTE
        if row_of[approved].get_attribute("data-state") == "MENUNGGU_TTE":
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(row_of[approved]).to_have_attribute("data-state", "MENUNGGU_TTE")
    expect(row_of[approved]).to_contain_text("Menunggu TTE Kepala Dinas")
    expect(page.get_by_text("Sedang diproses di SIAK")).to_have_count(0)
    expect(page.get_by_text("bantul-wa-cetak-mandiri")).to_have_count(0)  # the service's title, not its id
    shot(page, "history 1366x768", full_page=False)

    phone = new_page(viewport=PHONE)
    sign_in(phone, gateway, "kasi")
    phone.goto(f"{gateway.url}/ws/riwayat")
    expect(phone.locator(f'[data-testid="history-row"][data-app-id="{rejected}"]')).to_contain_text("Ditolak")
    shot(phone, "history 390x844", full_page=False)
    fits(phone)
