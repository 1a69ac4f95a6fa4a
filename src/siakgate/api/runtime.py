"""What a running gateway holds, built by the app's lifespan and torn down with it.

Order of construction (each may refuse to start with a clear message): the service profiles (a
profile that does not make sense stops the start-up), the database (waited for with bounded backoff while
unreachable, :mod:`siakgate.store.startup`, then migrated to the packaged head),
the document store, one ``httpx.AsyncClient`` for SIAK and one for BSrE (timeouts from the settings,
transports wrapped for metrics), the SIAK client, the signing backends and the workflow with its
transition listeners (notifications outbox, audit trail, follow-up tasks, archive records, step-duration
metrics: :mod:`siakgate.workflow.pipeline`). Then the background worker starts: it runs the workflow's
due automatic steps every ``worker_interval`` seconds and is cancelled at shutdown (a unit of work in
progress finishes first: see :meth:`siakgate.store.db.Database.run`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import anyio
import httpx

from siakgate.api.metrics import GatewayMetrics, MeteredSigningBackend, MeteredTransport, StepDurations
from siakgate.api.signers import build_signers, signing_options
from siakgate.api.tokens import TokenCache
from siakgate.archive import Archive, ArchiveRecords, archive_settings, locations_for
from siakgate.archive.renew import Renewer, build_renewer
from siakgate.audit import AuditTrail, ReadAudit
from siakgate.clock import Clock
from siakgate.config import Settings
from siakgate.notify import DeliveryWorker, Outbox, delivery_worker, notify_http_client
from siakgate.service_desk.desk import ServiceDesk
from siakgate.service_desk.hooks import FollowUps
from siakgate.siak import SiakClient
from siakgate.store.db import Database
from siakgate.store.documents import DocumentStore
from siakgate.store.passlog import PassLog
from siakgate.store.startup import wait_for_database_async, wait_policy
from siakgate.web.config import WebConfig
from siakgate.web.core import WebContext
from siakgate.web.public import environment
from siakgate.workflow.calendar import WorkingCalendar
from siakgate.workflow.context import TteBlockFactory
from siakgate.workflow.engine import Workflow
from siakgate.workflow.profiles import load_profiles

__all__ = ["Gateway", "open_gateway", "run_worker"]

log = logging.getLogger("siakgate.api")


@dataclass
class Gateway:
    """The app's services (``app.state.gateway``); routes reach them through :mod:`siakgate.api.deps`."""

    settings: Settings
    clock: Clock
    """The one business clock: every service below was built with it."""
    db: Database
    documents: DocumentStore
    workflow: Workflow
    metrics: GatewayMetrics
    siak_http: httpx.AsyncClient
    bsre_http: httpx.AsyncClient
    archive: Archive
    """The archive (:mod:`siakgate.archive`); its replicator runs next to the workflow's worker."""
    desk: ServiceDesk
    """Queue tickets, complaints and follow-up tasks (:mod:`siakgate.service_desk`)."""
    calendar: WorkingCalendar
    """Working days, shared by the workflow, the service desk and the reports."""
    web: WebContext
    """The signing workstation's config, templates and signing runs (:mod:`siakgate.web`)."""
    delivery: DeliveryWorker | None = None
    """The notification outbox's delivery worker (:mod:`siakgate.notify`), run next to the workflow's."""
    renewer: Renewer | None = None
    """Keeps archived KKs provable (:mod:`siakgate.archive.renew`); None without a TSA."""
    tokens: TokenCache | None = None
    """Valid API tokens, trusted for a few seconds (:class:`siakgate.api.tokens.TokenCache`)."""
    read_audit: ReadAudit | None = None
    """Group commit of personal-data read entries (:class:`siakgate.audit.reads.ReadAudit`); its flusher runs
    next to the workflow's worker."""


def _http_client(timeout: float, metrics: GatewayMetrics, service: str) -> httpx.AsyncClient:
    transport = MeteredTransport(httpx.AsyncHTTPTransport(retries=0), metrics, service)
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), transport=transport)


