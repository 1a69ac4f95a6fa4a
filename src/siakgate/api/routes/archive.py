"""``/v1/archive``: the archive's health for the gateway's operators (ADMIN role only), and its replicator.

``GET /v1/archive/verify`` re-hashes every copy (the same report as ``siakgate archive verify --json``);
``POST /v1/archive/restore`` repairs bad copies from good ones (as ``siakgate archive restore``).

The router's lifespan runs the archive's replicator next to the workflow worker: it is merged into the
app's lifespan when the router is included, so it starts after the gateway's services exist
(``app.state.gateway``) and is cancelled before they close.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request

from siakgate.api.deps import CurrentActor
from siakgate.api.runtime import Gateway
from siakgate.archive import Archive, archive_settings, locations_for, restore_archive, run_replicator, verify_archive
from siakgate.workflow.access import ADMIN_ROLE, require_role

__all__ = ["router"]


def build_archive(gateway: Gateway) -> Archive:
    settings = archive_settings(gateway.settings)
    return Archive(
        gateway.db,
        gateway.documents,
        locations_for(gateway.settings, settings),
        lease=timedelta(seconds=settings.lease_seconds),
    )


@asynccontextmanager
async def _replicator(app: FastAPI) -> AsyncIterator[None]:
    gateway: Gateway = app.state.gateway
    archive = build_archive(gateway)
    app.state.archive = archive
    async with anyio.create_task_group() as group:
        group.start_soon(run_replicator, archive, archive_settings(gateway.settings).interval)
        try:
            yield
        finally:
            group.cancel_scope.cancel()


router = APIRouter(prefix="/v1/archive", tags=["archive"], lifespan=_replicator)


def _archive(request: Request) -> Archive:
    archive: Archive = request.app.state.archive
    return archive


@router.get("/verify", summary="Periksa setiap salinan arsip (SHA-256) di setiap lokasi")
async def verify(actor: CurrentActor, request: Request) -> dict[str, object]:
    require_role(actor, [ADMIN_ROLE])
    report = await anyio.to_thread.run_sync(verify_archive, _archive(request))
    return report.to_json()


@router.post("/restore", summary="Pulihkan salinan yang hilang atau rusak dari salinan yang baik")
async def restore(actor: CurrentActor, request: Request) -> dict[str, object]:
    require_role(actor, [ADMIN_ROLE])
    report = await anyio.to_thread.run_sync(partial(restore_archive, _archive(request), actor=actor.name))
    return report.to_json()
