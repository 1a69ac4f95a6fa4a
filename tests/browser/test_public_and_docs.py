"""The public verification page and the OpenAPI pages in a real browser on a closed network.

Every request a page makes to anything but the gateway on 127.0.0.1 is aborted and recorded; a page's
Content-Security-Policy refusals are recorded too (a refused load never reaches the network, so it would
not show as a request). Each test asserts that neither list has an entry: the pages work offline because
they need nothing from outside, not because the outside happened to answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from browser_kit import PHONE, Gateway, Screenshots
from playwright.sync_api import ConsoleMessage, Page, Route, ViewportSize, expect

pytestmark = pytest.mark.browser

LAPTOP_768 = ViewportSize(width=1366, height=768)
LOOPBACK = frozenset({"127.0.0.1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
RENDER_MS = 30_000
"""How long Swagger UI / ReDoc may take to render the whole API on a busy machine."""


@dataclass
class ClosedNetwork:
    """What a page tried to load from outside the gateway (aborted), and what its CSP refused."""

    outside: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _page: Page | None = None

    def attach(self, page: Page) -> Page:
        self._page = page
        page.add_init_script(
            "window.__refused = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__refused.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        page.route("**/*", self._route)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def _route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOOPBACK:
            route.continue_()
            return
        self.outside.append(url)
        route.abort("blockedbyclient")

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.refused.append(message.text)

    def assert_nothing_from_outside(self) -> None:
        assert self.outside == [], f"requests to outside the gateway: {self.outside}"
        assert self._page is not None
        refused = [*self.refused, *self._page.evaluate("window.__refused")]
        assert refused == [], f"loads the page's policy refused: {refused}"
        assert self.errors == [], f"script errors: {self.errors}"


@pytest.fixture
def offline(new_page: Callable[..., Page]) -> Callable[..., tuple[Page, ClosedNetwork]]:
    """``offline(viewport)``: a fresh page on which only 127.0.0.1 answers."""

    def make(viewport: ViewportSize = LAPTOP_768) -> tuple[Page, ClosedNetwork]:
        network = ClosedNetwork()
        return network.attach(new_page(viewport=viewport)), network

    return make


def horizontal_overflow(page: Page) -> int:
    extra: int = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return extra


def test_swagger_ui_lists_the_operations_with_nothing_from_outside(
    gateway: Gateway, offline: Callable[..., tuple[Page, ClosedNetwork]], shot: Screenshots
) -> None:
    page, network = offline()
    operations = [
        (method, path)
        for path, item in gateway.api.client.get("/openapi.json").json()["paths"].items()
        for method in item
    ]
    page.goto(f"{gateway.url}/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=RENDER_MS)
    expect(page.locator(".opblock")).to_have_count(len(operations))
    verify = page.locator(".opblock", has=page.locator('[data-path="/v1/verify/{ref}"]'))
    expect(verify.first).to_be_visible()
    page.wait_for_load_state("networkidle")
    shot(page, "swagger ui", full_page=False)
    network.assert_nothing_from_outside()


def test_redoc_renders_the_api_with_nothing_from_outside(
    gateway: Gateway, offline: Callable[..., tuple[Page, ClosedNetwork]], shot: Screenshots
) -> None:
    page, network = offline()
    page.goto(f"{gateway.url}/redoc")
    expect(page.locator("h1").first).to_contain_text("siakgate")
    expect(page.get_by_role("menuitem", name="verification")).to_be_visible()
    # ReDoc renders the whole API into one page: give a busy machine time.
    expect(page.locator("h2", has_text="Verifikasi publik (tujuan kode QR)")).to_be_visible(timeout=RENDER_MS)
    expect(page.get_by_alt_text("redocly logo")).to_have_count(0)  # its outside image, replaced and hidden
    page.wait_for_load_state("networkidle")
    shot(page, "redoc", full_page=False)
    network.assert_nothing_from_outside()


def test_an_unknown_reference_answers_404_with_the_office_s_page(
    gateway: Gateway, offline: Callable[..., tuple[Page, ClosedNetwork]], shot: Screenshots
) -> None:
    for name, viewport in (("laptop", LAPTOP_768), ("phone", PHONE)):
        page, network = offline(viewport)
        response = page.goto(f"{gateway.url}/v1/verify/tidak-dikenal-123")
        assert response is not None
        assert response.status == 404
        expect(page.get_by_test_id("verify-not-found")).to_have_text("Dokumen tidak ditemukan")
        expect(page.get_by_test_id("office-name")).to_have_text(gateway.settings.office_name)
        expect(page.get_by_test_id("verify-result")).to_have_attribute("data-found", "false")
        expect(page.get_by_text("TIDAK SAH")).to_have_count(0)
        assert "Meja Kerja TTE" not in page.content()
        shot(page, f"unknown reference {name}", full_page=False)
        assert horizontal_overflow(page) <= 0, name
        network.assert_nothing_from_outside()


def test_a_signed_kk_s_page_reads_well_on_a_phone(
    gateway: Gateway, offline: Callable[..., tuple[Page, ClosedNetwork]], shot: Screenshots
) -> None:
    (app_id,) = gateway.prepare(1, "SELESAI")
    url = f"{gateway.settings.public_base_url}/v1/verify/{gateway.verify_ref(app_id)}"
    family = gateway.family_of(app_id)
    for name, viewport in (("laptop", LAPTOP_768), ("phone", PHONE)):
        page, network = offline(viewport)
        page.goto(url)
        expect(page.get_by_test_id("verify-result")).to_have_attribute("data-valid", "true")
        expect(page.get_by_test_id("office-name")).to_have_text(gateway.settings.office_name)
        expect(page.get_by_test_id("verify-signer")).to_have_text(gateway.settings.kepala_dinas_name)
        html = page.content()
        assert not [value for value in [family["NO_KK"], *family["NIK"]] if value in html]
        shot(page, f"signed kk {name}", full_page=False)
        assert horizontal_overflow(page) <= 0, name
        # Readable on a phone: no text smaller than 14 CSS pixels.
        smallest = page.evaluate(
            "Math.min(...[...document.querySelectorAll('body *')].filter(e => e.childElementCount === 0"
            " && e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        assert smallest >= 14, (name, smallest)
        network.assert_nothing_from_outside()
