"""The command line speaks Bahasa Indonesia: argparse's own words, every option's help, its error messages."""

from __future__ import annotations

import argparse
import gettext
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from siakgate.cli import build_parser, main
from siakgate.cli._argparse_id import indonesian_argparse

ROOT = Path(__file__).resolve().parents[2]

ENGLISH = (
    "usage:",
    "options:",
    "optional arguments",
    "positional arguments",
    "show this help",
    "show program's version",
    "error:",
    "the following arguments",
    "invalid choice",
    "unrecognized arguments",
    "expected one argument",
    "expected at",
    "not allowed with",
    "default:",
)


def _parsers() -> Iterator[tuple[list[str], argparse.ArgumentParser]]:
    """Every (sub)parser of ``siakgate``, with the words that reach it (``["tokens", "add"]``)."""
    with indonesian_argparse():
        root = build_parser()
    pending: list[tuple[list[str], argparse.ArgumentParser]] = [([], root)]
    while pending:
        words, parser = pending.pop(0)
        yield words, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    if name != "demo":  # a placeholder: the demo driver parses its own options (see below)
                        pending.append(([*words, name], child))


PARSERS = list(_parsers())


def _help(capsys: pytest.CaptureFixture[str], words: list[str]) -> str:
    with pytest.raises(SystemExit) as info:
        main([*words, "--help"])
    assert info.value.code == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def _assert_indonesian(text: str) -> None:
    lowered = text.lower()
    for english in ENGLISH:
        assert english not in lowered, f"{english!r} left in:\n{text}"


def test_the_walk_reaches_every_command() -> None:
    reached = {" ".join(words) for words, _ in PARSERS}
    expected = {"", "verify", "sign", "serve", "tokens", "report", "audit", "archive", "users"}
    expected |= {"tokens add", "tokens list", "tokens revoke", "users add", "users list", "users disable"}
    expected |= {"users password"}
    expected |= {"audit verify", "audit list", "archive verify", "archive restore", "archive renew"}
    assert reached == expected


@pytest.mark.parametrize(("words", "parser"), PARSERS, ids=[" ".join(w) or "siakgate" for w, _ in PARSERS])
def test_every_option_has_an_indonesian_help(words: list[str], parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        assert action.help, f"{' '.join(words)}: {action.dest} has no help"
        assert action.help != argparse.SUPPRESS
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help, f"{' '.join(words)} {choice.dest}: no help"


@pytest.mark.parametrize("words", [w for w, _ in PARSERS], ids=[" ".join(w) or "siakgate" for w, _ in PARSERS])
def test_every_help_page_is_indonesian(capsys: pytest.CaptureFixture[str], words: list[str]) -> None:
    text = _help(capsys, words)
    assert text.startswith(f"penggunaan: {' '.join(['siakgate', *words])}")
    assert "tampilkan bantuan ini lalu keluar" in text
    _assert_indonesian(text)


def test_sign_help_explains_every_option_the_issue_named(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, ["sign"])
    for option in ("--p12", "--token", "--key-label", "--signer-name", "--signer-nip", "--trust-root", "--no-fetch"):
        assert option in text
    assert "opsi:" in text
    assert "argumen:" in text
    serve = _help(capsys, ["serve"])
    assert "alamat yang didengarkan" in serve
    assert "port yang didengarkan" in serve


@pytest.mark.parametrize("words", [[], ["demo"], ["sign"]])
def test_help_as_a_process_including_the_demo_driver(words: list[str]) -> None:
    """``python -m siakgate``, and ``demo``, whose parser is built by the demo driver, not by build_parser()."""
    done = subprocess.run(
        [sys.executable, "-m", "siakgate", *words, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"penggunaan: {' '.join(['siakgate', *words])}")
    _assert_indonesian(done.stdout)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from siakgate import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"siakgate {__version__}\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "argumen berikut wajib diisi: PERINTAH"),
        (["tanda-tangan"], "argumen PERINTAH: pilihan tidak valid: 'tanda-tangan' (pilih dari 'verify', 'sign'"),
        (["sign", "-o", "x.pdf"], "argumen berikut wajib diisi: PDF"),
        (["verify", "a.pdf", "--salah"], "argumen tidak dikenal: --salah"),
        (["sign", "a.pdf", "--level", "B-X"], "argumen --level: pilihan tidak valid: 'B-X'"),
        (["sign", "a.pdf", "--out-dir"], "argumen --out-dir: memerlukan satu nilai"),
        (["sign", "a.pdf", "-o", "b.pdf", "--out-dir", "d"], "argumen --out-dir: tidak boleh bersama argumen -o"),
        (["tokens"], "argumen berikut wajib diisi: TINDAKAN"),
        (["tokens", "add", "loket"], "argumen berikut wajib diisi: --role"),
        (["audit", "list", "--limit", "banyak"], "argumen --limit: bukan bilangan bulat: 'banyak'"),
        (["serve", "--port", "-1"], "argumen --port: tidak boleh negatif: '-1'"),
        (["report", "--profile", "p", "--from", "kemarin", "--to", "2026-01-01"], "tanggal tidak valid: 'kemarin'"),
        (["verify", "a.pdf", "--at", "besok"], "bukan waktu ISO 8601: 'besok'"),
        (["sign", "a.pdf", "-o", "b.pdf", "--passphrase", "rahasia"], "argumen tidak dikenal: --passphrase rahasia"),
    ],
)
def test_argparse_errors_in_indonesian(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("penggunaan: siakgate")
    assert ": kesalahan: " in err
    assert expected in err
    _assert_indonesian(err)


def test_argparse_is_itself_again_after_main(capsys: pytest.CaptureFixture[str]) -> None:
    """The translation lives only while ``main`` builds and parses: nothing else in the process is changed."""
    with pytest.raises(SystemExit):
        main(["--help"])
    capsys.readouterr()
    assert argparse._ is gettext.gettext  # type: ignore[attr-defined]
    assert argparse.ArgumentParser(prog="lain").format_usage().startswith("usage: lain")


def test_many_file_sign_without_a_target_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert main(["sign", str(a), str(b), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "-o hanya untuk satu berkas; untuk beberapa berkas gunakan --out-dir FOLDER" in capsys.readouterr().err
    assert main(["sign", str(a)]) == 2
    assert "sebutkan tujuannya: -o HASIL.pdf (satu berkas) atau --out-dir FOLDER" in capsys.readouterr().err