@asynccontextmanager
async def open_gateway(
    settings: Settings, metrics: GatewayMetrics, clock: Clock, *, web_config: WebConfig | None = None
) -> AsyncIterator[Gateway]:
    """Build every service for ``settings`` on the one ``clock``; close them all on exit (also when a later
    one fails). The composition root: nothing else builds a service, routes reach them through ``Depends``."""
    profiles = load_profiles(settings.profiles_dir)
    async with AsyncExitStack() as stack:
        db = Database.create(settings.database_url)
        stack.callback(db.dispose)
        # A database still starting is waited for (one line per attempt), not a traceback (siakgate.store.startup).
        await wait_for_database_async(db, wait_policy(settings))
        await anyio.to_thread.run_sync(db.migrate)
        documents = DocumentStore(settings.document_root, max_bytes=settings.max_upload_bytes)
        siak_http = await stack.enter_async_context(_http_client(settings.siak.timeout_seconds, metrics, "siak"))
        bsre_http = await stack.enter_async_context(_http_client(settings.bsre.timeout_seconds, metrics, "bsre"))
        siak = SiakClient(
            settings.siak.url,
            username=settings.siak.username,
            password=settings.siak.password.get_secret_value(),
            http=siak_http,
        )
        signer, sekcam = build_signers(settings, bsre_http)
        calendar = WorkingCalendar()  # working days: the workflow's deadlines, the desk's and the reports'
        workflow = Workflow(
            db=db,
            documents=documents,
            profiles=profiles,
            siak=siak,
            signing=MeteredSigningBackend(signer, metrics),
            signing_options=signing_options(settings),
            sekcam_signing=MeteredSigningBackend(sekcam, metrics) if sekcam is not None else None,
            tte=TteBlockFactory(
                public_base_url=settings.public_base_url,
                signer_name=settings.kepala_dinas_name,
                signer_nip=settings.kepala_dinas_nip,
            ),
            calendar=calendar,
            clock=clock,
            lease=timedelta(seconds=settings.worker_lease_seconds),
            # What else each transition writes, in its own transaction (siakgate.workflow.pipeline).
            listeners=[
                Outbox(profiles, clock, settings.public_base_url),  # delivered by run_delivery (app.py)
                AuditTrail(),
                FollowUps(),
                ArchiveRecords(),
                StepDurations(metrics, profiles),
            ],
        )
        notify_http = await stack.enter_async_context(notify_http_client(settings.notify))
        delivery = delivery_worker(settings.notify, db, notify_http, clock)
        archive_config = archive_settings(settings)
        archive = Archive(
            db,
            documents,
            locations_for(settings, archive_config),
            lease=timedelta(seconds=archive_config.lease_seconds),
            clock=clock,
        )
        desk = ServiceDesk(db, calendar=calendar, clock=clock)
        web = WebContext(config=web_config or WebConfig(clock=clock), env=environment())
        log.info("gateway ready: database %s, %d service profiles", db.url, len(profiles))
        yield Gateway(
            settings=settings,
            clock=clock,
            db=db,
            documents=documents,
            workflow=workflow,
            metrics=metrics,
            siak_http=siak_http,
            bsre_http=bsre_http,
            archive=archive,
            desk=desk,
            calendar=calendar,
            web=web,
            delivery=delivery,
            renewer=build_renewer(settings, db, documents, clock),
            tokens=TokenCache(db),
            read_audit=ReadAudit(db),
        )


async def run_worker(workflow: Workflow, interval: float, metrics: GatewayMetrics) -> None:
    """Run due automatic steps forever: drain while there is work, then wait ``interval`` seconds.

    A failing pass (SIAK down, a database hiccup) is logged and counted, never fatal: the jobs stay
    in the database and the next pass takes them again. While it keeps failing the log gets one line per
    pass and the traceback once (:class:`siakgate.store.passlog.PassLog`).
    """
    passes = PassLog(log, "pekerja alur kerja")  # one line per failing pass, the traceback once
    while True:
        done = 0
        try:
            done = await workflow.run_pending()
        except Exception as exc:
            metrics.worker_errors.inc()
            passes.failed(exc)
        else:
            passes.succeeded()
            metrics.worker_jobs.inc(done)
        if done == 0:
            await anyio.sleep(interval)
        else:
            await anyio.sleep(0)
