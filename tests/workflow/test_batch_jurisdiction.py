"""A signing batch with a KK of another regency: that KK fails alone, the others are signed (SQLite and PostgreSQL).

The Kepala Dinas's key is Lumajang's (certs: O=Dinas ... Kabupaten Lumajang) and bound to 3508, as the gateway
builds it from ``SIAKGATE_SIGNING__REGENCIES``; a Kab. Bandung family's lost KK sits in the same batch.
"""

from __future__ import annotations

import random

import httpx
import pytest
from sqlalchemy import select
from workflow_kit import actor, drive, make_workflow, passphrase, region_of, settle

from mock_bsre.pki import load_pki
from mock_common.pytest_plugin import MockService
from siakgate.errors import NotFoundError
from siakgate.siak import SiakClient
from siakgate.signing.factory import BackendSpec, build_backend
from siakgate.store import Database, DocumentStore
from siakgate.store.models import ApplicationDocument, SigningSend
from siakgate.workflow import State, Workflow
from siakgate.workflow.profiles import Role

pytestmark = pytest.mark.anyio

APPLICANT = actor(Role.PEMOHON)
KEPALA_DINAS = actor(Role.KEPALA_DINAS)
ADMIN = actor("ADMIN")
LUMAJANG, BANDUNG = "3508", "3204"


def family_of(service: MockService, regency: str) -> str:
    """The No. KK of a family of ``regency`` that SIAK holds (a random one: the mock is shared by the session)."""
    response = httpx.get(f"{service.url}/_admin/sample", params={"n": 100, "region": regency}, timeout=10)
    response.raise_for_status()
    families = response.json()["families"]
    assert families
    assert all(f["NO_KK"].startswith(regency) for f in families)
    no_kk: str = random.choice(families)["NO_KK"]
    return no_kk


@pytest.fixture
def bound_workflow(
    database: Database, document_store: DocumentStore, siak: SiakClient, clock: object, profiles: dict[str, object]
) -> Workflow:
    key = load_pki().certs_dir / "p12" / "kepala-dinas.p12"
    signing = build_backend(BackendSpec("pkcs12", pkcs12_path=key, regencies=(LUMAJANG,)))
    return make_workflow(database, document_store, siak, clock, profiles, signing=signing)  # type: ignore[arg-type]


async def lost_kk(workflow: Workflow, no_kk: str) -> str:
    view = await workflow.create_application(
        APPLICANT,
        profile_id="loket-desa",
        case_type="HILANG",
        region_code=await region_of(workflow, no_kk),
        applicant_phone=None,
        family=None,
        no_kk=no_kk,
        idempotency_key=None,
        request_hash=None,
    )
    await drive(workflow, view.id, until={State.MENUNGGU_TTE})
    return view.id


async def test_a_kk_of_another_regency_fails_alone_and_nothing_is_stored_for_it(
    bound_workflow: Workflow, mock_siak: MockService, database: Database
) -> None:
    workflow = bound_workflow
    own = await lost_kk(workflow, family_of(mock_siak, LUMAJANG))
    other = await lost_kk(workflow, family_of(mock_siak, BANDUNG))
    own_too = await lost_kk(workflow, family_of(mock_siak, LUMAJANG))

    batch = await workflow.create_signing_batch(KEPALA_DINAS, [own, other, own_too])
    batch = await workflow.sign_batch(batch.id, KEPALA_DINAS, passphrase("kepala-dinas"))
    items = {item.application_id: item for item in batch.items}
    assert items[own].state == items[own_too].state == "SIGNED"
    assert items[other].state == "FAILED"
    assert items[other].error_code == "WILAYAH_DI_LUAR_KEWENANGAN"
    assert items[other].error_message is not None
    assert "32.04" in items[other].error_message
    assert batch.state == "PENDING"  # not DONE: one item is not signed

    # The refused application waits where it was, with its error; nothing signed is stored for it.
    refused = await workflow.get(other, ADMIN)
    assert refused.state == State.MENUNGGU_TTE
    assert refused.last_error_code == "WILAYAH_DI_LUAR_KEWENANGAN"
    assert "SIGNED_KK" not in {d.kind for d in refused.documents}
    with pytest.raises(NotFoundError):
        await workflow.document(other, APPLICANT, "SIGNED_KK")
    with database.unit_of_work(read_only=True) as session:
        kinds = set(
            session.scalars(select(ApplicationDocument.kind).where(ApplicationDocument.application_id == other))
        )
        sends = list(session.scalars(select(SigningSend).where(SigningSend.application_id == other)))
    assert "SIGNED_KK" not in kinds
    assert [(s.outcome, s.error_code, s.signed_sha256) for s in sends] == [
        ("FAILED", "WILAYAH_DI_LUAR_KEWENANGAN", None)
    ]

    # The other applications of the batch go on to SIAK and finish.
    await settle(workflow)
    for app_id in (own, own_too):
        view = await drive(workflow, app_id, until={State.SELESAI})
        assert view.last_error_code is None
        signed, _ = await workflow.document(app_id, APPLICANT, "SIGNED_KK")
        assert signed.startswith(b"%PDF")

    # Signing the batch again refuses the same KK again and signs nothing twice.
    again = await workflow.sign_batch(batch.id, KEPALA_DINAS, passphrase("kepala-dinas"))
    assert {i.application_id: (i.state, i.error_code) for i in again.items}[other] == (
        "FAILED",
        "WILAYAH_DI_LUAR_KEWENANGAN",
    )
    assert (await workflow.get(other, ADMIN)).state == State.MENUNGGU_TTE
