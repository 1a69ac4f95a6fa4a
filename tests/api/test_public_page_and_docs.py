"""The public verification page (branded as the issuing office, 404 for an unknown reference) and the
offline OpenAPI pages: nothing any gateway page loads comes from outside the gateway."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from api_kit import Api, drive, gateway_settings, lost_kk_request, siak_sample
from pydantic import ValidationError
from sqlalchemy import select

from mock_common.pytest_plugin import MockService
from siakgate.api.headers import DOCS_CSP
from siakgate.config import Settings
from siakgate.store.models import Application

OFFICE = "Dinas Kependudukan dan Pencatatan Sipil Kota Contoh"
"""Not the default office: the page can only show it by reading the settings."""

WEB = resources.files("siakgate.web")
LINKING_ATTRIBUTES = frozenset({"src", "href", "action", "srcset", "poster", "data", "formaction", "background"})
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


@pytest.fixture
def api_settings(database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService) -> Settings:
    return gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia, office_name=OFFICE)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script" and not any(name == "src" for name, _ in attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in LINKING_ATTRIBUTES:
                self.found += [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
            if name == "style":
                self.found += css_urls(value)
            if tag == "meta" and name == "content" and "url=" in value.lower():
                self.found.append(value.lower().split("url=", 1)[1])

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def css_urls(css: str) -> list[str]:
    return [first or second for first, second in CSS_URL.findall(css)]


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def outside(urls: list[str]) -> list[str]:
    """The URLs that would make a browser leave the gateway (another host, or any scheme but data:/blob:)."""
    return [url for url in urls if url.startswith("//") or urlsplit(url).scheme not in ("", "data", "blob")]


def test_an_unknown_reference_is_a_404_page_that_says_not_found(api: Api) -> None:
    page = api.client.get("/v1/verify/TIDAK-ADA-123", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Dokumen tidak ditemukan" in page.text
    assert "tidak ditemukan" in page.text
    assert "TIDAK SAH" not in page.text  # not a verdict on a document that does not exist
    assert 'data-found="false"' in page.text
    assert OFFICE in page.text
    assert "Meja Kerja TTE" not in page.text  # the internal tool's name is not the public's
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert "TIDAK-ADA-123" in page.text
    # A calling system (no Accept: text/html) still gets the problem answer.
    problem = api.client.get("/v1/verify/TIDAK-ADA-123")
    assert problem.status_code == 404
    assert problem.json()["code"] == "TIDAK_DITEMUKAN"


def test_the_not_found_page_escapes_and_shortens_the_reference(api: Api) -> None:
    ref = "%3Cscript%3Ealert(1)" + "A" * 200
    page = api.client.get(f"/v1/verify/{ref}", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)" in page.text
    assert "A" * 100 not in page.text  # at most 64 characters of a reference are echoed


def test_a_signed_kk_shows_the_office_and_no_family_data(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    family = siak_sample(mock_siak, 1)[0]
    request = {**lost_kk_request(mock_siak), "no_kk": family["NO_KK"], "region_code": family["NO_KK"][:6] + "2001"}
    created = api.client.post("/v1/applications", json=request, headers=admin)
    assert created.status_code == 201, created.text
    assert drive(api.client, admin, created.json()["id"])["state"] == "SELESAI"
    with api.db.unit_of_work(read_only=True) as session:
        ref = session.scalars(select(Application.verify_ref).where(Application.id == created.json()["id"])).one()

    page = api.client.get(f"/v1/verify/{ref}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'data-valid="true"' in page.text
    assert "Dokumen SAH" in page.text
    assert OFFICE in page.text
    assert 'data-testid="office-name"' in page.text
    assert api.settings.kepala_dinas_name in page.text
    assert "Meja Kerja TTE" not in page.text
    leaked = [value for value in [family["NO_KK"], *family["NIK"]] if value in page.text]
    assert not leaked, "the public page shows family data"
    assert not outside(links(page.text).found)


def test_the_office_name_defaults_to_lumajang_and_may_not_be_empty() -> None:
    no_env_file: dict[str, Any] = {"_env_file": None}
    assert Settings(**no_env_file).office_name == "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang"
    with pytest.raises(ValidationError, match="office_name"):
        Settings(**no_env_file, office_name="")


def test_no_served_page_loads_anything_from_outside(api: Api) -> None:
    pages = {
        "/docs": api.client.get("/docs"),
        "/redoc": api.client.get("/redoc"),
        "/ws/masuk": api.client.get("/ws/masuk"),
        "/v1/verify/x": api.client.get("/v1/verify/x", headers={"Accept": "text/html"}),
    }
    assets: set[str] = set()
    for path, page in pages.items():
        assert page.headers["content-type"].startswith("text/html"), path
        found = links(page.text).found
        assert found, path  # the parser sees the page's stylesheet and scripts
        assert not outside(found), (path, outside(found))
        assert "fonts.googleapis" not in page.text, path
        assets |= {url for url in found if url.startswith("/") and "/static/" in url}
    assert {"/static/swagger-ui-bundle.js", "/static/redoc.standalone.js", "/static/public.css"} <= assets
    for url in sorted(assets):
        asset = api.client.get(url)
        assert asset.status_code == 200, url
        if asset.headers["content-type"].startswith("text/css"):
            assert not outside(css_urls(asset.text)), url
    # ReDoc's bundle names one image outside (the Redocly logo in its menu): served without it.
    redoc = api.client.get("/static/redoc.standalone.js")
    assert redoc.headers["content-type"].startswith("text/javascript")
    assert "cdn.redoc.ly" not in redoc.text
    assert 'src:"data:,"' in redoc.text
    # Swagger UI's online validator badge would load an image from validator.swagger.io.
    assert '"validatorUrl": null' in pages["/docs"].text


def test_no_template_or_stylesheet_names_an_outside_address() -> None:
    """Every page of the workstation and the public page, as written (signed-in pages included)."""
    checked = []
    for folder in ("templates", "static"):
        for entry in WEB.joinpath(folder).iterdir():
            text = entry.read_text(encoding="utf-8")
            if entry.name.endswith(".html"):
                found = links(text).found
            elif entry.name.endswith(".css"):
                found = css_urls(text)
            else:  # JavaScript: no address with a scheme at all
                found = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text)
            assert not outside(found), (entry.name, outside(found))
            checked.append(entry.name)
    assert {"base.html", "public_base.html", "verify_public.html", "public_not_found.html", "public.css"} <= set(
        checked
    )


def test_the_docs_policy_names_no_outside_host_and_allows_only_the_page_s_own_script(api: Api) -> None:
    for path in ("/docs", "/redoc"):
        page = api.client.get(path)
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        sources = " ".join(directives.values()).split()
        assert not [s for s in sources if "." in s or s.startswith(("http", "//"))], (path, policy)
        assert "font-src" not in directives  # the system's fonts: no Google Fonts
        script_src = directives["script-src"].split()
        assert "'unsafe-inline'" not in script_src
        assert "'unsafe-eval'" not in script_src
        inline = links(page.text).inline_scripts
        expected = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline}
        assert len(inline) == (1 if path == "/docs" else 0), path  # Swagger UI's start-up script; ReDoc has none
        assert set(script_src) == {"'self'", *expected}, path
        assert directives["img-src"] == "'self' data:"
        assert directives["connect-src"] == "'self'"
    assert "https:" not in DOCS_CSP
    assert "http:" not in DOCS_CSP


def test_the_gateway_s_static_files_are_only_those_it_names(api: Api) -> None:
    for name in ("nope.js", "app.css", "..%2Fconfig.py", "%2E%2E%2Fstatic%2Fpublic.css"):
        assert api.client.get(f"/static/{name}").status_code == 404, name
    css = api.client.get("/static/public.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["x-content-type-options"] == "nosniff"
    icon = api.client.get("/static/favicon.png")
    assert icon.headers["content-type"] == "image/png"
    assert icon.content.startswith(b"\x89PNG")
