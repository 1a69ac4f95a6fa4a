"""A BSrE PKI outage (OCSP, CRL, TSA) while the Sekcam and the Kepala Dinas sign: "coba lagi", nothing lost.

The faults are set on mock BSrE's PKI paths only (``mock_bsre_aia`` is also the gateway's BSrE): the CSC
signing calls keep working, only the revocation and timestamp round trips fail.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from api_kit import KEPALA_DINAS_PASSPHRASE, SEKCAM_PASSPHRASE, Api, drive, lost_kk_request

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService, RemoteFaults

OUTAGE = FaultConfig(http_5xx_rate=1.0, paths=["/pki/ocsp", "/pki/crl/", "/pki/tsa"])


def waiting_for(state: str) -> Any:
    return lambda view: view["state"] == state


def test_a_pki_outage_answers_503_and_both_signatures_can_be_given_afterwards(
    api: Api,
    admin: dict[str, str],
    mock_siak: MockService,
    mock_bsre_aia_faults: FaultInjector | RemoteFaults,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = api.client
    created = client.post("/v1/applications", json=lost_kk_request(mock_siak, "kecamatan-sumbersuko"), headers=admin)
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    drive(client, admin, app_id, stop=waiting_for("MENUNGGU_PENGANTAR"))
    collection = client.post("/v1/collections", json={"application_ids": [app_id]}, headers=admin)
    assert collection.status_code == 201, collection.text
    url = f"/v1/collections/{collection.json()['id']}"

    # The Sekcam signs the cover letter during the outage: a temporary problem, not a 500, not a verdict.
    mock_bsre_aia_faults.configure(OUTAGE)
    with caplog.at_level(logging.WARNING):
        refused = client.post(f"{url}/sign", json={"passphrase": SEKCAM_PASSPHRASE}, headers=admin)
    assert refused.status_code == 503, refused.text
    problem = refused.json()
    assert problem["code"] == "OCSP_CRL_TIDAK_TERSEDIA"
    assert "coba lagi" in problem["detail"]
    assert refused.headers["Retry-After"]
    assert client.get(url, headers=admin).json()["state"] == "OPEN"  # nothing recorded: it may be signed again
    records = [r for r in caplog.records if r.name == "siakgate.signing" and hasattr(r, "pki_service")]
    assert records, caplog.text
    for record in records:
        assert record.levelno == logging.WARNING
        assert record.pki_host == "127.0.0.1:8082"
        assert record.error_class in {"OCSPFetchError", "CRLFetchError"}
        assert "http_status" in vars(record)  # None here: pyhanko_certvalidator keeps no status for OCSP/CRL
    assert SEKCAM_PASSPHRASE not in caplog.text

    mock_bsre_aia_faults.configure(FaultConfig())
    signed = client.post(f"{url}/sign", json={"passphrase": SEKCAM_PASSPHRASE}, headers=admin)
    assert signed.status_code == 200, signed.text
    assert signed.json()["state"] == "SIGNED"
    assert client.post(f"{url}/submit", headers=admin).status_code == 200

    # The Kepala Dinas's batch during the outage: every item fails temporarily, the batch waits to be signed again.
    drive(client, admin, app_id, stop=waiting_for("MENUNGGU_TTE"))
    batch = client.post("/v1/signing-batches", json={"application_ids": [app_id]}, headers=admin)
    assert batch.status_code == 201, batch.text
    sign_url = f"/v1/signing-batches/{batch.json()['id']}/sign"
    mock_bsre_aia_faults.configure(OUTAGE)
    failed = client.post(sign_url, json={"passphrase": KEPALA_DINAS_PASSPHRASE}, headers=admin)
    assert failed.status_code == 200, failed.text
    assert failed.json()["state"] == "PENDING"
    assert [(i["state"], i["error_code"]) for i in failed.json()["items"]] == [("FAILED", "OCSP_CRL_TIDAK_TERSEDIA")]
    assert client.get(f"/v1/applications/{app_id}", headers=admin).json()["state"] == "MENUNGGU_TTE"

    mock_bsre_aia_faults.configure(FaultConfig())
    again = client.post(sign_url, json={"passphrase": KEPALA_DINAS_PASSPHRASE}, headers=admin)
    assert again.status_code == 200, again.text
    assert again.json()["state"] == "DONE"
    assert [i["state"] for i in again.json()["items"]] == ["SIGNED"]
