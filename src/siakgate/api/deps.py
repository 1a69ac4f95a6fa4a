"""FastAPI dependencies: the gateway's services and the calling system's :class:`Actor`.

Routes declare what they need (``actor: CurrentActor``, ``workflow: WorkflowDep``); nothing is read
from a module-level singleton, so several apps (tests) live side by side in one process.

Every dependency here is ``async def``, even when it awaits nothing: FastAPI runs a plain ``def``
dependency in a worker thread, a thread hop per dependency per request for what is an attribute read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from siakgate.api.runtime import Gateway
from siakgate.api.tokens import UnauthenticatedError, authenticate
from siakgate.audit import context as audit_context
from siakgate.workflow.applicant import ApplicantCheck
from siakgate.workflow.engine import Actor, Workflow

__all__ = [
    "ApplicantCheckDep",
    "CurrentActor",
    "GatewayDep",
    "WorkflowDep",
    "get_actor",
    "get_applicant_check",
    "get_gateway",
]

# auto_error=False: a missing header is our 401 problem, not FastAPI's 403 default.
_bearer = HTTPBearer(auto_error=False, description="Token API: `Authorization: Bearer sgt_...`")


async def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


async def get_workflow(gateway: GatewayDep) -> Workflow:
    return gateway.workflow


WorkflowDep = Annotated[Workflow, Depends(get_workflow)]


async def get_applicant_check(request: Request) -> ApplicantCheck | None:
    """Dukcapil's intake check, built by the app's lifespan when enabled (``app.state.applicant_check``)."""
    check: ApplicantCheck | None = getattr(request.app.state, "applicant_check", None)
    return check


ApplicantCheckDep = Annotated[ApplicantCheck | None, Depends(get_applicant_check)]


async def get_actor(
    gateway: GatewayDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    if credentials is None:
        raise UnauthenticatedError("Token API diperlukan: kirim header 'Authorization: Bearer <token>'.")
    actor = await authenticate(gateway.db, f"{credentials.scheme} {credentials.credentials}", cache=gateway.tokens)
    audit_context.bind(actor.name)  # the calling system of this request's audit entries (siakgate.audit)
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]
