"""The development gateway's Kepala Dinas signs Kab. Lumajang's KKs only (SQLite and PostgreSQL).

Its settings bind the key to 3508 by default (``signing.regencies``); a Kab. Bandung family's KK in the same
batch is that application's failure, shown on the batch and on the application, not a 500.
"""

from __future__ import annotations

import pytest
from api_kit import DINAS_REGENCY, Api, drive, lost_kk_request
from pydantic import ValidationError

from mock_common.pytest_plugin import MockService
from siakgate.api.signers import build_signers
from siakgate.config import Settings, SigningSettings
from siakgate.errors import SigningConfigError
from siakgate.signing import JurisdictionGuard

BANDUNG = "3204"


def test_a_kk_of_another_regency_is_refused_on_its_application(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    client = api.client
    assert api.settings.signing.regencies == [DINAS_REGENCY]
    ids = []
    for region in (DINAS_REGENCY, BANDUNG):
        created = client.post("/v1/applications", json=lost_kk_request(mock_siak, region=region), headers=admin)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
        view = drive(client, admin, ids[-1], stop=lambda v: v["state"] == "MENUNGGU_TTE")
        assert view["state"] == "MENUNGGU_TTE"
    own, other = ids

    batch = client.post("/v1/signing-batches", json={"application_ids": ids}, headers=admin)
    assert batch.status_code == 201, batch.text
    signed = client.post(
        f"/v1/signing-batches/{batch.json()['id']}/sign", json={"passphrase": "kepala-dinas-uji-123"}, headers=admin
    )
    assert signed.status_code == 200, signed.text
    items = {item["application_id"]: item for item in signed.json()["items"]}
    assert items[own]["state"] == "SIGNED", items[own]
    assert items[other]["state"] == "FAILED"
    assert items[other]["error_code"] == "WILAYAH_DI_LUAR_KEWENANGAN"
    assert "di luar kewenangan" in items[other]["error_message"]

    refused = client.get(f"/v1/applications/{other}", headers=admin).json()
    assert refused["state"] == "MENUNGGU_TTE"
    assert refused["last_error_code"] == "WILAYAH_DI_LUAR_KEWENANGAN"
    assert "SIGNED_KK" not in {doc["kind"] for doc in refused["documents"]}
    assert client.get(f"/v1/applications/{other}/documents/SIGNED_KK", headers=admin).status_code == 404

    assert drive(client, admin, own)["state"] == "SELESAI"
    metrics = client.get("/metrics").text
    assert 'siakgate_signatures_total{backend="remote-hash",result="WILAYAH_DI_LUAR_KEWENANGAN"} 1.0' in metrics


def development(**signing: object) -> Settings:
    values = {"backend": "remote-hash", "csc_credential_id": "kepala-dinas", "sekcam_csc_credential_id": "sekcam"}
    return Settings(_env_file=None, environment="development", signing={**values, **signing})  # type: ignore[arg-type]


def test_the_kepala_dinas_key_is_bound_to_the_configured_regencies() -> None:
    signer, sekcam = build_signers(development(), None)  # type: ignore[arg-type]  # nothing is reached here
    assert isinstance(signer, JurisdictionGuard)
    assert signer.jurisdiction.regencies == {DINAS_REGENCY}  # development: the test PKI's Kepala Dinas, Lumajang
    assert sekcam is not None
    assert not isinstance(sekcam, JurisdictionGuard)  # the Sekcam signs cover letters, not KKs
    signer, _ = build_signers(development(regencies=["32.04", "3508"]), None)  # type: ignore[arg-type]
    assert isinstance(signer, JurisdictionGuard)
    assert signer.jurisdiction.regencies == {BANDUNG, DINAS_REGENCY}


def test_regencies_are_4_digit_codes_and_required_to_start() -> None:
    assert SigningSettings(regencies=["35.08", "3509", "3508"]).regencies == ["3508", "3509"]
    with pytest.raises(ValidationError, match="4-digit regency codes"):
        SigningSettings(regencies=["350810"])
    unbound = development()
    unbound.signing.regencies = []  # what a production setting without SIAKGATE_SIGNING__REGENCIES leaves
    with pytest.raises(SigningConfigError, match="SIAKGATE_SIGNING__REGENCIES"):
        build_signers(unbound, None)  # type: ignore[arg-type]
