"""Many files at once (``sign ... --out-dir``, ``verify A B C``): progress, the summary table, the exit code of the
worst file; Ctrl-C stops cleanly (exit 130) and Ctrl-D at a prompt is an Indonesian line, never a traceback."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "verify"))
import verify_kit as kit  # noqa: E402

from siakgate.cli import main  # noqa: E402

P12 = ROOT / "certs" / "p12" / "kepala-dinas.p12"
P12_PASSPHRASE = kit.MANIFEST["entities"]["kepala-dinas"]["p12_passphrase"]
ROOT_PEM = str(ROOT / "certs" / "root-ca.crt")
SIGN_P12 = ["--p12", str(P12), "--level", "B-B", "--passphrase-env", "KK_P12_PASS"]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("many")
    signed = kit.sign(kit.make_pdf())
    files = {
        "draft1": kit.make_pdf(),
        "draft2": kit.make_pdf(),
        "draft3": kit.make_pdf(),
        "good": signed,
        "tampered": kit.flip_signed_byte(signed),
        "unsigned": kit.make_pdf(),
        "notpdf": b"ini bukan PDF\n",
    }
    out = {}
    for name, data in files.items():
        out[name] = base / f"{name}.pdf"
        out[name].write_bytes(data)
    return out


def _env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in ("COLUMNS", "LINES")}
    return {**env, **extra}


def _spawn(args: list[str], *, env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    """``python -m siakgate ARGS`` in its own session (no controlling terminal) with SIGINT at its default."""
    return subprocess.Popen(
        [sys.executable, "-m", "siakgate", *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a runner may start us with it ignored
        **kwargs,  # type: ignore[arg-type]
    )


def _read_until(fd: int, marker: bytes, *, limit: float = 60.0) -> bytes:
    """Read ``fd`` until ``marker`` appears (or the process closes it); what was read."""
    seen = b""
    deadline = time.monotonic() + limit
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # a pty whose other side is closed
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_sign_many_files_into_a_folder(pdfs, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "ttd"
    out.mkdir()
    monkeypatch.setenv("KK_P12_PASS", P12_PASSPHRASE)
    drafts = [str(pdfs[name]) for name in ("draft1", "draft2", "draft3")]
    assert main(["sign", *drafts, "--out-dir", str(out), *SIGN_P12]) == 0
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["draft1.pdf", "draft2.pdf", "draft3.pdf"]
    assert captured.out.splitlines() == [f"Dokumen ditandatangani: {out / Path(d).name}" for d in drafts]
    # stderr is not a terminal under pytest: one plain line per file, then the table and the counts
    assert "[1/3] " in captured.err
    assert "[3/3] " in captured.err
    assert "Ringkasan penandatanganan" in captured.err
    assert captured.err.count("ditandatangani") >= 3
    assert "PAdES B-B" in captured.err
    assert "Jumlah: 3 dari 3 berkas (3 ditandatangani)." in captured.err
    assert P12_PASSPHRASE not in captured.out + captured.err
    # and each signed copy is valid, checked by the same command, all three at once
    signed = [str(p) for p in sorted(out.iterdir())]
    assert main(["verify", *signed, "--trust-root", ROOT_PEM, "--no-fetch"]) == 0
    assert "Jumlah: 3 dari 3 berkas (3 valid)." in capsys.readouterr().err


def test_sign_many_skips_an_unreadable_file_and_exits_2(pdfs, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KK_P12_PASS", P12_PASSPHRASE)
    args = [str(pdfs["draft1"]), str(pdfs["notpdf"]), str(pdfs["draft2"])]
    assert main(["sign", *args, "--out-dir", str(tmp_path), *SIGN_P12]) == 2
    err = capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft1.pdf", "draft2.pdf"]
    assert "notpdf.pdf: berkas ini bukan PDF" in err
    assert "tidak dapat dibaca" in err
    assert "Jumlah: 3 dari 3 berkas (2 ditandatangani, 1 tidak dapat dibaca)." in err


def test_sign_many_with_a_wrong_passphrase_stops_at_the_first(pdfs, tmp_path, monkeypatch, capsys) -> None:
    """One wrong passphrase, not three: a signing service locks a key after a few."""
    monkeypatch.setenv("KK_P12_PASS", "passphrase-salah")
    drafts = [str(pdfs[name]) for name in ("draft1", "draft2", "draft3")]
    assert main(["sign", *drafts, "--out-dir", str(tmp_path), *SIGN_P12]) == 1
    err = capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert err.count("[PASSPHRASE_SALAH]") == 2  # the error line and the table row of the first file only
    assert "penandatanganan dihentikan (PASSPHRASE_SALAH): 2 berkas lain tidak diproses" in err
    assert "Jumlah: 3 dari 3 berkas (1 gagal, 2 tidak diproses)." in err


def test_sign_many_refuses_collisions_before_asking_anything(pdfs, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KK_P12_PASS", P12_PASSPHRASE)
    twin = tmp_path / "lain" / "draft1.pdf"
    twin.parent.mkdir()
    twin.write_bytes(pdfs["draft1"].read_bytes())
    assert main(["sign", str(pdfs["draft1"]), str(twin), "--out-dir", str(tmp_path), *SIGN_P12]) == 2
    assert "dua berkas bernama draft1.pdf" in capsys.readouterr().err
    assert main(["sign", str(twin), str(pdfs["draft2"]), "--out-dir", str(twin.parent), *SIGN_P12]) == 2
    assert "hasil akan menimpa berkas aslinya" in capsys.readouterr().err
    assert main(["sign", str(twin), str(pdfs["draft2"]), "--out-dir", str(tmp_path / "tidak-ada"), *SIGN_P12]) == 2
    assert "folder tujuan tidak ada" in capsys.readouterr().err
    assert main(["sign", str(twin), "--out-dir", str(twin.parent), *SIGN_P12]) == 2  # one file: the same rule
    assert "hasil akan menimpa berkas aslinya" in capsys.readouterr().err
    assert twin.read_bytes() == pdfs["draft1"].read_bytes()


def test_verify_good_tampered_unsigned_summary_and_exit_code(pdfs) -> None:
    args = [str(pdfs["good"]), str(pdfs["tampered"]), str(pdfs["unsigned"]), "--trust-root", ROOT_PEM, "--no-fetch"]
    done = subprocess.run(
        [sys.executable, "-m", "siakgate", "verify", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(COLUMNS="250"),  # a wide table: one line per row
        timeout=120,
        check=False,
    )
    assert done.returncode == 1  # the worst: a tampered document is "not valid", above "cannot be checked"
    lines = done.stdout.splitlines()  # stdout: the results only, one line per verified file
    assert [line.split(": ", 1)[0] for line in lines] == [str(pdfs["good"]), str(pdfs["tampered"])]
    err = done.stderr
    assert "Traceback" not in err
    assert "Ringkasan verifikasi" in err
    table = err[err.index("Ringkasan verifikasi") :]
    for name, result in (("good.pdf", "valid"), ("tampered.pdf", "TIDAK valid"), ("unsigned.pdf", "tidak dapat")):
        row = next(line for line in table.splitlines() if name in line)
        assert result in row, row
    assert "PAdES B-B" in table
    assert "Jumlah: 3 dari 3 berkas (1 valid, 1 TIDAK valid, 1 tidak dapat diperiksa)." in " ".join(err.split())


def test_verify_many_all_valid_or_only_unreadable(pdfs, capsys) -> None:
    args = ["--trust-root", ROOT_PEM, "--no-fetch"]
    assert main(["verify", str(pdfs["good"]), str(pdfs["good"]), *args]) == 0
    assert main(["verify", str(pdfs["good"]), str(pdfs["notpdf"]), *args]) == 2
    assert "tidak dapat diperiksa" in capsys.readouterr().err


def test_progress_bar_only_on_a_terminal(pdfs) -> None:
    """stderr on a terminal: a rich progress bar (taken down at the end), no plain "[1/2]" lines; table still there."""
    master, slave = pty.openpty()
    proc = _spawn(
        ["verify", str(pdfs["good"]), str(pdfs["good"]), "--trust-root", ROOT_PEM, "--no-fetch"],
        env=_env(COLUMNS="100"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    try:
        shown = _read_until(master, b"Jumlah:")
        shown += _read_until(master, b"\n", limit=5)
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(master)
        assert proc.stdout is not None
        proc.stdout.close()
    text = shown.decode(errors="replace")
    assert "Memverifikasi" in text
    assert "[1/2]" not in text
    assert "Ringkasan verifikasi" in text
    assert "Jumlah: 2 dari 2 berkas (2 valid)." in text


@pytest.mark.parametrize(
    ("args", "prompt", "expected"),
    [
        (["sign", "{plain}", "-o", "{out}", "--p12", str(P12), "--level", "B-B"], b"Passphrase/PIN:", "passphrase"),
        (["sign", "{plain}", "-o", "{out}", "--backend", "esign-v2", "--nik", "3508", "--otp"], b"OTP:", "OTP"),
        (["users", "add", "kasi.uji", "--role", "KASI"], b"Kata sandi:", "kata sandi"),
    ],
    ids=["passphrase", "otp", "users-password"],
)
def test_ctrl_d_at_a_prompt(pdfs, tmp_path, args: list[str], prompt: bytes, expected: str) -> None:
    """Ctrl-D (end of input) at a terminal prompt: one Indonesian line, exit 2, no EOFError traceback."""
    out = tmp_path / "out.pdf"
    argv = [arg.format(plain=pdfs["draft1"], out=out) for arg in args]
    master, slave = pty.openpty()
    env = _env(SIAKGATE_DATABASE_URL=f"sqlite:///{tmp_path / 'uji.db'}")
    proc = _spawn(argv, env=env, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(slave)
    try:
        assert proc.stderr is not None
        asked = _read_until(proc.stderr.fileno(), prompt)
        assert prompt in asked, asked.decode(errors="replace")
        os.write(master, b"\x04")
        rest = proc.stderr.read()
        assert proc.wait(timeout=60) == 2
    finally:
        os.close(master)
        for stream in (proc.stdout, proc.stderr):
            assert stream is not None
            stream.close()
    err = (asked + rest).decode()
    assert f"siakgate: Dibatalkan: {expected} tidak dimasukkan." in err
    assert "Traceback" not in err
    assert "EOFError" not in err
    assert not out.exists()


@pytest.mark.parametrize("command", ["verify", "sign"])
def test_ctrl_c_in_a_many_file_run(pdfs, tmp_path, command: str) -> None:
    """SIGINT mid-run: what was finished is listed, nothing half-written is left, exit 130, no traceback."""
    source = pdfs["good"] if command == "verify" else pdfs["draft1"]
    inputs = tmp_path / "masuk"
    inputs.mkdir()
    files = []
    for number in range(300):  # far more than can be done before the signal arrives
        files.append(inputs / f"kk-{number:03}.pdf")
        files[-1].write_bytes(source.read_bytes())
    out = tmp_path / "keluar"
    out.mkdir()
    if command == "verify":
        args = ["verify", *map(str, files), "--trust-root", ROOT_PEM, "--no-fetch"]
    else:
        args = ["sign", *map(str, files), "--out-dir", str(out), *SIGN_P12]
    proc = _spawn(
        args,
        env=_env(KK_P12_PASS=P12_PASSPHRASE),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stderr is not None
        assert proc.stdout is not None
        started = _read_until(proc.stderr.fileno(), b"[2/300]")
        assert b"[2/300]" in started, started.decode(errors="replace")
        proc.send_signal(signal.SIGINT)
        stdout, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = (started + rest).decode()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    assert "Ringkasan" in err
    assert "Dihentikan (Ctrl-C):" in err
    done = stdout.decode().splitlines()
    assert 2 <= len(done) < 300
    assert "berkas tidak diproses" in err
    assert f"Jumlah: {len(done)} dari 300 berkas" in err
    if command == "sign":
        written = sorted(out.iterdir())
        assert [p.name for p in written] == [f"kk-{n:03}.pdf" for n in range(len(done))]  # no temporary file
        assert all(p.read_bytes().rstrip().endswith(b"%%EOF") for p in written)


def test_rich_is_loaded_only_by_a_many_file_run(pdfs) -> None:
    """``--help`` and a one-file run stay as quick as before: rich comes in with the first many-file run."""
    good = str(pdfs["good"])
    probe = (
        "import contextlib, io, json, sys\n"
        "from siakgate.cli import main\n"
        "seen = []\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    with contextlib.suppress(SystemExit):\n"
        "        main(['--help'])\n"
        "    seen.append('rich' in sys.modules)\n"
        f"    main(['verify', {good!r}, '--trust-root', {ROOT_PEM!r}, '--no-fetch'])\n"
        "    seen.append('rich' in sys.modules)\n"
        f"    main(['verify', {good!r}, {good!r}, '--trust-root', {ROOT_PEM!r}, '--no-fetch'])\n"
        "    seen.append('rich' in sys.modules)\n"
        "print(json.dumps(seen))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[false, false, true]"


def test_one_file_into_a_folder(pdfs, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KK_P12_PASS", P12_PASSPHRASE)
    assert main(["sign", str(pdfs["draft1"]), "--out-dir", str(tmp_path), *SIGN_P12]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"Dokumen ditandatangani: {tmp_path / 'draft1.pdf'}\n"
    assert "Ringkasan" not in captured.err  # one file: no table, as before
    assert [p.name for p in tmp_path.iterdir()] == ["draft1.pdf"]
