"""Loopback-only admin endpoints (no Basic auth): switch calling applications, read the mail outbox.

* ``GET /_admin/clients`` — ``{"clients": [{"username", "enabled"}]}``
* ``POST /_admin/clients/{username}/disable`` and ``.../enable`` — what the real service's
admin does
* ``GET /_admin/outbox?nik=&email=&idSubscriber=&kind=`` — e-mails the service "sent" (OTP codes),
  newest last; ``DELETE /_admin/outbox`` empties it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_bsre.config import BsreMockConfig
from mock_bsre.service import BsreService


def _config(request: Request) -> BsreMockConfig:
    config: BsreMockConfig = request.app.state.config
    return config


async def list_clients(request: Request) -> Response:
    config = _config(request)
    clients = [{"username": name, "enabled": name not in config.disabled_clients} for name in sorted(config.clients)]
    return JSONResponse({"clients": clients})


async def set_client(request: Request) -> Response:
    config = _config(request)
    name = request.path_params["username"]
    if name not in config.clients:
        return JSONResponse({"error": f"unknown client {name}"}, status_code=404)
    if request.path_params["action"] == "disable":
        config.disabled_clients.add(name)
    else:
        config.disabled_clients.discard(name)
    return JSONResponse({"username": name, "enabled": name not in config.disabled_clients})


async def outbox(request: Request) -> Response:
    service: BsreService = request.app.state.service
    if request.method == "DELETE":
        service.otps.outbox.clear()
        return JSONResponse({"messages": []})
    q = request.query_params
    messages = [
        m.to_json()
        for m in service.otps.outbox
        if (not q.get("nik") or m.nik == q["nik"])
        and (not q.get("email") or m.to.lower() == q["email"].lower())
        and (not q.get("idSubscriber") or m.id_subscriber == q["idSubscriber"])
        and (not q.get("kind") or m.kind == q["kind"])
    ]
    return JSONResponse({"messages": messages})


routes = [
    Route("/_admin/clients", list_clients, methods=["GET"]),
    Route("/_admin/clients/{username}/{action:str}", set_client, methods=["POST"]),
    Route("/_admin/outbox", outbox, methods=["GET", "DELETE"]),
]
