"""Esign Client Service API v2 (JSON, files in base64): bulk signing, TOTP, status, verify, seal."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from siakgate.bsre._base import BaseApi, check_nik_or_email, check_tag
from siakgate.bsre._errors import esign_error
from siakgate.bsre.models import SignatureProperties, UserStatusInfo, V2VerifyReport
from siakgate.errors import BsreRequestError, MalformedResponseError
from siakgate.signing.api import Credential

__all__ = ["V2Api"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _properties_json(props: SignatureProperties, pdf_password: str | None) -> dict[str, Any]:
    check_tag(props.tag)
    out: dict[str, Any] = {"tampilan": "VISIBLE" if props.visible else "INVISIBLE"}
    if props.visible:
        if props.image is not None:
            out["imageBase64"] = _b64(props.image)
        if props.tag is not None:
            out["tag_koordinat"] = props.tag
        else:
            if props.page is not None:
                out["page"] = props.page
            out.update(originX=props.x, originY=props.y)
        out.update(width=props.width, height=props.height)
    if props.reason:
        out["reason"] = props.reason
    if props.location:
        out["location"] = props.location
    if pdf_password:
        out["pdfPassword"] = pdf_password
    return out


def _files_of(body: dict[str, Any], expected: int) -> list[bytes]:
    files = body.get("file")
    if not isinstance(files, list) or len(files) != expected or not all(isinstance(f, str) for f in files):
        raise MalformedResponseError(f"Jawaban BSrE tidak memuat {expected} dokumen bertanda tangan.")
    try:
        return [base64.b64decode(f, validate=True) for f in files]
    except (binascii.Error, ValueError) as exc:
        raise MalformedResponseError("Dokumen dalam jawaban BSrE bukan base64 yang valid.") from exc


class V2Api(BaseApi):
    async def _post_json(
        self,
        path: str,
        body: dict[str, Any] | Callable[[], dict[str, Any]],
        *,
        single_use: bool = False,
    ) -> dict[str, Any]:
        """POST JSON; a callable body is built per attempt (it reveals a secret)."""
        if callable(body):
            response = await self._send("POST", path, body=body, single_use=single_use)
        else:
            response = await self._send("POST", path, json=body, single_use=single_use)
        if response.status_code != 200:
            raise esign_error(response)
        return self._json_object(response)

    async def sign_pdf_v2(
        self,
        pdfs: Sequence[bytes],
        *,
        credential: Credential,
        nik: str | None = None,
        email: str | None = None,
        signature_properties: Sequence[SignatureProperties] = (),
        pdf_password: str | None = None,
    ) -> list[bytes]:
        """Sign every PDF in ONE call under one passphrase or OTP; the signed PDFs in order.

        ``signature_properties``: empty (invisible), one entry for all files, or one per file.
        An OTP-authorised call is not re-sent once it may have reached BSrE (the OTP is single-use).
        """
        if not pdfs:
            raise BsreRequestError("Tidak ada dokumen untuk ditandatangani.", code="DOKUMEN_KOSONG")
        if len(signature_properties) not in (0, 1, len(pdfs)):
            raise BsreRequestError(
                "Jumlah signatureProperties harus 1 atau sama dengan jumlah dokumen.", code="PARAMETER_TIDAK_VALID"
            )
        who = check_nik_or_email(nik, email)
        props = [_properties_json(p, pdf_password) for p in signature_properties or [SignatureProperties()]]
        files = [_b64(pdf) for pdf in pdfs]
        secret_key = "totp" if credential.kind == "otp" else "passphrase"

        def body() -> dict[str, Any]:
            return {**who, secret_key: credential.reveal(), "signatureProperties": props, "file": files}

        answer = await self._post_json("/api/v2/sign/pdf", body, single_use=credential.kind == "otp")
        return _files_of(answer, len(pdfs))

    async def request_totp(self, *, count: int, nik: str | None = None, email: str | None = None) -> int:
        """Ask BSrE to e-mail the signer a one-time code valid for ``count`` documents.

        Returns the code's validity in seconds (``expired``). Not re-sent once it may have reached
        BSrE, so the signer never receives two codes for one request.
        """
        if count < 1:
            raise BsreRequestError("Jumlah dokumen untuk OTP minimal 1.", code="PARAMETER_TIDAK_VALID")
        body = {**check_nik_or_email(nik, email), "data": count}
        answer = await self._post_json("/api/v2/sign/get/totp", body, single_use=True)
        expired = answer.get("expired")
        return int(expired) if isinstance(expired, int) else 0

    async def check_status(self, *, nik: str | None = None, email: str | None = None) -> UserStatusInfo:
        answer = await self._post_json("/api/v2/user/check/status", check_nik_or_email(nik, email))
        try:
            return UserStatusInfo.model_validate(answer)
        except ValidationError as exc:
            raise MalformedResponseError("Jawaban status pengguna BSrE tidak sesuai format.") from exc

    async def verify_v2(self, pdf: bytes, *, password: str | None = None) -> V2VerifyReport:
        body: dict[str, Any] = {"file": _b64(pdf)}
        if password:
            body["password"] = password
        answer = await self._post_json("/api/v2/verify/pdf", lambda: body)
        try:
            return V2VerifyReport.model_validate(answer)
        except ValidationError as exc:
            raise MalformedResponseError("Jawaban verifikasi BSrE (v2) tidak sesuai format.") from exc

    # -- electronic seal (an office, keyed by idSubscriber) ------------------------------------------

    async def seal_request_activation(self, id_subscriber: str) -> None:
        """E-mail a seal activation code to the office's registered address."""
        await self._post_json("/api/v2/seal/get/activation", {"idSubscriber": id_subscriber}, single_use=True)

    async def seal_refresh_activation(self, id_subscriber: str, activation: Credential) -> Credential:
        """Exchange a valid activation code for a new one (the old one ends); returns the new one."""
        answer = await self._post_json(
            "/api/v2/seal/get/activation",
            lambda: {"idSubscriber": id_subscriber, "totp": activation.reveal()},
            single_use=True,
        )
        return Credential.otp(_result(answer))

    async def seal_revoke_activation(self, id_subscriber: str, activation: Credential) -> None:
        await self._post_json(
            "/api/v2/seal/revoke/activation",
            lambda: {"idSubscriber": id_subscriber, "totp": activation.reveal()},
            single_use=True,
        )

    async def seal_totp(self, id_subscriber: str, activation: Credential, *, count: int) -> Credential:
        """A seal code valid for ``count`` documents, obtained with the activation code."""
        if count < 1:
            raise BsreRequestError("Jumlah dokumen untuk OTP minimal 1.", code="PARAMETER_TIDAK_VALID")
        answer = await self._post_json(
            "/api/v2/seal/get/totp",
            lambda: {"idSubscriber": id_subscriber, "totp": activation.reveal(), "data": count},
            single_use=True,
        )
        return Credential.otp(_result(answer))

    async def seal_pdf(
        self,
        pdfs: Sequence[bytes],
        *,
        id_subscriber: str,
        seal_code: Credential,
        signature_properties: Sequence[SignatureProperties] = (),
    ) -> list[bytes]:
        """Seal every PDF in one call with a seal code from :meth:`seal_totp` (spent by the call)."""
        if not pdfs:
            raise BsreRequestError("Tidak ada dokumen untuk disegel.", code="DOKUMEN_KOSONG")
        props = [_properties_json(p, None) for p in signature_properties or [SignatureProperties()]]
        files = [_b64(pdf) for pdf in pdfs]

        def body() -> dict[str, Any]:
            return {
                "idSubscriber": id_subscriber,
                "totp": seal_code.reveal(),
                "signatureProperties": props,
                "file": files,
            }

        answer = await self._post_json("/api/v2/seal/pdf", body, single_use=True)
        return _files_of(answer, len(pdfs))


def _result(answer: dict[str, Any]) -> str:
    result = answer.get("result")
    if not isinstance(result, str | int) or not str(result):
        raise MalformedResponseError("Jawaban seal BSrE tidak memuat kode (result).")
    return str(result)
