"""The signing workstation: pages for the Dinas officers who are people, not calling systems.

Mounted by the gateway under ``/ws/`` (``app.include_router(siakgate.web.router)``): sign-in with
personal accounts (:mod:`~siakgate.web.accounts`, :mod:`~siakgate.web.sessions`), the Kasi/Kabid's
verification queue (:mod:`~siakgate.web.routes_verify`), the Kepala Dinas's batch signing with live
progress (:mod:`~siakgate.web.routes_tte`, :mod:`~siakgate.web.runs`), each officer's history
(:mod:`~siakgate.web.routes_history`). Server-rendered Jinja2 templates, plain CSS and a little
vanilla JavaScript: nothing to build. The page map and the test ids are in ``README.md`` here.

An officer acts on the workflow as an :class:`~siakgate.workflow.access.Actor` named by their
username, so the workflow's access rules apply to the pages exactly as to the REST API.
"""

from __future__ import annotations

from fastapi import APIRouter

from siakgate.web import routes_auth, routes_history, routes_tte, routes_verify
from siakgate.web.config import WebConfig

__all__ = ["WebConfig", "router"]

router = APIRouter()
for _module in (routes_auth, routes_verify, routes_tte, routes_history):
    router.include_router(_module.router)
