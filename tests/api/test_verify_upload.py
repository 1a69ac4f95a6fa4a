"""``POST /v1/verify`` validates in the past: a KK proven to exist while its signer's certificate was in force is
valid after the certificate expired, with the time it was proven to exist; ``at`` validates as of a moment."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from api_kit import Api

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "verify"))
import verify_kit as kit  # noqa: E402


def test_upload_of_a_kk_whose_signer_has_since_expired(api: Api) -> None:
    pdf = kit.sign_at(datetime(2022, 6, 1, 3, 15, tzinfo=UTC), "signer-expired")  # certificate ended 2023-01-01
    response = api.client.post("/v1/verify", files={"file": ("kk.pdf", pdf, "application/pdf")})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is True, report["summary"]
    assert report["indication"] == "VALID_AT_SIGNING_TIME"
    assert report["signatures"][0]["proven_at"].startswith("2022-06-01T03:15")
    assert "sertifikat kini telah kedaluwarsa" in report["summary"]

    fresh = kit.sign(kit.make_pdf())  # B-B by kepala-dinas, whose certificate ends 2035-12-31
    as_of_2036 = api.client.post(
        "/v1/verify", files={"file": ("kk.pdf", fresh, "application/pdf")}, data={"at": "2036-06-01T00:00:00+07:00"}
    ).json()
    assert as_of_2036["valid"] is False
    assert as_of_2036["indication"] == "INVALID"
    assert "kedaluwarsa" in as_of_2036["signatures"][0]["trust"]["explanation"]
    as_of_2030 = api.client.post(
        "/v1/verify", files={"file": ("kk.pdf", fresh, "application/pdf")}, data={"at": "2030-06-01T10:00"}
    ).json()
    assert as_of_2030["valid"] is True  # a time without a zone is WIB; nothing is fetched for another day
