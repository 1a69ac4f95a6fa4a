"""``/v1/applications``: create (idempotent), list, read, timeline, documents, step actions.

Every route authenticates the caller (:data:`~siakgate.api.deps.CurrentActor`) and hands the decision
to the workflow, which authorises by role and region and raises siakgate's errors; the problem
handlers turn those into RFC 9457 answers. Nothing here changes state on its own.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, Response, UploadFile, status

from siakgate.api.deps import ApplicantCheckDep, CurrentActor, GatewayDep, WorkflowDep
from siakgate.api.params import Offset
from siakgate.api.schemas import ActionRequest, ApplicationCreate, ApplicationOut, DocumentOut, TimelineEntryOut
from siakgate.archive.recover import ArchiveCopies
from siakgate.audit import record_read
from siakgate.domain import parse_family
from siakgate.errors import DocumentRejectedError
from siakgate.store.screening import download_headers

router = APIRouter(prefix="/v1/applications", tags=["applications"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="A key chosen by the caller: repeating the request with it returns the first answer.",
    ),
]


def request_hash(body: ApplicationCreate) -> str:
    """The canonical hash of a create request (same body, in any key order, → same hash)."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationOut,
    summary="Buat permohonan KK",
)
async def create_application(
    body: ApplicationCreate,
    actor: CurrentActor,
    workflow: WorkflowDep,
    applicant_check: ApplicantCheckDep,
    idempotency_key: IdempotencyKey = None,
) -> ApplicationOut:
    family = parse_family(body.family) if body.family is not None else None
    view = await workflow.create_application(
        actor,
        profile_id=body.profile_id,
        case_type=body.case_type,
        region_code=body.region_code,
        applicant_phone=body.applicant_phone,
        family=family,
        no_kk=body.no_kk,
        idempotency_key=idempotency_key,
        request_hash=request_hash(body) if idempotency_key else None,
        applicant_check=applicant_check,  # Dukcapil's NIK check when enabled (siakgate.workflow.applicant)
    )
    return ApplicationOut.model_validate(view)


@router.get("", response_model=list[ApplicationOut], summary="Daftar permohonan (terfilter)")
async def list_applications(
    actor: CurrentActor,
    workflow: WorkflowDep,
    profile: Annotated[str | None, Query(description="Service profile id")] = None,
    state: Annotated[str | None, Query(description="e.g. MENUNGGU_VERIFIKASI")] = None,
    awaiting_role: Annotated[str | None, Query(description="The role whose action is awaited, e.g. KASI")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> list[ApplicationOut]:
    views = await workflow.list(
        actor, profile_id=profile, state=state, awaiting_role=awaiting_role, limit=limit, offset=offset
    )
    return [ApplicationOut.model_validate(view) for view in views]


@router.get("/{application_id}", response_model=ApplicationOut, summary="Status permohonan")
async def get_application(
    application_id: str, actor: CurrentActor, workflow: WorkflowDep, gateway: GatewayDep
) -> ApplicationOut:
    view = await workflow.get(application_id, actor)
    await record_read(
        gateway.read_audit or gateway.db,
        actor.name,
        what="APPLICATION_DETAIL",
        application_id=view.id,
        at=gateway.clock.now(),
    )
    return ApplicationOut.model_validate(view)


@router.get(
    "/{application_id}/timeline",
    response_model=list[TimelineEntryOut],
    summary="Riwayat: siapa, apa, kapan; waktu nyata terhadap standar",
)
async def get_timeline(application_id: str, actor: CurrentActor, workflow: WorkflowDep) -> list[TimelineEntryOut]:
    return [TimelineEntryOut.model_validate(entry) for entry in await workflow.timeline(application_id, actor)]


@router.post(
    "/{application_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
    summary="Unggah dokumen persyaratan (PDF, JPEG, PNG)",
)
async def upload_document(
    application_id: str,
    actor: CurrentActor,
    workflow: WorkflowDep,
    gateway: GatewayDep,
    requirement: Annotated[str, Form(min_length=1, max_length=64, description="Requirement code, e.g. KK_LAMA")],
    file: Annotated[UploadFile, File(description="The scanned document")],
) -> DocumentOut:
    limit = gateway.settings.max_upload_bytes
    # Read one byte past the limit: enough to refuse without holding an arbitrarily large body.
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise DocumentRejectedError(
            f"Berkas terlalu besar: paling besar {limit // (1024 * 1024)} MiB.", code="DOKUMEN_TERLALU_BESAR"
        )
    view = await workflow.add_document(
        application_id,
        actor,
        requirement=requirement,
        data=data,
        media_type=file.content_type or "application/octet-stream",
        filename=(file.filename or "dokumen")[-255:],
    )
    return DocumentOut.model_validate(view)


@router.get(
    "/{application_id}/documents/{kind}",
    response_class=Response,
    summary="Ambil dokumen (DRAFT_KK, SIGNED_KK, atau kode persyaratan)",
    responses={200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}}},
)
async def get_document(
    application_id: str, kind: str, actor: CurrentActor, workflow: WorkflowDep, gateway: GatewayDep
) -> Response:
    # A corrupt stored file is served from a good archive copy, and repaired (siakgate.archive.recover).
    data, media_type = await workflow.document(application_id, actor, kind, copies=ArchiveCopies(gateway.archive))
    await record_read(
        gateway.read_audit or gateway.db,
        actor.name,
        what="DOCUMENT",
        application_id=application_id,
        kind=kind,
        at=gateway.clock.now(),
    )
    filename = f"{kind.lower()}-{application_id}.{_extension(media_type)}"
    return Response(
        data,
        media_type=media_type,
        headers={**download_headers(filename), "Cache-Control": "no-store"},
    )


def _extension(media_type: str) -> str:
    return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(media_type, "bin")


@router.post(
    "/{application_id}/actions/{action}",
    response_model=ApplicationOut,
    summary="Lakukan tindakan langkah (complete, incomplete, confirm, approve, reject, printed, delivered, ...)",
)
async def act(
    application_id: str,
    action: str,
    actor: CurrentActor,
    workflow: WorkflowDep,
    body: ActionRequest | None = None,
) -> ApplicationOut:
    body = body or ActionRequest()
    view = await workflow.act(application_id, actor, action, reason=body.reason, missing=body.missing)
    return ApplicationOut.model_validate(view)
