"""API v2 (JSON, files in base64): bulk signing, TOTP, user status and registration, verify, electronic seal.

Answers follow BSrE's guide ("Petunjuk Teknis API Esign Client Service" v2.2.1, printed pages cited); where
the guide shows no answer the choice is written down in API.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_bsre import errors
from mock_bsre.errors import Refused, v2_error
from mock_bsre.pdfsign import Appearance, SignRequest
from mock_bsre.service import BsreService, Credentials, service_of
from mock_bsre.state import OutboxMessage
from mock_bsre.tags import validate_tag

MAX_SEAL_ACTIVATION_USES = 1_000_000


def _one_time_code(body: dict[str, Any]) -> str | None:
    """The one-time code: ``totp`` in the guide's parameter list (p.19), ``otp`` in its examples (p.23-24)."""
    value = body.get("totp") or body.get("otp")
    return str(value) if value else None


def _expires(epoch: float) -> str:
    """``2023-08-07T04:24:40.927+0000``: UTC, milliseconds, offset without a colon (guide p.27, p.29)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise Refused(errors.BAD_REQUEST, "Body harus berupa JSON yang valid") from exc
    if not isinstance(data, dict):
        raise Refused(errors.BAD_REQUEST, "Body harus berupa objek JSON")
    return data


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise Refused(errors.BAD_REQUEST, f"{what} wajib diisi (base64)")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Refused(errors.BAD_REQUEST, f"{what} bukan base64 yang valid") from exc


def _num(props: dict[str, Any], key: str) -> float:
    value = props.get(key, 0) or 0
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise Refused(errors.BAD_REQUEST, f"{key} harus berupa angka") from exc


def _requests(body: dict[str, Any]) -> list[SignRequest]:
    files = body.get("file")
    if not isinstance(files, list) or not files:
        raise Refused(errors.BAD_REQUEST, "file wajib diisi (array base64)")
    props_list = body.get("signatureProperties") or [{"tampilan": "INVISIBLE"}]
    if not isinstance(props_list, list) or len(props_list) not in (1, len(files)):
        raise Refused(
            errors.BAD_REQUEST,
            "Jumlah signatureProperties harus 1 atau sama dengan jumlah file",
        )
    requests = []
    for i, file_b64 in enumerate(files):
        props = props_list[i] if len(props_list) > 1 else props_list[0]
        if not isinstance(props, dict):
            raise Refused(errors.BAD_REQUEST, "signatureProperties harus berupa objek")
        tampilan = str(props.get("tampilan", "INVISIBLE")).upper()
        if tampilan not in ("VISIBLE", "INVISIBLE"):
            raise Refused(errors.BAD_REQUEST, "tampilan harus VISIBLE atau INVISIBLE")
        tag = props.get("tag_koordinat") or None
        if tag is not None:
            validate_tag(str(tag))
        appearance = Appearance(visible=False)
        if tampilan == "VISIBLE":
            appearance = Appearance(
                visible=True,
                page=props.get("page"),
                x=_num(props, "originX"),
                y=_num(props, "originY"),
                origin_top_left=True,  # printed p.21: y = 0 at the top, (x, y) the box's upper-left corner
                width=_num(props, "width"),
                height=_num(props, "height"),
                tag=str(tag) if tag else None,
                image=_b64(props["imageBase64"], "imageBase64") if props.get("imageBase64") else None,
            )
        requests.append(
            SignRequest(
                _b64(file_b64, f"file[{i}]"),
                appearance,
                reason=props.get("reason") or None,
                location=props.get("location") or None,
                pdf_password=props.get("pdfPassword") or body.get("pdfPassword") or None,
            )
        )
    return requests


async def _signed_response(service: BsreService, cert: str, requests: list[SignRequest]) -> Response:
    started = time.monotonic()
    signed = await service.sign(cert, requests)
    elapsed = int((time.monotonic() - started) * 1000)
    return JSONResponse({"time": elapsed, "file": [base64.b64encode(p).decode("ascii") for p in signed]})


async def sign_pdf(request: Request) -> Response:
    service = service_of(request)
    try:
        body = await _body(request)
        sign_requests = _requests(body)
        creds = Credentials(passphrase=body.get("passphrase"), totp=_one_time_code(body))
        user = service.signer_for(body.get("nik"), body.get("email"), creds, len(sign_requests))
        assert user.certificate is not None
        return await _signed_response(service, user.certificate, sign_requests)
    except Refused as refused:
        raise v2_error(refused) from refused


def _uses(body: dict[str, Any]) -> int:
    try:
        uses = int(body.get("data", 1))
    except (TypeError, ValueError) as exc:
        raise Refused(errors.BAD_REQUEST, "data harus berupa jumlah file (angka)") from exc
    if uses < 1:
        raise Refused(errors.BAD_REQUEST, "data minimal 1")
    return uses


async def get_totp(request: Request) -> Response:
    service = service_of(request)
    try:
        body = await _body(request)
        service.request_user_otp(body.get("nik"), body.get("email"), _uses(body))
    except Refused as refused:
        raise v2_error(refused) from refused
    return JSONResponse(
        {
            "message": "TOTP berhasil dikirim ke email terdaftar",
            "expired": service.config.otp_ttl_seconds,
        }
    )


async def check_status(request: Request) -> Response:
    service = service_of(request)
    try:
        body = await _body(request)
    except Refused as refused:
        raise v2_error(refused) from refused
    return JSONResponse(service.status_of(body.get("nik"), body.get("email")))


async def register_user(request: Request) -> Response:
    """``{nama, email}`` (guide p.33-34, which shows no answer): the seal endpoints' envelope (chosen)."""
    service = service_of(request)
    try:
        body = await _body(request)
        service.register(body.get("nama"), body.get("email"))
    except Refused as refused:
        raise v2_error(refused) from refused
    return JSONResponse({"success": True, "message": "Registrasi user berhasil", "data": None})


