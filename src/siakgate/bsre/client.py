"""``BsreClient``: the Esign Client Service API, v1 and v2, in one async client.

Usage::

    async with httpx.AsyncClient(timeout=30) as http:
        bsre = BsreClient(http, "http://esign.dinas.local", "siakgate", app_password)
        signed = await bsre.sign_pdf_v2([pdf], nik=nik, credential=Credential.passphrase(p))

The ``httpx.AsyncClient`` is injected (timeouts, TLS and transport are the caller's); the HTTP Basic
credentials are the calling application's, issued by the Esign Client's admin. Endpoints live in
:mod:`._v1` and :mod:`._v2`; error mapping in :mod:`._errors`; retries in :mod:`._http`.
"""

from __future__ import annotations

from siakgate.bsre._v1 import V1Api
from siakgate.bsre._v2 import V2Api

__all__ = ["BsreClient"]


class BsreClient(V1Api, V2Api):
    """Esign Client Service API v1 (``sign_pdf_v1``, ``download``, ``verify_v1``, ``user_status_v1``)
    and v2 (``sign_pdf_v2``, ``request_totp``, ``check_status``, ``register_user``, ``verify_v2``, ``seal_*``).
    """
