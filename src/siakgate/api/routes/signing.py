"""``/v1/signing-batches``: the Kepala Dinas's batches (N applications, one passphrase or OTP).

The passphrase/OTP travels only in the body of ``POST .../sign``; it is wrapped in a
:class:`~siakgate.signing.api.Credential` at once, wiped when the batch is done, never logged (the
request log has no bodies) and never echoed (the answer is the batch's state).
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from siakgate.api.deps import CurrentActor, WorkflowDep
from siakgate.api.schemas import BatchCreate, BatchOut, SignRequestBody
from siakgate.errors import DataIssue, InvalidDataError
from siakgate.signing.api import Credential

router = APIRouter(prefix="/v1/signing-batches", tags=["signing"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BatchOut, summary="Buat batch TTE")
async def create_batch(body: BatchCreate, actor: CurrentActor, workflow: WorkflowDep) -> BatchOut:
    return BatchOut.model_validate(await workflow.create_signing_batch(actor, body.application_ids))


@router.get("/{batch_id}", response_model=BatchOut, summary="Status batch TTE")
async def get_batch(batch_id: str, actor: CurrentActor, workflow: WorkflowDep) -> BatchOut:
    return BatchOut.model_validate(await workflow.get_batch(batch_id, actor))


@router.post(
    "/{batch_id}/otp",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Minta OTP untuk batch (BSrE v2)",
)
async def request_otp(batch_id: str, actor: CurrentActor, workflow: WorkflowDep) -> Response:
    await workflow.request_batch_otp(batch_id, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def credential_of(body: SignRequestBody) -> Credential:
    """Exactly one of passphrase and otp, as a Credential (wiped by the caller when done)."""
    if (body.passphrase is None) == (body.otp is None):
        raise InvalidDataError(
            [DataIssue("KREDENSIAL_TIDAK_VALID", "passphrase", "Isi tepat satu: passphrase atau otp.")],
            "Isi tepat satu: passphrase atau otp.",
        )
    if body.passphrase is not None:
        return Credential.passphrase(body.passphrase)
    assert body.otp is not None
    return Credential.otp(body.otp)


@router.post("/{batch_id}/sign", response_model=BatchOut, summary="Tandatangani batch (passphrase atau OTP)")
async def sign_batch(batch_id: str, body: SignRequestBody, actor: CurrentActor, workflow: WorkflowDep) -> BatchOut:
    credential = credential_of(body)
    body.passphrase = body.otp = None
    try:
        view = await workflow.sign_batch(batch_id, actor, credential)
    finally:
        credential.wipe()
    return BatchOut.model_validate(view)
