"""Starlette routes of the PKI services, mounted by the BSrE app under ``/pki``.

``POST /ocsp`` and ``GET /ocsp/{base64 request}`` (RFC 6960 appendix A), ``GET /crl/{ca}.crl``,
``POST /tsa`` (RFC 3161 over HTTP; ``POST /tsa/{name}`` for another time-stamping entity of the PKI,
e.g. the short-lived ``tsa-short`` the renewal tests use) and ``GET /certs/{name}.crt`` (AIA caIssuers,
DER). The URLs are the ones written into the test certificates (http://127.0.0.1:8082/pki/...).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mock_bsre.pki import crl, ocsp, tsa
from mock_bsre.pki.store import CA_NAMES, TSA, Pki, PkiError

OCSP_REQUEST = "application/ocsp-request"
OCSP_RESPONSE = "application/ocsp-response"
TSA_REPLY = "application/timestamp-reply"
PKIX_CRL = "application/pkix-crl"
PKIX_CERT = "application/pkix-cert"
MAX_BODY = 64 * 1024


def _decode_get_request(encoded: str) -> bytes | None:
    """The DER request in an OCSP GET path: URL-encoded base64 (base64url tolerated)."""
    text = unquote(encoded).strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def pki_routes(pki: Pki) -> list[BaseRoute]:
    """The PKI service routes for ``pki`` (mount them under ``/pki``)."""

    async def ocsp_post(request: Request) -> Response:
        body = await request.body()
        answer = ocsp.respond(pki, body) if len(body) <= MAX_BODY else ocsp.malformed_response()
        return Response(answer, media_type=OCSP_RESPONSE)

    async def ocsp_get(request: Request) -> Response:
        der = _decode_get_request(request.path_params["b64request"])
        answer = ocsp.malformed_response() if der is None else ocsp.respond(pki, der)
        return Response(answer, media_type=OCSP_RESPONSE, headers={"Cache-Control": "no-cache"})

    async def crl_get(request: Request) -> Response:
        ca = request.path_params["ca"]
        if ca not in CA_NAMES:
            return Response(f"unknown CA {ca!r}\n", status_code=404, media_type="text/plain")
        return Response(crl.build_crl(pki, ca), media_type=PKIX_CRL)

    async def tsa_post(request: Request) -> Response:
        name = request.path_params.get("name", TSA)
        if not pki.is_tsa(name):
            return Response(f"unknown TSA {name!r}\n", status_code=404, media_type="text/plain")
        body = await request.body()
        if len(body) > MAX_BODY:
            answer = tsa.rejection("bad_data_format", "request too large")
        else:
            answer = tsa.respond(pki, body, name)
        return Response(answer, media_type=TSA_REPLY)

    async def cert_get(request: Request) -> Response:
        try:
            der = pki.certificate_der(request.path_params["name"])
        except PkiError:
            return Response("unknown certificate\n", status_code=404, media_type="text/plain")
        return Response(der, media_type=PKIX_CERT)

    return [
        Route("/ocsp", ocsp_post, methods=["POST"]),
        Route("/ocsp/{b64request:path}", ocsp_get, methods=["GET"]),
        Route("/crl/{ca}.crl", crl_get, methods=["GET"]),
        Route("/tsa", tsa_post, methods=["POST"]),
        Route("/tsa/{name}", tsa_post, methods=["POST"]),
        Route("/certs/{name}.crt", cert_get, methods=["GET"]),
    ]
