"""The test PKI made for another address: ``certs/generate.py --url BASE --out DIR``.

Same keys, subjects, serials and validity as certs/, the same root, and every OCSP, CRL and caIssuers URL moved to
BASE; certs/ itself is left as it is. Also mock BSrE's start-up warning when its PKI names another address.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from mock_bsre.__main__ import address_mismatch
from mock_bsre.pki import Pki

REPO = Path(__file__).resolve().parents[2]
CERTS = REPO / "certs"
GENERATE = CERTS / "generate.py"
BASE = "http://127.0.0.1:9182"


def _generate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GENERATE), *args], capture_output=True, text=True, check=False)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("certs_generate_under_test", GENERATE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _snapshot(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("variant") / "9182"
    before = _snapshot(CERTS)
    result = _generate("--url", f"{BASE}/", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert _snapshot(CERTS) == before, "generating a variant changed certs/"
    return out


def _urls(cert: x509.Certificate) -> list[str]:
    urls: list[str] = []
    for kind in (x509.AuthorityInformationAccess, x509.CRLDistributionPoints):
        try:
            value = cert.extensions.get_extension_for_class(kind).value
        except x509.ExtensionNotFound:
            continue
        if isinstance(value, x509.AuthorityInformationAccess):
            urls += [str(d.access_location.value) for d in value]
        else:
            urls += [str(n.value) for point in value for n in point.full_name or []]
    return urls


def test_every_url_of_the_variant_uses_the_new_base(variant: Path) -> None:
    pki = Pki(variant)
    committed = Pki(CERTS)
    assert pki.base_url == BASE
    assert committed.base_url == "http://127.0.0.1:8082"
    for name in committed.names:
        urls = _urls(pki.crypto_certificate(name))
        if name == "root-ca":
            assert urls == []
            continue
        assert urls, name
        assert all(url.startswith(f"{BASE}/pki/") for url in urls), (name, urls)
        old = _urls(committed.crypto_certificate(name))
        assert [u.replace("127.0.0.1:8082", "127.0.0.1:9182") for u in old] == urls, name
        assert b"127.0.0.1:8082" not in pki.certificate_der(name)
    assert all(url.startswith(BASE) for url in pki.manifest["services"].values())


def test_the_variant_has_the_same_identities_keys_and_root(variant: Path) -> None:
    pki, committed = Pki(variant), Pki(CERTS)
    assert pki.names == committed.names
    for name in committed.names:
        new, old = pki.crypto_certificate(name), committed.crypto_certificate(name)
        assert new.subject == old.subject
        assert new.issuer == old.issuer
        assert new.serial_number == old.serial_number
        assert new.not_valid_before_utc == old.not_valid_before_utc
        assert new.not_valid_after_utc == old.not_valid_after_utc
        assert new.public_key() == old.public_key()
        for field in ("subject", "serial", "nik", "email", "not_after", "revocation", "chain", "p12_passphrase"):
            assert pki.entity(name)[field] == committed.entity(name)[field], (name, field)
        assert (variant / pki.entity(name)["key"]).read_bytes() == (CERTS / committed.entity(name)["key"]).read_bytes()
    assert (variant / "root-ca.crt").read_bytes() == (CERTS / "root-ca.crt").read_bytes()
    # Signatures and CRLs of the moved PKI chain to the one trust anchor.
    pki.crypto_certificate("issuing-ca").verify_directly_issued_by(committed.crypto_certificate("root-ca"))


def test_the_variant_p12_files_hold_the_moved_certificates(variant: Path) -> None:
    pki = Pki(variant)
    for name in pki.names:
        if not pki.entity(name)["p12"]:
            continue
        key, cert, extra = pkcs12.load_key_and_certificates(
            pki.p12_path(name).read_bytes(), pki.p12_passphrase(name).encode()
        )
        assert pki.p12_path(name).is_relative_to(variant)
        assert cert is not None
        assert key is not None
        assert cert.public_bytes(serialization.Encoding.DER) == pki.certificate_der(name)
        assert all(url.startswith(BASE) for url in _urls(cert))
        assert {c.subject.rfc4514_string() for c in extra} >= {pki.entity("issuing-ca")["subject"]}


def test_regenerating_the_variant_changes_nothing_and_it_knows_its_source(variant: Path) -> None:
    before = _snapshot(variant)
    result = _generate("--url", BASE, "--out", str(variant))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"changed in {variant}: nothing"), result.stdout
    assert _snapshot(variant) == before
    source = json.loads((variant / "manifest.json").read_text())["source"]
    assert source["base_url"] == BASE
    assert "source" not in json.loads((CERTS / "manifest.json").read_text())


def test_variant_is_current_tells_a_stale_or_foreign_variant(variant: Path, tmp_path: Path) -> None:
    generate = _generator()
    assert generate.variant_is_current(variant, BASE)
    assert generate.variant_is_current(variant, f"{BASE}/")
    assert not generate.variant_is_current(variant, "http://127.0.0.1:9183")
    assert not generate.variant_is_current(tmp_path / "nothing-here", BASE)
    copy = tmp_path / "copy"
    shutil.copytree(variant, copy)
    (copy / "p12" / "sekcam.p12").unlink()
    assert not generate.variant_is_current(copy, BASE)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", BASE], "needs --out"),
        (["--url", "http://127.0.0.1:9182/pki", "--out", "{out}"], "--url must look like"),
        (["--url", "127.0.0.1:9182", "--out", "{out}"], "--url must look like"),
        (["--new-keys", "--out", "{out}"], "do not go together"),
    ],
)
def test_generate_refuses_what_would_touch_certs_or_make_keys(args: list[str], message: str, tmp_path: Path) -> None:
    before = _snapshot(CERTS)
    result = _generate(*(a.format(out=tmp_path / "out") for a in args))
    assert result.returncode != 0
    assert message in result.stderr
    assert _snapshot(CERTS) == before


def test_mock_bsre_warns_when_its_pki_names_another_address(variant: Path) -> None:
    assert address_mismatch(CERTS, "http://127.0.0.1:8082") is None
    assert address_mismatch(variant, BASE) is None
    warning = address_mismatch(CERTS, BASE)
    assert warning is not None
    assert "http://127.0.0.1:8082" in warning
    assert f"--url {BASE}" in warning
