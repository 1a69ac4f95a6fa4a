"""scripts/run.py's banner: how to sign in to the workstation every time (also when the demo accounts exist
already), the demo signing passphrases, and a demo command carrying every moved port and the venv's siakgate."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("siakgate_run_banner", REPO / "scripts" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def services(run: ModuleType, siak: int, bsre: int, gateway: int) -> dict[str, object]:
    return {
        "siak": run.Service("mock SIAK", "mock_siak", siak, []),
        "bsre": run.Service("mock BSrE", "mock_bsre", bsre, []),
        "gateway_service": run.Service("gateway", "siakgate", gateway, []),
    }


FIRST_RUN = [("kasi", "KASI", True), ("kepaladinas", "KEPALA_DINAS", True)]
SECOND_RUN = [("kasi", "KASI", False), ("kepaladinas", "KEPALA_DINAS", False)]


@pytest.mark.parametrize("accounts", [FIRST_RUN, SECOND_RUN], ids=["first-run", "second-run"])
def test_the_banner_always_says_how_to_sign_in(run: ModuleType, accounts: list[tuple[str, str, bool]]) -> None:
    text = run.banner("sgt_demo", accounts, **services(run, 8081, 8082, 8000))
    assert "http://127.0.0.1:8000/ws/" in text
    for username in ("kasi", "kepaladinas"):
        line = next(line for line in text.splitlines() if line.strip().startswith(username))
        assert "kata sandi demo-ws-2026" in line
    assert "kepala-dinas-uji-123" in text  # the Kepala Dinas's signing passphrase (mock_bsre/signers.yaml)
    assert "sekcam-uji-789" in text
    assert "users password kepaladinas" in text  # how to set a demo password again


def test_a_second_run_says_the_accounts_were_kept(run: ModuleType) -> None:
    first = run.banner("sgt_demo", FIRST_RUN, **services(run, 8081, 8082, 8000))
    second = run.banner("sgt_demo", SECOND_RUN, **services(run, 8081, 8082, 8000))
    assert "baru dibuat" in first
    assert "sudah ada" not in first
    assert second.count("sudah ada sejak make run sebelumnya") == 2
    assert "already exists" not in second


def test_the_demo_command_carries_every_moved_port_and_the_venv_path(run: ModuleType) -> None:
    text = run.banner("sgt_x", FIRST_RUN, **services(run, 9181, 9182, 9100), siakgate=".venv/bin/siakgate")
    demo = next(line for line in text.splitlines() if "demo --out" in line)
    assert "SIAKGATE_DEMO_TOKEN=sgt_x .venv/bin/siakgate demo" in demo
    assert "--gateway http://127.0.0.1:9100" in demo
    assert "--siak-url http://127.0.0.1:9181" in demo
    assert "8081" not in text
    assert "8082" not in text
    assert "8000" not in text
    assert "http://127.0.0.1:9182/api/" in text
    assert "http://127.0.0.1:9100/ws/" in text


def test_a_moved_state_directory_is_carried_by_the_password_command(
    run: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(run, "STATE_ROOT", tmp_path)
    text = run.banner("sgt_demo", FIRST_RUN, **services(run, 8081, 8082, 8000), siakgate=".venv/bin/siakgate")
    assert f"SIAKGATE_STATE_DIR={tmp_path} .venv/bin/siakgate users password kepaladinas" in text


def test_the_venvs_siakgate_is_named_by_its_path(run: ModuleType) -> None:
    command = run.siakgate_command()
    assert command.endswith("bin/siakgate")
    assert (REPO / command).exists() or Path(command).exists()


def test_the_banner_is_indonesian(run: ModuleType) -> None:
    text = run.banner("sgt_demo", SECOND_RUN, **services(run, 8081, 8082, 8000)).replace("users password", "")
    for english in ("are running", "password", "left unchanged", "shown once", "State lives"):
        assert english not in text


def test_the_readme_shows_the_banner_as_it_is(run: ModuleType) -> None:
    """README's getting-started block is the banner's sign-in part, line for line (default ports, first run)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```text\n  Meja kerja TTE (browser)")
    block = readme[start:].split("\n", 1)[1].split("```", 1)[0].splitlines()
    banner = run.banner("sgt_demo", FIRST_RUN, **services(run, 8081, 8082, 8000))
    text = banner.replace(run.siakgate_command(), ".venv/bin/siakgate").splitlines()  # as from the repository
    assert len(block) == 9
    at = text.index(block[0])
    assert text[at : at + len(block)] == block
    second = run.banner("sgt_demo", SECOND_RUN, **services(run, 8081, 8082, 8000))
    assert "sudah ada sejak make run sebelumnya; kata sandinya tidak diubah" in readme
    assert "sudah ada sejak make run sebelumnya; kata sandinya tidak diubah" in second
    demo = next(line for line in text if "demo --out" in line).split("demo: ", 1)[1]
    assert demo.replace("sgt_demo", "sgt_...").replace(run.siakgate_command(), ".venv/bin/siakgate") in readme
