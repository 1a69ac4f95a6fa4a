"""The benchmark keeps working (structure, not speed), and it refuses to report outputs that do not validate.

One quick run (N=3, the rows that need no 1,000 documents, mock BSrE in its own process) checks the table and the
JSON; the validator is fed unsigned, tampered and under-levelled files and must refuse each; a row whose signer
returns broken files is printed as REFUSED and the run exits non-zero.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_kit
import sign_bench


@pytest.fixture(scope="module")
def quick_run() -> tuple[dict[str, object], str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = sign_bench.main(["--quick", "--json"])
    result = json.loads(out.getvalue())
    assert code == 0, result["refused"]
    return result, sign_bench.table(result)


def test_quick_run_reports_every_selected_row(quick_run: tuple[dict[str, object], str]) -> None:
    result, printed = quick_run
    assert result["refused"] == []
    rows = {row["row"]: row for row in result["rows"]}  # type: ignore[attr-defined]
    for name in (
        "1 B-B invisible: plain pyHanko recipe",
        "1 B-B invisible: tuned pyHanko recipe",
        "1 B-B invisible: siakgate (1 core)",
        "1 B-B invisible: siakgate, 2 cores",
        "2 B-B visible TTE block: siakgate",
        "3 B-T: tuned pyHanko recipe",
        "3 B-T: siakgate",
        "3 B-LT: tuned pyHanko recipe",
        "3 B-LT: siakgate",
        "7 verify B-B offline: siakgate",
        "7 verify B-LT offline: siakgate",
    ):
        assert name in rows, name
    for name, row in rows.items():
        figures = row["figures"]
        if "cpu_ms_per_doc" in figures:  # a signing side: N documents, every one timed, a sample validated
            assert figures["documents"] == 3, name
            assert figures["cpu_ms_per_doc"] > 0, name
            assert figures["docs_per_s_wall"] > 0, name
            assert figures["validated"] >= 2, name
            assert figures["cpu_ms_per_doc"] == pytest.approx(1000 * figures["cpu_s"] / 3, rel=0.05, abs=0.02), name
    ours = rows["1 B-B invisible: siakgate (1 core)"]
    tuned = rows["1 B-B invisible: tuned pyHanko recipe"]["figures"]
    expected = tuned["cpu_ms_per_doc"] / ours["figures"]["cpu_ms_per_doc"]
    assert ours["figures"]["cpu_ratio_vs_tuned"] == pytest.approx(expected, rel=0.02)
    assert ours["goal"] == "<= 2.5 ms CPU/doc"
    assert ours["met"] is (ours["figures"]["cpu_ms_per_doc"] <= 2.5)
    for level in ("B-B", "B-LT"):
        verify = rows[f"7 verify {level} offline: siakgate"]["figures"]
        assert set(verify) == {"siakgate", "pyHanko"}
    header, rule = printed.splitlines()[:2]
    assert header.split()[:4] == ["row", "measured", "goal", "met"]
    assert header.rstrip().endswith("note")
    assert set(rule) == {"-"}
    assert "make bench-api" in printed.splitlines()[-1]


def test_sample_is_at_least_ten_percent_and_two() -> None:
    assert bench_kit.sample(1) == [0]
    assert bench_kit.sample(3) == [0, 2]
    picked = bench_kit.sample(50)
    assert len(picked) == 5
    assert picked[0] == 0
    assert picked[-1] == 49
    assert len(bench_kit.sample(1000)) == 100


def test_validator_refuses_unsigned_tampered_and_underlevelled_files() -> None:
    pki = bench_kit.Pki(bench_kit.CERTS)
    (pdf,) = bench_kit.render_documents(1)
    with pytest.raises(bench_kit.Refused, match="no signature"):
        bench_kit.validate(pdf, "B-B", pki)
    (signed,) = sign_bench.tuned_recipe([pdf], pki)
    bench_kit.validate(signed, "B-B", pki)
    with pytest.raises(bench_kit.Refused, match="timestamp"):
        bench_kit.validate(signed, "B-T", pki)
    with pytest.raises(bench_kit.Refused, match="DSS"):
        bench_kit.validate(signed, "B-LT", pki)
    # One byte of the original document changed after signing: the digest no longer matches.
    at = len(pdf) // 2
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :]
    with pytest.raises(bench_kit.Refused):
        bench_kit.validate(tampered, "B-B", pki)
    with pytest.raises(bench_kit.Refused, match="side-x: document 2"):
        bench_kit.check_outputs("side-x", [pdf] * 3, [signed, signed, tampered], "B-B", pki)
    with pytest.raises(bench_kit.Refused, match="not signed"):
        bench_kit.check_outputs("side-x", [pdf] * 3, [signed, pdf, signed], "B-B", pki)
    with pytest.raises(bench_kit.Refused, match="2 outputs for 3"):
        bench_kit.check_outputs("side-x", [pdf] * 3, [signed, signed], "B-B", pki)


def test_a_row_with_broken_outputs_is_refused_not_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(pdfs: Sequence[bytes], pki: bench_kit.Pki, *args: object, **kwargs: object) -> list[bytes]:
        # Looks like an incremental update, carries no valid signature.
        return [pdf + b"\n%garbage\n" for pdf in pdfs]

    monkeypatch.setattr(sign_bench, "siakgate_pkcs12", broken)
    code = sign_bench.main(["--rows", "2", "-n", "2"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "REFUSED: row 2: siakgate TTE: document 0: no signature" in printed
    assert "2 B-B visible TTE block" not in printed
