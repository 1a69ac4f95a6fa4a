"""Helpers for the workflow tests: a clock, families, actors per role, and a driver that walks an
application through its profile as the calling systems would."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import document_kit
import family_kit
import httpx

from mock_bsre.pki import load_pki
from mock_common.pytest_plugin import MockService
from siakgate.domain import (
    KartuKeluarga,
)
from siakgate.signing import Credential, PadesLevel, Pkcs12Backend, SigningOptions
from siakgate.store import Database, DocumentStore
from siakgate.workflow import Actor, ApplicationView, State, TteBlockFactory, Workflow
from siakgate.workflow.calendar import WorkingCalendar
from siakgate.workflow.profiles import Role

PDF = document_kit.scan_pdf()  # a real PDF: uploads are parsed (siakgate.store.screening)
REQUIREMENT_FILE = PDF


@dataclass
class Clock:
    """The workflow's clock seam: real time plus an offset a test moves forward."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **kwargs: float) -> None:
        self.offset += timedelta(**kwargs)


def actor(*roles: Role | str, region: str = "", name: str | None = None) -> Actor:
    label = name or "tok-" + "-".join(str(r).lower() for r in roles)
    return Actor(name=label, roles=frozenset(str(r) for r in roles), region_prefix=region)


_serials = itertools.count(random.Random().randrange(2000, 6000, 100))

NEW_REGION = "3204152006"


def new_couple(husband: str = "RAHMAT WORKFLOWUJI") -> KartuKeluarga:
    """A newly married couple with fresh NIKs (KK_BARU_MENIKAH): SIAK assigns the No. KK."""
    return family_kit.new_couple(husband, "DEWI WORKFLOWUJI", _serials)


_sample_index = itertools.count()


def existing_kk(service: MockService) -> str:
    """The No. KK of a family SIAK already holds, a different one each call."""
    n = next(_sample_index) + 1
    response = httpx.get(f"{service.url}/_admin/sample", params={"n": 60}, timeout=10)
    response.raise_for_status()
    family: dict[str, Any] = response.json()["families"][-n]
    no_kk: str = family["NO_KK"]
    return no_kk


siak_stats = family_kit.mock_siak_stats


async def region_of(workflow: Workflow, no_kk: str) -> str:
    kk = await workflow._deps.siak.get_family(no_kk)
    return kk.province_code + kk.regency_code + kk.district_code + kk.village_code


async def settle(workflow: Workflow) -> None:
    """Run the worker until no job is due."""
    for _ in range(20):
        if await workflow.run_pending() == 0:
            return
    raise AssertionError("jobs keep coming")


async def step_actor(workflow: Workflow, view: ApplicationView) -> Actor:
    assert view.awaiting_role is not None
    return actor(view.awaiting_role)


async def drive(workflow: Workflow, app_id: str, *, until: set[State]) -> ApplicationView:
    """Walk the application forward as each role would, until it reaches one of ``until``."""
    admin = actor("ADMIN")
    for _ in range(40):
        view = await workflow.get(app_id, admin)
        state = State(view.state)
        if state in until:
            return view
        if state is State.DIPROSES_SIAK:
            await settle(workflow)
            continue
        who = await step_actor(workflow, view)
        if state is State.MENUNGGU_KELENGKAPAN:
            applicant = actor(Role.PEMOHON)
            for code in view.missing_requirements:
                await workflow.add_document(
                    app_id,
                    applicant,
                    requirement=code,
                    data=REQUIREMENT_FILE,
                    media_type="application/pdf",
                    filename=f"{code}.pdf",
                )
            await workflow.act(app_id, who, "complete")
        elif state is State.MENUNGGU_KONFIRMASI_PEMOHON:
            await workflow.act(app_id, who, "confirm")
        elif state is State.MENUNGGU_VERIFIKASI:
            await workflow.act(app_id, who, "approve")
        elif state is State.MENUNGGU_CETAK:
            await workflow.act(app_id, who, "printed")
        elif state is State.MENUNGGU_PENYERAHAN:
            await workflow.act(app_id, who, "delivered")
        else:
            raise AssertionError(f"cannot drive {app_id} from {state}")
    raise AssertionError("too many steps")


async def new_application(workflow: Workflow, profile_id: str = "dinas-loket-antrian") -> str:
    """A newly married couple's KK application (KK_BARU_MENIKAH, fresh NIKs) opened by the applicant."""
    view = await workflow.create_application(
        actor(Role.PEMOHON),
        profile_id=profile_id,
        case_type="KK_BARU_MENIKAH",
        region_code=NEW_REGION,
        applicant_phone=None,
        family=new_couple(),
        no_kk=None,
        idempotency_key=None,
        request_hash=None,
    )
    return view.id


def passphrase(name: str) -> Credential:
    value = load_pki().entity(name)["p12_passphrase"]
    assert isinstance(value, str)
    return Credential.passphrase(value)


def p12(name: str) -> Pkcs12Backend:
    return Pkcs12Backend(load_pki().certs_dir / "p12" / f"{name}.p12")


def make_workflow(
    database: Database,
    document_store: DocumentStore,
    siak: object,
    clock: Clock,
    profiles: dict[str, object],
    **overrides: Any,
) -> Workflow:
    values: dict[str, Any] = {"signing": p12("kepala-dinas"), **overrides}
    return Workflow(
        db=database,
        documents=document_store,
        profiles=profiles,  # type: ignore[arg-type]
        siak=siak,  # type: ignore[arg-type]
        signing_options=SigningOptions(level=PadesLevel.B_B),
        sekcam_signing=p12("sekcam"),
        tte=TteBlockFactory("http://127.0.0.1:8000", "Drs. Bambang Setiawan, M.Si.", "19720512 199803 1 004"),
        calendar=WorkingCalendar(),
        clock=clock,
        **values,
    )
