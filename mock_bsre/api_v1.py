"""API v1 (multipart form): sign, one-time download, verify, user status.

Follows the guide's v1 chapter (printed p.7-17). Refusals are HTTP 400 in the body shape
``BsreMockConfig.v1_error_shape`` chooses (:func:`mock_bsre.errors.v1_error`).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_bsre import errors
from mock_bsre.errors import ApiError, Refused, v1_sign_error
from mock_bsre.pdfsign import Appearance, SignRequest
from mock_bsre.service import Credentials, service_of
from mock_bsre.tags import validate_tag

# ``image`` is a boolean (guide p.8); PHP clients send ``true`` as "1" (Guzzle multipart casts it to a string).
_TRUE = ("true", "1")
_FALSE = ("false", "0")


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return None
    value = value.strip()
    return value or None


def _number(form: FormData, name: str) -> float:
    raw = _text(form, name)
    if raw is None:
        return 0.0
    try:
        return float(raw)
    except ValueError as exc:
        raise Refused(errors.BAD_REQUEST, f"Parameter {name} harus berupa angka") from exc


async def _file(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) else None


async def _appearance(form: FormData) -> Appearance:
    tampilan = (_text(form, "tampilan") or "").lower()
    if tampilan not in ("visible", "invisible"):
        raise Refused(errors.BAD_REQUEST, "Parameter tampilan harus visible atau invisible")
    if tampilan == "invisible":
        return Appearance(visible=False)
    tag = form.get("tag_koordinat")
    app = Appearance(
        visible=True,
        page=_text(form, "page") or _text(form, "halaman"),
        x=_number(form, "xAxis"),
        y=_number(form, "yAxis"),
        width=_number(form, "width"),
        height=_number(form, "height"),
        tag=tag if isinstance(tag, str) and tag != "" else None,
        text=_text(form, "text"),
    )
    if app.tag is not None:
        validate_tag(app.tag)
    image = (_text(form, "image") or "").lower()
    if image not in ("", *_TRUE, *_FALSE):
        raise Refused(errors.BAD_REQUEST, "Parameter image harus true atau false")
    if image in _TRUE:
        upload = await _file(form, "imageTTD")
        if upload is None:
            raise Refused(errors.BAD_REQUEST, "imageTTD wajib diisi jika image=true")
        app.image = await upload.read()
        return app
    app.link_qr = _text(form, "linkQR")
    if not app.link_qr and (image in _FALSE or app.tag is None):
        # Guide p.10: image=false requires linkQR. A tag-only call (``tag_koordinat`` and nothing else, as
        # esign-ts's ``VisibleSignOptions.withTag`` sends) gets a text stamp instead (chosen, API.md).
        raise Refused(errors.BAD_REQUEST, "linkQR wajib diisi jika image=false")
    return app


async def sign_pdf(request: Request) -> Response:
    service = service_of(request)
    try:
        async with request.form() as form:  # closes the uploaded files' temporary storage
            upload = await _file(form, "file")
            user = service.signer_for(_text(form, "nik"), None, Credentials(passphrase=_text(form, "passphrase")), 1)
            if upload is None:
                raise Refused(errors.BAD_REQUEST, "File PDF wajib diisi")
            appearance = await _appearance(form)
            pdf = await upload.read()
            sign_request = SignRequest(pdf, appearance, reason=_text(form, "reason"), location=_text(form, "location"))
        assert user.certificate is not None
        (signed,) = await service.sign(user.certificate, [sign_request])
    except Refused as refused:
        raise v1_sign_error(refused, service.config.v1_error_shape) from refused
    doc_id = service.documents.put(signed)
    return Response(signed, media_type="application/pdf", headers={"id_dokumen": doc_id})


async def download(request: Request) -> Response:
    doc_id = request.path_params["id_dokumen"]
    found = service_of(request).documents.take(doc_id)
    if found is False:
        raise ApiError(404, {"error": "Dokumen telah didownload sebelumnya", "status_code": 404})
    if not isinstance(found, bytes):
        raise ApiError(404, {"error": "Dokumen tidak ditemukan", "status_code": 404})
    return Response(found, media_type="application/pdf", headers={"id_dokumen": doc_id})


async def verify(request: Request) -> Response:
    service = service_of(request)
    try:
        async with request.form() as form:
            upload = await _file(form, "signed_file")
            if upload is None:
                raise Refused(errors.BAD_REQUEST, "signed_file wajib diisi")
            pdf = await upload.read()
            name = upload.filename or "dokumen.pdf"
        report: dict[str, Any] = await service.verify(pdf, name, 1)
    except Refused as refused:
        if service.config.v1_error_shape == "status-code":
            raise ApiError(400, {"error": refused.message, "status_code": refused.code}) from refused
        raise ApiError(400, {"error": f"Proses verifikasi gagal : {refused.message}", "status_code": 400}) from refused
    return JSONResponse(report)


async def user_status(request: Request) -> Response:
    return JSONResponse(service_of(request).status_of(nik=request.path_params["nik"]))


routes = [
    Route("/api/sign/pdf", sign_pdf, methods=["POST"]),
    Route("/api/sign/download/{id_dokumen}", download, methods=["GET"]),
    Route("/api/sign/verify", verify, methods=["POST"]),
    Route("/api/user/status/{nik}", user_status, methods=["GET"]),
]
