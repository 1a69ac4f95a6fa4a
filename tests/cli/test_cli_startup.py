"""``siakgate --help`` starts without the heavy libraries, every command's help still works, and
``siakgate verify`` takes many files (one Verifier for all of them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "verify"))
import verify_kit as kit  # noqa: E402

from siakgate.cli import main  # noqa: E402

ROOT_PEM = str(ROOT / "certs" / "root-ca.crt")
HEAVY = ("pyhanko", "pyhanko_certvalidator", "sqlalchemy", "fastapi", "zeep", "httpx", "aiohttp", "reportlab")
COMMANDS = ["verify", "sign", "serve", "tokens", "report", "audit", "archive", "users"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )


def test_help_imports_none_of_the_heavy_libraries() -> None:
    probe = (
        "import contextlib, io, json, sys\n"
        "from siakgate.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "assert 'verify' in out.getvalue()\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))\n"
    )
    done = run("-c", probe)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_package_imports_its_public_names_lazily() -> None:
    done = run(
        "-c",
        "import json, sys, siakgate; print(json.dumps([m for m in ('pyhanko', 'sqlalchemy') if m in sys.modules]))",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    done = run("-c", "import siakgate; print(siakgate.verify_pdf.__module__, siakgate.Pkcs12Backend.__name__)")
    assert done.stdout.split() == ["siakgate.verify.engine", "Pkcs12Backend"]


@pytest.mark.parametrize("command", [[], *[[name] for name in COMMANDS], ["demo"]])
def test_every_help_still_works(command: list[str]) -> None:
    done = run("-m", "siakgate", *command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"penggunaan: {' '.join(['siakgate', *command])}")
    if not command:
        for name in [*COMMANDS, "demo"]:
            assert name in done.stdout


def test_backend_choices_match_the_factory() -> None:
    from siakgate.cli.sign import BACKEND_KINDS
    from siakgate.signing.factory import BACKEND_KINDS as FACTORY_KINDS

    assert tuple(BACKEND_KINDS) == tuple(FACTORY_KINDS)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("many")
    good = kit.sign(kit.make_pdf())
    out = {}
    for name, data in {"a": good, "b": kit.flip_signed_byte(good), "c": good, "x": b"bukan PDF"}.items():
        out[name] = base / f"{name}.pdf"
        out[name].write_bytes(data)
    return out


def test_verify_many_files_one_line_each(pdfs, capsys) -> None:
    args = ["--trust-root", ROOT_PEM, "--no-fetch"]
    assert main(["verify", str(pdfs["a"]), str(pdfs["c"]), *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [str(pdfs["a"]), str(pdfs["c"])]
    assert all(": Dokumen valid" in line for line in lines)

    assert main(["verify", str(pdfs["a"]), str(pdfs["b"]), str(pdfs["c"]), *args]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert ["TIDAK valid" in line for line in lines] == [False, True, False]

    assert main(["verify", str(pdfs["a"]), str(pdfs["x"]), str(pdfs["a"].parent / "tidak-ada.pdf"), *args]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert "x.pdf" in captured.err
    assert "berkas tidak ditemukan" in captured.err


def test_verify_many_files_json_lines(pdfs, capsys) -> None:
    assert main(["verify", str(pdfs["a"]), str(pdfs["b"]), "--json", "--trust-root", ROOT_PEM, "--no-fetch"]) == 1
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["file"], r["valid"]) for r in reports] == [(str(pdfs["a"]), True), (str(pdfs["b"]), False)]


def test_verify_one_file_prints_as_before(pdfs, capsys) -> None:
    assert main(["verify", str(pdfs["a"]), "--trust-root", ROOT_PEM, "--no-fetch"]) == 0
    assert capsys.readouterr().out.startswith("Dokumen valid: 1 tanda tangan elektronik oleh")
    assert main(["verify", str(pdfs["b"]), "--json", "--trust-root", ROOT_PEM, "--no-fetch"]) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False
