"""``siakgate serve`` refuses a bad profile at start-up; ``siakgate demo`` hands its options to siakgate.demo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from siakgate import cli


def test_serve_refuses_a_nonsensical_profile_with_a_clear_message(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "rusak.yaml").write_text("id: rusak\nname: Rusak\nsteps: []\n")
    result = subprocess.run(
        [sys.executable, "-m", "siakgate", "serve", "--port", "1"],
        cwd=tmp_path,
        env={"SIAKGATE_PROFILES_DIR": str(profiles), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "profil layanan ditolak" in result.stderr
    assert "rusak.yaml" in result.stderr


def test_demo_is_dispatched_with_its_own_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr("siakgate.cli.demo.main", lambda argv: seen.append(argv) or 7)
    assert cli.main(["demo", "--out", "x", "--gateway", "http://127.0.0.1:1"]) == 7
    assert seen == [["--out", "x", "--gateway", "http://127.0.0.1:1"]]
