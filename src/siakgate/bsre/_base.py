"""What the Esign (v1, v2) and CSC clients share: the injected httpx client, the calling
application's HTTP Basic credentials, the retry policy, and local checks of parameters.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from siakgate.bsre._errors import json_body
from siakgate.bsre._http import RetryPolicy, send
from siakgate.bsre._logfilter import install_httpx_nik_filter, mask_nik
from siakgate.errors import BsreRequestError, MalformedResponseError

__all__ = ["BaseApi", "check_nik_or_email", "check_tag"]

logger = logging.getLogger("siakgate.bsre")


def check_tag(tag: str | None) -> None:
    """``tag_koordinat`` must be exactly one character (BSrE refuses anything else, 4002)."""
    if tag is not None and len(tag) != 1:
        raise BsreRequestError(
            f"tag_koordinat harus tepat satu karakter (diberikan {len(tag)} karakter).",
            code="TAG_KOORDINAT_TIDAK_VALID",
        )


def check_nik(nik: str) -> None:
    if not (isinstance(nik, str) and len(nik) == 16 and nik.isdigit()):
        raise BsreRequestError("NIK penandatangan harus 16 digit angka.", code="NIK_TIDAK_VALID")


def check_nik_or_email(nik: str | None, email: str | None) -> dict[str, str]:
    """The ``{nik}`` or ``{email}`` part of a v2 body: exactly one of them."""
    if (nik is None) == (email is None):
        raise BsreRequestError("Isi tepat satu dari NIK atau e-mail penandatangan.", code="IDENTITAS_TIDAK_VALID")
    if nik is not None:
        check_nik(nik)
        return {"nik": nik}
    assert email is not None
    if "@" not in email:
        raise BsreRequestError("E-mail penandatangan tidak valid.", code="IDENTITAS_TIDAK_VALID")
    return {"email": email}


class BaseApi:
    """Holds the seams; subclasses add the endpoints."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        username: str,
        password: str,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._basic = f"Basic {token}"
        self._retry = retry or RetryPolicy()
        install_httpx_nik_filter()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    def _authorization(self) -> str:
        return self._basic

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        body: Callable[[], dict[str, Any]] | None = None,
        data: Callable[[], dict[str, str]] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        single_use: bool = False,
    ) -> httpx.Response:
        """Send with retries. ``body``/``data`` are called per attempt, so a secret is revealed only
        while the request is built and never stored on this object.
        """
        url = f"{self._base_url}{path}"

        def build() -> httpx.Request:
            headers = {"Authorization": self._authorization(), "Accept": "application/json"}
            payload = body() if body is not None else json
            form = data() if data is not None else None
            return self._client.build_request(method, url, json=payload, data=form, files=files, headers=headers)

        logger.debug("BSrE %s %s", method, mask_nik(path))
        response = await send(self._client, build, policy=self._retry, single_use=single_use)
        logger.debug("BSrE %s %s -> HTTP %s", method, mask_nik(path), response.status_code)
        return response

    @staticmethod
    def _json_object(response: httpx.Response) -> dict[str, Any]:
        data = json_body(response)
        if not isinstance(data, dict):
            raise MalformedResponseError("Jawaban BSrE bukan objek JSON.")
        return data
