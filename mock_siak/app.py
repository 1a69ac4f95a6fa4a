"""The Starlette app of mock SIAK: the SOAP endpoint, the served contract, health and admin
endpoints.

``POST /siak``            SOAP 1.1 (document/literal); see ``siakgate/contracts/siak.wsdl``
``GET /siak?wsdl``        the WSDL, its address and schema import rewritten to this server
``GET /siak?xsd=siak.xsd`` the XSD
``GET /healthz``          ``{"service": "mock_siak", "status": "ok", "families": N}``
``GET /_admin/sample?n=5`` a few NO_KK with their NIKs (synthetic), for demos and tests; ``&region=3508``
                         only families whose No. KK carries that area code prefix (province, regency, kecamatan)
``GET /_admin/stats``     counts of families, residents, requests and signed KKs
``GET|PUT /_admin/faults`` fault injection (mock_common.faults)
``POST /dukcapil/get_json/<consumer>/CALL_NIK`` and ``.../CALL_VERIFY_BY_ELEMEN``: Dukcapil's REST/JSON web
                         service over the same population (:mod:`mock_siak.dukcapil_rest`)

A request is handled in this order: size limit, safe parse (no DTD/entities), authentication, XSD
validation, then the operation in one transaction; the answer is checked against the XSD before it
leaves.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mock_common.faults import FaultInjector
from mock_siak import contract, soap
from mock_siak.auth import Authenticator
from mock_siak.config import DraftRenderer, PopulationSource, SiakMockConfig
from mock_siak.dukcapil_rest import DukcapilRest
from mock_siak.errors import DATA_TIDAK_VALID, LAYANAN_TIDAK_TERSEDIA, Masalah, SiakError
from mock_siak.service import SiakService
from mock_siak.store import Store

log = logging.getLogger("mock_siak")

MALFORMED_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b'<siak:CariKeluargaResponse xmlns:siak="urn:siakgate:siak:v1"><siak:KELUARGA><siak:NO_K'
)


def fault_response(error: SiakError) -> Response:
    return Response(soap.fault_envelope(error), status_code=500, media_type=soap.CONTENT_TYPE)


def unavailable_response() -> Response:
    return fault_response(SiakError(LAYANAN_TIDAK_TERSEDIA, "Layanan SIAK sedang tidak tersedia; silakan coba lagi."))


def _population(config: SiakMockConfig) -> PopulationSource:
    if config.population is not None:
        return config.population
    from mock_siak.population import generate_population

    return generate_population


def _renderer(config: SiakMockConfig) -> DraftRenderer:
    if config.draft_renderer is not None:
        return config.draft_renderer
    from mock_siak.draft_pdf import render_draft_kk

    return render_draft_kk


def open_store(config: SiakMockConfig) -> Store:
    """Open the state; generate the population only when this state directory has none yet."""
    store = Store(config.db_path)
    try:
        meta = store.populated()
        if meta is None:
            loaded = store.populate(
                _population(config)(config.seed, config.families),
                seed=config.seed,
                count=config.families,
            )
            log.info("population generated: %d families (seed %d)", loaded, config.seed)
        elif (meta.get("seed"), meta.get("families")) != (str(config.seed), str(config.families)):
            log.warning("keeping the existing population (seed %s); --seed/--families ignored", meta["seed"])
    except BaseException:
        store.close()
        raise
    return store


class SoapEndpoint:
    def __init__(self, service: SiakService, auth: Authenticator, max_body: int) -> None:
        self.service = service
        self.auth = auth
        self.max_body = max_body

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            return self.contract_file(request)
        try:
            raw = await self._body(request)
            parsed = soap.parse_envelope(raw)
            client = self.auth.authenticate(request.headers.get("authorization"), parsed.header)
            problems = contract.schema_problems(parsed.body)
            if problems:
                raise SiakError(
                    DATA_TIDAK_VALID,
                    "Permintaan tidak sesuai skema.",
                    [Masalah(pesan, elemen) for elemen, pesan in problems],
                )
            if parsed.operation not in self.service.operations:
                raise SiakError(DATA_TIDAK_VALID, f"Operasi {parsed.operation} tidak dikenal.")
            body = await run_in_threadpool(self._run, parsed, client)
        except SiakError as error:
            return fault_response(error)
        except Exception as exc:
            log.error("internal error in mock SIAK: %s", type(exc).__name__)
            return fault_response(SiakError(LAYANAN_TIDAK_TERSEDIA, "Terjadi kesalahan internal pada layanan SIAK."))
        return Response(body, media_type=soap.CONTENT_TYPE)

    def _run(self, parsed: soap.SoapRequest, client: str) -> bytes:
        values = self.service.handle(parsed.operation, parsed.values(), client)
        element = soap.build_element(f"{parsed.operation}Response", values)
        problems = contract.schema_problems(element)
        if problems:  # our own bug: never send an answer the contract does not allow
            raise RuntimeError(f"response violates the contract: {problems}")
        return soap.envelope(element)

    async def _body(self, request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.max_body:
            raise SiakError(DATA_TIDAK_VALID, "Permintaan terlalu besar.")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                raise SiakError(DATA_TIDAK_VALID, "Permintaan terlalu besar.")
            chunks.append(chunk)
        return b"".join(chunks)

    def contract_file(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        if "wsdl" in {k.lower() for k in request.query_params}:
            return Response(contract.served_wsdl(base), media_type=soap.CONTENT_TYPE)
        if request.query_params.get("xsd") == contract.XSD_NAME:
            return Response(contract.xsd_bytes(), media_type=soap.CONTENT_TYPE)
        return PlainTextResponse("Gunakan ?wsdl atau ?xsd=siak.xsd", status_code=404)


def create_app(config: SiakMockConfig) -> FaultInjector:
    """Build mock SIAK: open (and on first start, populate) its state, and wrap it in the fault injector."""
    store = open_store(config)
    service = SiakService(store, config, _renderer(config))
    endpoint = SoapEndpoint(service, Authenticator(config.clients), config.max_body_bytes)
    dukcapil = DukcapilRest(store, config)

    async def healthz(request: Request) -> Response:
        counts = await run_in_threadpool(store.counts)
        return JSONResponse({"service": "mock_siak", "status": "ok", "families": counts["families"]})

    async def sample(request: Request) -> Response:
        try:
            n = max(1, min(int(request.query_params.get("n", "5")), 100))
        except ValueError:
            return JSONResponse({"error": "n harus berupa bilangan"}, status_code=400)
        region = request.query_params.get("region", "")
        if len(region) > 6 or not (region.isascii() and (region.isdigit() or not region)):
            return JSONResponse({"error": "region adalah awalan kode wilayah, 1 sampai 6 digit"}, status_code=400)
        return JSONResponse({"families": await run_in_threadpool(store.sample, n, region)})

    async def stats(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(store.counts))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        try:
            yield {}
        finally:
            store.close()

    app = Starlette(
        routes=[
            Route("/siak", endpoint.handle, methods=["GET", "POST"]),
            Route("/dukcapil/get_json/{path:path}", dukcapil.handle, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/_admin/sample", sample, methods=["GET"]),
            Route("/_admin/stats", stats, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.service = service
    return FaultInjector(
        app,
        config.faults,
        fault_response=unavailable_response,
        malformed_body=MALFORMED_BODY,
        malformed_media_type=soap.CONTENT_TYPE,
    )
