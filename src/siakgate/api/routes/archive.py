"""``/v1/archive``: the archive's health for the gateway's operators (a national ADMIN only).

``GET /v1/archive/verify`` re-hashes every copy (the same report as ``siakgate archive verify --json``);
``POST /v1/archive/restore`` repairs bad copies from good ones (as ``siakgate archive restore``). The
archive itself is built by the composition root (:func:`siakgate.api.runtime.open_gateway`), and its
replicator runs in the app's lifespan next to the workflow's worker.

Both routes act on every region's signed KKs at once, so they need an ADMIN token with no region; a
regional ADMIN gets 403 ``KHUSUS_ADMIN_NASIONAL`` (:func:`siakgate.workflow.access.require_national_admin`).
"""

from __future__ import annotations

from functools import partial

import anyio.to_thread
from fastapi import APIRouter

from siakgate.api.deps import CurrentActor, GatewayDep
from siakgate.archive import restore_archive, verify_archive
from siakgate.workflow.access import require_national_admin

__all__ = ["router"]

router = APIRouter(prefix="/v1/archive", tags=["archive"])


@router.get("/verify", summary="Periksa setiap salinan arsip (SHA-256) di setiap lokasi")
async def verify(actor: CurrentActor, gateway: GatewayDep) -> dict[str, object]:
    """Every region's copies: a national ADMIN only."""
    require_national_admin(actor)
    report = await anyio.to_thread.run_sync(verify_archive, gateway.archive)
    return report.to_json()


@router.post("/restore", summary="Pulihkan salinan yang hilang atau rusak dari salinan yang baik")
async def restore(actor: CurrentActor, gateway: GatewayDep) -> dict[str, object]:
    """Repairs every region's copies: a national ADMIN only."""
    require_national_admin(actor)
    report = await anyio.to_thread.run_sync(partial(restore_archive, gateway.archive, actor=actor.name))
    return report.to_json()
