"""The benchmark keeps working (structure, not speed): N=3, both levels, both sides verified."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import sign_bench


def test_bench_runs_and_reports_both_sides() -> None:
    result = sign_bench.run_bench(3, ("B-B", "B-T"))
    assert [row["level"] for row in result["rows"]] == ["B-B", "B-T"]
    for row in result["rows"]:
        assert row["documents"] == 3
        assert row["recipe_docs_per_second"] > 0
        assert row["siakgate_docs_per_second"] > 0
        expected = row["recipe_seconds"] / row["siakgate_seconds"]  # same N on both sides
        assert abs(row["ratio"] - expected) < 0.05 * expected
    assert "ratio" in sign_bench.table(result)


def test_check_rejects_an_unsigned_or_broken_output() -> None:
    import pytest

    pdf = sign_bench.render_documents(1)[0]
    with pytest.raises(Exception):  # noqa: B017 - no signature at all
        sign_bench.check(pdf, timestamped=False)
    (signed,) = sign_bench.recipe([pdf], None)
    sign_bench.check(signed, timestamped=False)
    with pytest.raises(RuntimeError, match="timestamp"):
        sign_bench.check(signed, timestamped=True)
