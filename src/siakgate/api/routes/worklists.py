"""``/v1/print-list`` (SIAK's certified KKs to print) and ``/v1/collections`` (a kecamatan's batches)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from siakgate.api.deps import CurrentActor, WorkflowDep
from siakgate.api.params import IsoDate
from siakgate.api.routes.signing import credential_of
from siakgate.api.schemas import CollectionCreate, CollectionOut, PrintListEntryOut, SignRequestBody
from siakgate.store.screening import download_headers

router = APIRouter(prefix="/v1", tags=["worklists"])


@router.get("/print-list", response_model=list[PrintListEntryOut], summary="Daftar cetak KK tersertifikasi")
async def print_list(
    actor: CurrentActor,
    workflow: WorkflowDep,
    day: Annotated[IsoDate | None, Query(description="Certified on this day (YYYY-MM-DD); default all")] = None,
    region: Annotated[str, Query(pattern=r"^(\d{2}|\d{4}|\d{6}|\d{10})?$", description="Region prefix")] = "",
) -> list[PrintListEntryOut]:
    entries = await workflow.print_list(actor, day=day, region_prefix=region)
    return [PrintListEntryOut.model_validate(entry) for entry in entries]


@router.post(
    "/collections",
    status_code=status.HTTP_201_CREATED,
    response_model=CollectionOut,
    summary="Kecamatan: kumpulkan permohonan dalam satu pengantar",
)
async def create_collection(body: CollectionCreate, actor: CurrentActor, workflow: WorkflowDep) -> CollectionOut:
    return CollectionOut.model_validate(await workflow.collect_kecamatan_batch(actor, body.application_ids))


@router.get("/collections/{collection_id}", response_model=CollectionOut, summary="Status pengantar kecamatan")
async def get_collection(collection_id: str, actor: CurrentActor, workflow: WorkflowDep) -> CollectionOut:
    return CollectionOut.model_validate(await workflow.get_collection(collection_id, actor))


@router.post(
    "/collections/{collection_id}/sign",
    response_model=CollectionOut,
    summary="Sekcam menandatangani surat pengantar (passphrase atau OTP, tidak pernah dicatat)",
)
async def sign_cover_letter(
    collection_id: str, body: SignRequestBody, actor: CurrentActor, workflow: WorkflowDep
) -> CollectionOut:
    credential = credential_of(body)
    body.passphrase = body.otp = None
    try:
        view = await workflow.sign_cover_letter(collection_id, actor, credential)
    finally:
        credential.wipe()
    return CollectionOut.model_validate(view)


@router.post(
    "/collections/{collection_id}/submit",
    response_model=CollectionOut,
    summary="Ajukan pengantar (dan permohonannya) ke Dinas untuk TTE Kepala Dinas",
)
async def submit_collection(collection_id: str, actor: CurrentActor, workflow: WorkflowDep) -> CollectionOut:
    return CollectionOut.model_validate(await workflow.submit_collection(collection_id, actor))


@router.get(
    "/collections/{collection_id}/cover-letter",
    response_class=Response,
    summary="Surat pengantar (PDF; bertanda tangan setelah Sekcam menandatangani)",
    responses={200: {"content": {"application/pdf": {}}}},
)
async def cover_letter(collection_id: str, actor: CurrentActor, workflow: WorkflowDep) -> Response:
    pdf = await workflow.cover_letter(collection_id, actor)
    headers = {**download_headers(f"pengantar-{collection_id}.pdf"), "Cache-Control": "no-store"}
    return Response(pdf, media_type="application/pdf", headers=headers)
