"""The ``siakgate`` command through ``main(argv)`` and as a process (exit codes 0 / 1 / 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from siakgate.cli import main, write_atomically

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "verify"))
import verify_kit as kit  # noqa: E402

P12 = ROOT / "certs" / "p12" / "kepala-dinas.p12"
P12_PASSPHRASE = kit.MANIFEST["entities"]["kepala-dinas"]["p12_passphrase"]
ROOT_PEM = str(ROOT / "certs" / "root-ca.crt")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("cli")
    signed = kit.sign(kit.make_pdf())
    paths = {
        "plain": kit.make_pdf(),
        "signed": signed,
        "tampered": kit.flip_signed_byte(signed),
        "notpdf": b"ini bukan PDF\n",
    }
    out = {}
    for name, data in paths.items():
        out[name] = base / f"{name}.pdf"
        out[name].write_bytes(data)
    return out


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "siakgate", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_verify_original_tampered_and_unreadable(files, capsys) -> None:
    assert main(["verify", str(files["signed"]), "--trust-root", ROOT_PEM, "--no-fetch"]) == 0
    assert capsys.readouterr().out.startswith("Dokumen valid: 1 tanda tangan elektronik oleh Drs. Bambang Setiawan")
    assert main(["verify", str(files["tampered"]), "--trust-root", ROOT_PEM, "--no-fetch"]) == 1
    assert capsys.readouterr().out.startswith("Dokumen TIDAK valid")
    for name in ("plain", "notpdf"):
        assert main(["verify", str(files[name]), "--trust-root", ROOT_PEM, "--no-fetch"]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "siakgate:" in captured.err
    assert main(["verify", str(files["signed"].parent / "tidak-ada.pdf")]) == 2
    assert "berkas tidak ditemukan" in capsys.readouterr().err


def test_verify_json_has_boolean_valid(files, capsys) -> None:
    assert main(["verify", str(files["tampered"]), "--json", "--trust-root", ROOT_PEM, "--no-fetch"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False
    assert data["signatures"][0]["integrity"]["intact"] is False


def test_verify_untrusted_with_another_root(files, capsys, tmp_path) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes((ROOT / "certs" / "tsa.crt").read_bytes())  # a certificate, but not our signer's root
    assert main(["verify", str(files["signed"]), "--trust-root", str(other), "--no-fetch"]) == 1
    bad = tmp_path / "bad.pem"
    bad.write_text("bukan sertifikat")
    assert main(["verify", str(files["signed"]), "--trust-root", str(bad)]) == 2
    assert "bukan sertifikat X.509" in capsys.readouterr().err


def test_verify_exit_codes_as_a_process(files) -> None:
    args = ["--trust-root", ROOT_PEM, "--no-fetch"]
    assert run_cli("verify", str(files["signed"]), *args).returncode == 0
    assert run_cli("verify", str(files["tampered"]), *args).returncode == 1
    for name in ("plain", "notpdf"):
        assert run_cli("verify", str(files[name]), *args).returncode == 2
    missing = run_cli("verify", "tidak-ada.pdf")
    assert missing.returncode == 2
    assert "berkas tidak ditemukan" in missing.stderr
    default_root = run_cli("verify", str(files["signed"]), "--json", "--no-fetch")  # development: certs/root-ca.crt
    assert default_root.returncode == 0
    assert json.loads(default_root.stdout)["valid"] is True


def test_sign_then_verify(files, tmp_path, monkeypatch) -> None:
    out = tmp_path / "kk-signed.pdf"
    env = {"KK_P12_PASS": P12_PASSPHRASE}
    done = run_cli(
        "sign",
        str(files["plain"]),
        "-o",
        str(out),
        "--p12",
        str(P12),
        "--level",
        "B-B",
        "--passphrase-env",
        "KK_P12_PASS",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert P12_PASSPHRASE not in done.stdout + done.stderr
    assert run_cli("verify", str(out), "--trust-root", ROOT_PEM, "--no-fetch").returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["kk-signed.pdf"]  # no temporary file left


def test_sign_at_b_lt_with_the_mock_tsa(files, tmp_path, mock_bsre_aia) -> None:
    out = tmp_path / "kk-lt.pdf"
    done = run_cli(
        "sign",
        str(files["plain"]),
        "-o",
        str(out),
        "--p12",
        str(P12),
        "--level",
        "B-LT",
        "--tsa",
        f"{mock_bsre_aia.url}/pki/tsa",
        "--trust-root",
        ROOT_PEM,
        "--passphrase-env",
        "KK_P12_PASS",
        env={"KK_P12_PASS": P12_PASSPHRASE},
    )
    assert done.returncode == 0, done.stderr
    verified = run_cli("verify", str(out), "--json", "--trust-root", ROOT_PEM, "--no-fetch")
    assert verified.returncode == 0
    assert json.loads(verified.stdout)["signatures"][0]["pades_level"] == "B-LT"


def test_sign_wrong_passphrase_writes_nothing(files, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "kk.pdf"
    monkeypatch.setenv("KK_P12_PASS", "passphrase-salah")
    code = main(
        [
            "sign",
            str(files["plain"]),
            "-o",
            str(out),
            "--p12",
            str(P12),
            "--level",
            "B-B",
            "--passphrase-env",
            "KK_P12_PASS",
        ]
    )
    assert code == 1
    assert "Passphrase" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_sign_with_region_refuses_a_kk_of_another_regency(files, tmp_path, monkeypatch, capsys) -> None:
    """``--region``: the key is bound to SIAKGATE_SIGNING__REGENCIES, as the gateway's Kepala Dinas key is."""
    out = tmp_path / "kk.pdf"
    monkeypatch.setenv("KK_P12_PASS", P12_PASSPHRASE)
    monkeypatch.setenv("SIAKGATE_SIGNING__REGENCIES", '["3508"]')
    base = ["sign", str(files["plain"]), "-o", str(out), "--p12", str(P12), "--level", "B-B"]
    base += ["--passphrase-env", "KK_P12_PASS"]
    assert main([*base, "--region", "3204152006"]) == 1  # Kab. Bandung: not the Lumajang Kepala Dinas's
    assert "WILAYAH_DI_LUAR_KEWENANGAN" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert main([*base, "--region", "35AB"]) == 2
    assert "--region" in capsys.readouterr().err
    assert main([*base, "--region", "3508101003"]) == 0
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("name", "expected"), [("notpdf", "bukan PDF"), ("missing", "tidak ditemukan")])
def test_sign_unreadable_input(files, tmp_path, monkeypatch, capsys, name: str, expected: str) -> None:
    source = files.get(name, tmp_path / "missing.pdf")
    out = tmp_path / "out.pdf"
    monkeypatch.setenv("KK_P12_PASS", P12_PASSPHRASE)
    assert main(["sign", str(source), "-o", str(out), "--p12", str(P12), "--passphrase-env", "KK_P12_PASS"]) == 2
    assert expected in capsys.readouterr().err
    assert not out.exists()


def test_sign_passphrase_env_unset_and_no_terminal(files, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "out.pdf"
    monkeypatch.delenv("KK_TIDAK_ADA", raising=False)
    assert (
        main(["sign", str(files["plain"]), "-o", str(out), "--p12", str(P12), "--passphrase-env", "KK_TIDAK_ADA"]) == 2
    )
    assert "KK_TIDAK_ADA" in capsys.readouterr().err
    # stdin is not a terminal under pytest: refusing beats getpass echoing the passphrase
    assert main(["sign", str(files["plain"]), "-o", str(out), "--p12", str(P12)]) == 2
    assert "--passphrase-env" in capsys.readouterr().err
    assert not out.exists()


def test_passphrase_is_not_a_command_line_option() -> None:
    with pytest.raises(SystemExit) as info:
        main(["sign", "a.pdf", "-o", "b.pdf", "--passphrase", "rahasia"])
    assert info.value.code == 2


def test_write_atomically_leaves_nothing_on_failure(tmp_path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"lama")

    with pytest.raises(TypeError):
        write_atomically(target, "bukan bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"lama"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]
    write_atomically(target, b"baru")
    assert target.read_bytes() == b"baru"
