"""Verifying a stranger's PDF fetches nothing from the URLs its certificates name, unless they are on the
allow-list (:mod:`siakgate.verify.fetching`): the revocation status is then unknown and the verdict
INDETERMINATE, never VALID, and nothing reaches the stranger's address."""

from __future__ import annotations

import pytest
import stranger_kit
import verify_kit as kit
from pydantic import ValidationError

from mock_common.pytest_plugin import MockService
from siakgate.config import Settings
from siakgate.verify import Indication, RevocationStatus, verify_pdf_sync
from siakgate.verify.fetching import EndpointAllowList

TEST_PKI = ["http://127.0.0.1:8082/pki/"]
"""The development default: the test PKI's OCSP/CRL/caIssuers at mock BSrE."""


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8082/pki/ocsp", True),
        ("HTTP://127.0.0.1:8082/pki/crl/issuing-ca.crl", True),
        ("http://127.0.0.1:8082/pki", False),
        ("http://127.0.0.1:8082/pkix/ocsp", False),
        ("http://127.0.0.1:8082/api/sign", False),
        ("http://127.0.0.1:8082/pki/../api/sign", False),
        ("http://127.0.0.1:8082/pki/%2e%2e/api/sign", False),
        ("http://127.0.0.1:8082/pki/..%2fapi", False),
        ("http://127.0.0.1:8500/pki/ocsp", False),
        ("https://127.0.0.1:8082/pki/ocsp", False),
        ("http://127.0.0.1:8082@127.0.0.1:8500/pki/ocsp", False),
        ("http://127.0.0.1:8082.evil.example/pki/ocsp", False),
        ("http://127.0.0.1:8082\\@evil/pki/", False),
        ("ldap://127.0.0.1:8082/pki/", False),
        ("http://ca.example.go.id/any/path.crt", True),
        ("https://ca.example.go.id/ocsp", True),
        ("http://ca.example.go.id:8080/ocsp", False),
        ("http://ocsp.example.go.id:8080/", True),
        ("http://ocsp.example.go.id/", False),
        ("http://ca.example.go.id.evil.example/", False),
    ],
)
def test_allow_list_matches_parsed_urls(url: str, allowed: bool) -> None:
    allow = EndpointAllowList([*TEST_PKI, "ca.example.go.id", "ocsp.example.go.id:8080"])
    assert allow.allows(url) is allowed


@pytest.mark.parametrize("entry", ["", "ftp://x/", "http://user@x/", "x/y", "http://x/?q=1", "http://x/../y"])
def test_allow_list_refuses_what_is_not_an_endpoint(entry: str) -> None:
    with pytest.raises(ValueError, match="not"):
        EndpointAllowList([entry])


def test_a_strangers_urls_are_never_fetched() -> None:
    with stranger_kit.listening() as listener:
        pki = stranger_kit.stranger_pki(listener.url)
        report = verify_pdf_sync(pki.pdf, trust_roots=[pki.root_der], fetch_only_from=TEST_PKI)
        orphan = verify_pdf_sync(pki.pdf_missing_issuer, trust_roots=[pki.root_der], fetch_only_from=TEST_PKI)
        assert listener.requests == []

        # The same documents without the allow-list do reach the listener: the test would see a fetch.
        verify_pdf_sync(pki.pdf, trust_roots=[pki.root_der])
        verify_pdf_sync(pki.pdf_missing_issuer, trust_roots=[pki.root_der])
        assert any("/ocsp/" in seen for seen in listener.requests)
        assert any("/perantara/" in seen for seen in listener.requests)

    assert report.valid is False
    assert report.indication is Indication.INDETERMINATE  # trusted, but the revocation status is unknown
    assert report.signatures[0].revocation.status is RevocationStatus.UNKNOWN
    assert orphan.valid is False  # the issuer could not be fetched: no chain to the root
    assert orphan.indication is Indication.INVALID


def test_the_test_pki_still_verifies_online(mock_bsre_aia: MockService) -> None:
    report = verify_pdf_sync(kit.sign(kit.make_pdf()), trust_roots=[kit.ROOT_DER], fetch_only_from=TEST_PKI)
    assert report.valid is True, report.summary_id()
    assert report.indication is Indication.VALID
    assert report.signatures[0].revocation.status is RevocationStatus.GOOD  # fetched from mock BSrE


def test_settings_default_to_mock_bsre_in_development_and_check_entries() -> None:
    settings = Settings(_env_file=None, bsre={"url": "http://127.0.0.1:9182/"})  # type: ignore[call-arg]
    assert settings.verify.revocation_endpoints == ["http://127.0.0.1:9182/pki/"]
    chosen = Settings(_env_file=None, verify={"revocation_endpoints": [" cvs.example.go.id "]})  # type: ignore[call-arg]
    assert chosen.verify.revocation_endpoints == ["cvs.example.go.id"]
    with pytest.raises(ValidationError, match="not an http"):
        Settings(_env_file=None, verify={"revocation_endpoints": ["ftp://pki.example.go.id/"]})  # type: ignore[call-arg]
