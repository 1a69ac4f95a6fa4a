"""scripts/run.py's choice of test PKI: certs/ on port 8082, else the PKI made for MOCK_BSRE_PORT, for both mock
BSrE and the gateway."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
CERTS = REPO / "certs"


@pytest.fixture(scope="module")
def run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("siakgate_run_script", REPO / "scripts" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_port_8082_uses_certs_as_it_is(run: ModuleType, tmp_path: Path) -> None:
    assert run.pki_for("http://127.0.0.1:8082", tmp_path) == CERTS
    assert not (tmp_path / "pki").exists()
    assert run.pki_settings(CERTS, {}) == {}


def test_another_port_gets_its_pki_generated_once(
    run: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://127.0.0.1:9182"
    pki_dir = run.pki_for(url, tmp_path)
    assert pki_dir == tmp_path / "pki" / "9182"
    manifest = json.loads((pki_dir / "manifest.json").read_text())
    assert manifest["services"]["ocsp"] == f"{url}/pki/ocsp"
    assert (pki_dir / "root-ca.crt").read_bytes() == (CERTS / "root-ca.crt").read_bytes()
    assert "generating" in capsys.readouterr().out

    before = (pki_dir / "kepala-dinas.crt").stat().st_mtime_ns
    assert run.pki_for(url, tmp_path) == pki_dir  # current: reused as it is
    assert "generating" not in capsys.readouterr().out
    assert (pki_dir / "kepala-dinas.crt").stat().st_mtime_ns == before

    (pki_dir / "manifest.json").write_text("{}")  # no longer what it was made from: made again
    assert run.pki_for(url, tmp_path) == pki_dir
    assert "generating" in capsys.readouterr().out
    assert json.loads((pki_dir / "manifest.json").read_text())["source"]["base_url"] == url


def test_the_gateway_takes_the_moved_pki(run: ModuleType, tmp_path: Path) -> None:
    moved = tmp_path / "pki" / "9182"
    settings = run.pki_settings(
        moved,
        {
            "SIAKGATE_SIGNING__PKCS12_PATH": str(CERTS / "p12" / "kepala-dinas.p12"),
            "SIAKGATE_SIGNING__SEKCAM_PKCS12_PATH": "/etc/siakgate/sekcam.p12",  # not the test PKI's: left alone
        },
    )
    assert settings == {
        "SIAKGATE_TRUST_ROOTS": json.dumps([str(moved / "root-ca.crt")]),
        "SIAKGATE_SIGNING__PKCS12_PATH": str(moved / "p12" / "kepala-dinas.p12"),
    }
    assert run.pki_settings(moved, {"SIAKGATE_TRUST_ROOTS": '["/etc/root.crt"]'}) == {}
