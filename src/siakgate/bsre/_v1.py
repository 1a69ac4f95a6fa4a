"""Esign Client Service API v1 (multipart form): sign, one-time download, verify, user status.

Refusals carry BSrE's reason code at the end of the text or in ``status_code`` (see :mod:`._errors`); a
refusal answered with HTTP 200 and a JSON body instead of the PDF is read the same way. Verify times are
WIB wall-clock time (guide p.16-17) and are returned as aware datetimes (:data:`~siakgate.bsre.models.WIB`).
"""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from siakgate.bsre._base import BaseApi, check_nik, check_tag
from siakgate.bsre._errors import esign_error
from siakgate.bsre.models import UserStatusInfo, V1Appearance, V1VerifyReport
from siakgate.errors import BsreRequestError, MalformedResponseError
from siakgate.signing.api import Credential

__all__ = ["V1Api"]


def _appearance_form(appearance: V1Appearance) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    if not appearance.visible:
        return {"tampilan": "invisible"}, {}
    check_tag(appearance.tag)
    form = {"tampilan": "visible"}
    files: dict[str, tuple[str, bytes, str]] = {}
    if appearance.image is not None:
        form["image"] = "true"
        kind = "image/png" if appearance.image.startswith(b"\x89PNG") else "image/jpeg"
        files["imageTTD"] = ("ttd.png" if kind == "image/png" else "ttd.jpg", appearance.image, kind)
    elif appearance.link_qr:
        form["image"] = "false"
        form["linkQR"] = appearance.link_qr
    else:
        raise BsreRequestError("Tampilan visible memerlukan gambar (image) atau linkQR.", code="TAMPILAN_TIDAK_VALID")
    if appearance.tag is not None:
        form["tag_koordinat"] = appearance.tag
    else:
        if appearance.page is not None:
            form["page"] = str(appearance.page)
        form.update(xAxis=f"{appearance.x:g}", yAxis=f"{appearance.y:g}")
    form.update(width=f"{appearance.width:g}", height=f"{appearance.height:g}")
    if appearance.width <= 0 or appearance.height <= 0:
        raise BsreRequestError("width dan height wajib diisi untuk tampilan visible.", code="TAMPILAN_TIDAK_VALID")
    if appearance.text:
        form["text"] = appearance.text
    return form, files


def _json_refusal(response: httpx.Response) -> bool:
    """A 200 answer that is a JSON error body (``{"error": ..., "status_code": 2031}``) rather than a PDF."""
    return response.content.lstrip()[:1] == b"{" and b'"error"' in response.content[:2000]


class V1Api(BaseApi):
    async def sign_pdf_v1(
        self,
        pdf: bytes,
        *,
        nik: str,
        credential: Credential,
        appearance: V1Appearance | None = None,
        reason: str | None = None,
        location: str | None = None,
        filename: str = "dokumen.pdf",
    ) -> tuple[bytes, str]:
        """Sign one PDF; returns ``(signed PDF, id_dokumen)``.

        v1 takes a passphrase only (no OTP). Retried after a read timeout or a dropped connection:
        BSrE may then have signed twice, which only yields another valid signature.
        """
        check_nik(nik)
        if credential.kind != "passphrase":
            raise BsreRequestError("API v1 hanya menerima passphrase, bukan OTP.", code="KREDENSIAL_TIDAK_DIDUKUNG")
        form, files = _appearance_form(appearance or V1Appearance())
        if reason:
            form["reason"] = reason
        if location:
            form["location"] = location

        def data() -> dict[str, str]:
            return {**form, "nik": nik, "passphrase": credential.reveal()}

        response = await self._send(
            "POST",
            "/api/sign/pdf",
            data=data,
            files={"file": (filename, pdf, "application/pdf"), **files},
        )
        if response.status_code != 200 or _json_refusal(response):
            raise esign_error(response)
        doc_id = response.headers.get("id_dokumen")
        if not response.content.startswith(b"%PDF-") or not doc_id:
            raise MalformedResponseError("Jawaban BSrE bukan dokumen PDF bertanda tangan (atau tanpa id_dokumen).")
        return response.content, doc_id

    async def download(self, id_dokumen: str) -> bytes:
        """The signed document, once: BSrE answers 404 on a second download (not retried once sent)."""
        if not id_dokumen.isalnum():
            raise BsreRequestError("id_dokumen tidak valid.", code="ID_DOKUMEN_TIDAK_VALID")
        response = await self._send("GET", f"/api/sign/download/{id_dokumen}", single_use=True)
        if response.status_code != 200:
            raise esign_error(response)
        if not response.content.startswith(b"%PDF-"):
            raise MalformedResponseError("Jawaban unduhan BSrE bukan dokumen PDF.")
        return response.content

    async def verify_v1(self, pdf: bytes, *, filename: str = "dokumen.pdf") -> V1VerifyReport:
        response = await self._send(
            "POST", "/api/sign/verify", files={"signed_file": (filename, pdf, "application/pdf")}
        )
        if response.status_code != 200:
            raise esign_error(response)
        try:
            return V1VerifyReport.model_validate(self._json_object(response))
        except ValidationError as exc:
            raise MalformedResponseError("Jawaban verifikasi BSrE (v1) tidak sesuai format.") from exc

    async def user_status_v1(self, nik: str) -> UserStatusInfo:
        """v1 status: the NIK is in the URL path (BSrE's design); httpx's log lines get it masked."""
        check_nik(nik)
        response = await self._send("GET", f"/api/user/status/{nik}")
        if response.status_code != 200:
            raise esign_error(response)
        try:
            return UserStatusInfo.model_validate(self._json_object(response))
        except ValidationError as exc:
            raise MalformedResponseError("Jawaban status pengguna BSrE tidak sesuai format.") from exc
