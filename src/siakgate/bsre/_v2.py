"""Esign Client Service API v2 (JSON, files in base64): bulk signing, TOTP, status, registration, verify, seal.

Seal answers come in the guide's shapes (v2.2.1, p.26-29): activation ``{success, message, data: null}``; refresh
``{success, message, data: {message, totp, expires, result: true}}``; seal TOTP ``{message, totp, expires,
result: true}``; older services answered ``{message, result: "<code>", expired: <seconds>}``. All are read
(:meth:`SealCode.from_answer`); ``success: false`` is a :class:`BsreError`, and a boolean ``result`` is never a code.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from siakgate.bsre._base import BaseApi, check_nik_or_email, check_tag
from siakgate.bsre._errors import esign_code, esign_error
from siakgate.bsre.models import SealCode, SignatureProperties, UserRegistration, UserStatusInfo, V2VerifyReport
from siakgate.errors import BsreError, BsreRequestError, MalformedResponseError
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
        answer = self._json_object(response)
        if isinstance(answer.get("error"), str) and esign_code(answer.get("status_code")) is not None:
            raise esign_error(response)  # a refusal answered with HTTP 200
        return answer

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

        Returns the code's validity in seconds (``expired``, or a numeric ``expires``), 0 when the answer
        does not say (the guide's p.25 shows the sign answer ``{time, file}`` here, evidently by mistake).
        Not re-sent once it may have reached BSrE, so the signer never receives two codes for one request.
        """
        if count < 1:
            raise BsreRequestError("Jumlah dokumen untuk OTP minimal 1.", code="PARAMETER_TIDAK_VALID")
        body = {**check_nik_or_email(nik, email), "data": count}
        answer = _unwrapped(await self._post_json("/api/v2/sign/get/totp", body, single_use=True))
        for key in ("expired", "expires"):
            value = answer.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return 0

    async def check_status(self, *, nik: str | None = None, email: str | None = None) -> UserStatusInfo:
        answer = await self._post_json("/api/v2/user/check/status", check_nik_or_email(nik, email))
        try:
            return UserStatusInfo.model_validate(answer)
        except ValidationError as exc:
            raise MalformedResponseError("Jawaban status pengguna BSrE tidak sesuai format.") from exc

    async def register_user(self, nama: str, email: str) -> UserRegistration:
        """Register a signer who has no BSrE account yet (``POST /api/v2/user/registration``, guide p.33).

        Not re-sent once it may have reached BSrE (a second registration of the same e-mail is refused).
        """
        if not nama.strip():
            raise BsreRequestError("Nama pengguna yang didaftarkan wajib diisi.", code="PARAMETER_TIDAK_VALID")
        who = check_nik_or_email(None, email)
        answer = await self._post_json("/api/v2/user/registration", {"nama": nama, **who}, single_use=True)
        _check_success(answer, "Pendaftaran pengguna")
        try:
            return UserRegistration.model_validate(answer)
        except ValidationError as exc:
            raise MalformedResponseError("Jawaban pendaftaran pengguna BSrE tidak sesuai format.") from exc

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

    async def seal_request_activation(self, id_subscriber: str) -> str | None:
        """E-mail a seal activation code to the office's registered address; BSrE's message, if any."""
        answer = await self._post_json("/api/v2/seal/get/activation", {"idSubscriber": id_subscriber}, single_use=True)
        _check_success(answer, "Permintaan aktivasi segel")
        message = answer.get("message")
        return message if isinstance(message, str) else None

    async def seal_refresh_activation(self, id_subscriber: str, activation: Credential) -> SealCode:
        """Extend a valid activation code ("Refresh Seal Activation OTP", guide p.26-27: the answer gives the code
        back, "TOTP Aktivasi masih berlaku", with its new ``expires``; older services issued a new code); returns
        the code to use from now on."""
        answer = await self._post_json(
            "/api/v2/seal/get/activation",
            lambda: {"idSubscriber": id_subscriber, "totp": activation.reveal()},
            single_use=True,
        )
        return _seal_code(answer, "Pembaruan aktivasi segel")

    async def seal_revoke_activation(self, id_subscriber: str, activation: Credential) -> None:
        answer = await self._post_json(
            "/api/v2/seal/revoke/activation",
            lambda: {"idSubscriber": id_subscriber, "totp": activation.reveal()},
            single_use=True,
        )
        _check_success(answer, "Pencabutan aktivasi segel")

    async def seal_totp(self, id_subscriber: str, activation: Credential, *, count: int) -> SealCode:
        """A seal code valid for ``count`` documents, obtained with the activation code."""
        if count < 1:
            raise BsreRequestError("Jumlah dokumen untuk OTP minimal 1.", code="PARAMETER_TIDAK_VALID")
        answer = await self._post_json(
            "/api/v2/seal/get/totp",
            lambda: {"idSubscriber": id_subscriber, "totp": activation.reveal(), "data": count},
            single_use=True,
        )
        return _seal_code(answer, "Permintaan kode segel")

    async def seal_pdf(
        self,
        pdfs: Sequence[bytes],
        *,
        id_subscriber: str,
        seal_code: Credential | SealCode,
        signature_properties: Sequence[SignatureProperties] = (),
    ) -> list[bytes]:
        """Seal every PDF in one call with a seal code from :meth:`seal_totp` (spent by the call)."""
        code = seal_code.credential if isinstance(seal_code, SealCode) else seal_code
        if not pdfs:
            raise BsreRequestError("Tidak ada dokumen untuk disegel.", code="DOKUMEN_KOSONG")
        props = [_properties_json(p, None) for p in signature_properties or [SignatureProperties()]]
        files = [_b64(pdf) for pdf in pdfs]

        def body() -> dict[str, Any]:
            return {
                "idSubscriber": id_subscriber,
                "totp": code.reveal(),
                "signatureProperties": props,
                "file": files,
            }

        answer = await self._post_json("/api/v2/seal/pdf", body, single_use=True)
        return _files_of(answer, len(pdfs))


def _unwrapped(answer: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` object of a ``{success, message, data}`` envelope, else the answer itself."""
    data = answer.get("data")
    return data if "success" in answer and isinstance(data, dict) else answer


def _check_success(answer: dict[str, Any], what: str) -> None:
    """``{"success": false, "message": ...}`` with HTTP 200 is a refusal all the same."""
    if answer.get("success") is False or answer.get("result") is False:
        message = answer.get("message")
        said = str(message)[:300] if isinstance(message, str) and message else "tanpa keterangan"
        raise BsreError(f"{what} ditolak BSrE ({said}).", code="BSRE_MENOLAK")


def _seal_code(answer: dict[str, Any], what: str) -> SealCode:
    _check_success(answer, what)
    inner = _unwrapped(answer)
    if inner is not answer:
        _check_success(inner, what)
    try:
        return SealCode.from_answer(answer)
    except (ValueError, ValidationError) as exc:
        raise MalformedResponseError(
            "Jawaban segel BSrE tidak memuat kode (totp) atau masa berlakunya (expires) tidak terbaca."
        ) from exc
