"""A whole application through the API, on SQLite and PostgreSQL: intake to a signed, valid KK in hand."""

from __future__ import annotations

from api_kit import Api, drive, lost_kk_request, siak_stats
from sqlalchemy import select

from mock_common.pytest_plugin import MockService
from siakgate.store.models import Application


def test_a_lost_kk_goes_from_the_village_counter_to_a_signed_kk(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    client = api.client
    before = siak_stats(mock_siak)
    created = client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=admin)
    assert created.status_code == 201, created.text
    app = created.json()
    assert app["state"] == "MENUNGGU_KELENGKAPAN"
    assert app["no_kk_masked"].count("*") == 8

    final = drive(client, admin, app["id"])
    assert final["state"] == "SELESAI"
    assert final["completed_at"] is not None
    assert {"DRAFT_KK", "SIGNED_KK"} <= {doc["kind"] for doc in final["documents"]}
    after = siak_stats(mock_siak)
    assert after["requests"] - before["requests"] == 1
    assert after["signed"] - before["signed"] == 1

    timeline = client.get(f"/v1/applications/{app['id']}/timeline", headers=admin).json()
    assert timeline[0]["actor"] == "admin"
    assert any(entry["standard_minutes"] is not None for entry in timeline)

    signed = client.get(f"/v1/applications/{app['id']}/documents/SIGNED_KK", headers=admin)
    assert signed.headers["content-type"] == "application/pdf"
    report = client.post("/v1/verify", files={"file": ("kk.pdf", signed.content, "application/pdf")}).json()
    assert report["valid"] is True

    # The QR code's target: public, no token, no family data.
    with api.db.unit_of_work(read_only=True) as session:
        ref = session.scalars(select(Application.verify_ref).where(Application.id == app["id"])).one()
    assert ref is not None
    public = client.get(f"/v1/verify/{ref}")
    assert public.status_code == 200, public.text
    body = public.json()
    assert body["valid"] is True
    assert body["signer_name"] == api.settings.kepala_dinas_name
    assert set(body) == {
        "valid",
        "status",
        "signer_name",
        "signed_at",
        "no_kk_masked",
        "document_ref",
        "document_sha256",
    }
    unknown = client.get("/v1/verify/tidak-ada")
    assert unknown.status_code == 404  # an unknown reference is not a document that "is not valid"
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert "signer_name" not in unknown.json()
    page = client.get(f"/v1/verify/{ref}", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "Dokumen SAH" in page.text
    assert body["no_kk_masked"] in page.text

    metrics = client.get("/metrics").text
    assert 'siakgate_signatures_total{backend="remote-hash",result="ok"} 1.0' in metrics
    # Each measured step of the flow was observed once it committed, labelled by profile and step kind.
    assert 'siakgate_workflow_step_duration_seconds_count{profile="loket-desa",step_kind="check"}' in metrics
    assert 'siakgate_workflow_step_duration_seconds_count{profile="loket-desa",step_kind="verify"}' in metrics
    assert 'service="siak"' in metrics


def test_a_kecamatan_application_goes_through_the_sekcam_cover_letter(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    created = api.client.post(
        "/v1/applications", json=lost_kk_request(mock_siak, "kecamatan-sumbersuko"), headers=admin
    )
    assert created.status_code == 201, created.text
    final = drive(api.client, admin, created.json()["id"])
    assert final["state"] == "SELESAI"
    assert final["collection_id"] is not None
    assert "SIGNED_KK" in {doc["kind"] for doc in final["documents"]}