async def verify_pdf(request: Request) -> Response:
    service = service_of(request)
    try:
        body = await _body(request)
        pdf = _b64(body.get("file"), "file")
        report = await service.verify(pdf, "dokumen.pdf", 2, body.get("password"))
    except Refused as refused:
        raise v2_error(refused) from refused
    return JSONResponse(report)


# -- electronic seal ------------------------------------------------------------------------------


def _activation_subject(id_subscriber: str) -> str:
    return f"seal-activation:{id_subscriber}"


async def seal_activation(request: Request) -> Response:
    """Without ``totp``: e-mail an activation code (guide p.26). With a valid one: extend it ("Refresh Seal
    Activation OTP", "memperpanjang masa berlaku token", p.26-27) and answer it with its new expiry.
    """
    service = service_of(request)
    ttl = service.config.seal_activation_ttl_seconds
    try:
        body = await _body(request)
        seal = service.seal(body.get("idSubscriber"))
        subject = _activation_subject(seal.id_subscriber)
        previous = _one_time_code(body)
        if previous:
            expires = service.otps.extend(subject, previous, ttl)
            if expires is None:
                raise Refused(errors.INVALID_TOTP, "TOTP tidak valid atau sudah kedaluwarsa")
            data = {"message": "TOTP Aktivasi masih berlaku", "totp": previous, "expires": _expires(expires)}
            return JSONResponse({"success": True, "message": None, "data": {**data, "result": True}})
        code = service.otps.issue(subject, MAX_SEAL_ACTIVATION_USES, None, ttl=ttl)
    except Refused as refused:
        raise v2_error(refused) from refused
    service.otps.send(OutboxMessage(seal.email, None, seal.id_subscriber, "seal-activation", code, 0, time.time()))
    return JSONResponse({"success": True, "message": "TOTP Aktivasi berhasil dikirim", "data": None})


async def seal_revoke(request: Request) -> Response:
    """``{idSubscriber, totp}`` (guide p.27-28, which shows no answer): the activation's envelope (chosen)."""
    service = service_of(request)
    try:
        body = await _body(request)
        seal = service.seal(body.get("idSubscriber"))
        subject = _activation_subject(seal.id_subscriber)
        if not service.otps.peek(subject, _one_time_code(body) or ""):
            raise Refused(errors.INVALID_TOTP, "TOTP tidak valid atau sudah kedaluwarsa")
        service.otps.revoke(subject)
        service.otps.revoke(f"seal:{seal.id_subscriber}")
    except Refused as refused:
        raise v2_error(refused) from refused
    return JSONResponse({"success": True, "message": "TOTP Aktivasi berhasil dicabut", "data": None})


async def seal_totp(request: Request) -> Response:
    """``{idSubscriber, data, totp: activation}`` → ``{message, totp, expires, result}`` unwrapped (guide p.28-29);
    the code is also e-mailed (the seal PDF section says the user receives it by e-mail, p.29).
    """
    service = service_of(request)
    try:
        body = await _body(request)
        seal = service.seal(body.get("idSubscriber"))
        if not service.otps.peek(_activation_subject(seal.id_subscriber), _one_time_code(body) or ""):
            raise Refused(errors.SEAL_NOT_ACTIVE, "Seal belum aktif atau TOTP aktivasi tidak valid")
        uses = _uses(body)
        code = service.otps.issue(f"seal:{seal.id_subscriber}", uses, None)
    except Refused as refused:
        raise v2_error(refused) from refused
    expires = service.otps.expiry(f"seal:{seal.id_subscriber}", code)
    service.otps.send(OutboxMessage(seal.email, None, seal.id_subscriber, "seal-totp", code, uses, time.time()))
    return JSONResponse(
        {"message": "TOTP berhasil dibuat", "totp": code, "expires": _expires(expires or time.time()), "result": True}
    )


async def seal_pdf(request: Request) -> Response:
    service = service_of(request)
    try:
        body = await _body(request)
        seal = service.seal(body.get("idSubscriber"))
        sign_requests = _requests(body)
        service.otps.consume(f"seal:{seal.id_subscriber}", _one_time_code(body) or "", len(sign_requests))
        return await _signed_response(service, seal.certificate, sign_requests)
    except Refused as refused:
        raise v2_error(refused) from refused


routes = [
    Route("/api/v2/sign/pdf", sign_pdf, methods=["POST"]),
    Route("/api/v2/sign/get/totp", get_totp, methods=["POST"]),
    Route("/api/v2/user/check/status", check_status, methods=["POST"]),
    Route("/api/v2/user/registration", register_user, methods=["POST"]),
    Route("/api/v2/verify/pdf", verify_pdf, methods=["POST"]),
    Route("/api/v2/seal/get/activation", seal_activation, methods=["POST"]),
    Route("/api/v2/seal/revoke/activation", seal_revoke, methods=["POST"]),
    Route("/api/v2/seal/get/totp", seal_totp, methods=["POST"]),
    Route("/api/v2/seal/pdf", seal_pdf, methods=["POST"]),
]
