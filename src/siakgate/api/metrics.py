"""Prometheus metrics, one registry per app (never the process-global one, so tests can build many apps).

=====================================================  =========  =========================================
metric                                                 type       labels
=====================================================  =========  =========================================
siakgate_http_requests_total                           counter    method, route (the template), status
siakgate_http_request_duration_seconds                 histogram  method, route
siakgate_workflow_step_duration_seconds                histogram  profile, step_kind (actual time of a step)
siakgate_worker_jobs_total                             counter    (automatic steps run by the worker)
siakgate_worker_errors_total                           counter    (worker passes that raised)
siakgate_upstream_request_duration_seconds             histogram  service (siak|bsre), operation
siakgate_upstream_errors_total                         counter    service, operation, kind
siakgate_signatures_total                              counter    backend, result (ok|error code)
=====================================================  =========  =========================================

Step durations come from the timeline itself: :class:`StepDurations`, one of the workflow's transition listeners
(:mod:`siakgate.workflow.pipeline`), notes the measured timeline events a transaction adds and observes them only
once it commits (a rolled-back step took no time).

Upstream calls are measured by wrapping the httpx transport of the SIAK and BSrE clients
(:class:`MeteredTransport`): unlike event hooks, a transport also sees connection failures and
timeouts, which are exactly the errors worth counting. The SIAK operation is the SOAPAction; a BSrE
operation is the URL path with digits and ids folded (``/api/v2/sign/pdf``, ``/csc/v2/signatures/signHash``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Final

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from sqlalchemy.orm import Session

from siakgate.signing.api import Credential, SigningBackend, SigningOptions, SignRequest, SignResult
from siakgate.store.models import Application, TimelineEvent
from siakgate.workflow.pipeline import TransitionListener
from siakgate.workflow.profiles import ServiceProfile

__all__ = ["GatewayMetrics", "MeteredSigningBackend", "MeteredTransport", "StepDurations"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_STEP_BUCKETS = (1, 10, 60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600)
_ID_SEGMENT = re.compile(r"/(?:\d+|[0-9a-fA-F-]{16,})(?=/|$)")


class GatewayMetrics:
    """The gateway's metrics on a registry of its own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "siakgate_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=r
        )
        self.request_duration = Histogram(
            "siakgate_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.step_duration = Histogram(
            "siakgate_workflow_step_duration_seconds",
            "Actual time of a workflow step, from due to done",
            ["profile", "step_kind"],
            buckets=_STEP_BUCKETS,
            registry=r,
        )
        self.worker_jobs = Counter("siakgate_worker_jobs", "Automatic steps run by the worker", registry=r)
        self.worker_errors = Counter("siakgate_worker_errors", "Worker passes that failed", registry=r)
        self.upstream_duration = Histogram(
            "siakgate_upstream_request_duration_seconds",
            "Latency of a call to SIAK or BSrE (one HTTP attempt)",
            ["service", "operation"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream_errors = Counter(
            "siakgate_upstream_errors",
            "Calls to SIAK or BSrE that failed (transport error or HTTP status >= 400)",
            ["service", "operation", "kind"],
            registry=r,
        )
        self.signatures = Counter(
            "siakgate_signatures", "Documents signed, by backend and result", ["backend", "result"], registry=r
        )

    def render(self) -> bytes:
        """The registry in Prometheus' text exposition format."""
        return generate_latest(self.registry)


def _operation(service: str, request: httpx.Request) -> str:
    if service == "siak":
        action = request.headers.get("SOAPAction", "").strip('"').rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return action or ("wsdl" if request.method == "GET" else "soap")
    return _ID_SEGMENT.sub("/{id}", request.url.path) or "/"


class MeteredTransport(httpx.AsyncBaseTransport):
    """An httpx transport that times every request to ``service`` and counts its failures."""

    def __init__(self, inner: httpx.AsyncBaseTransport, metrics: GatewayMetrics, service: str) -> None:
        self._inner = inner
        self._metrics = metrics
        self._service = service

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        operation = _operation(self._service, request)
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TimeoutException:
            self._metrics.upstream_errors.labels(self._service, operation, "timeout").inc()
            raise
        except httpx.TransportError:
            self._metrics.upstream_errors.labels(self._service, operation, "connection").inc()
            raise
        finally:
            self._metrics.upstream_duration.labels(self._service, operation).observe(time.perf_counter() - started)
        if response.status_code >= 400:
            self._metrics.upstream_errors.labels(self._service, operation, f"http_{response.status_code}").inc()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class MeteredSigningBackend:
    """A :class:`~siakgate.signing.api.SigningBackend` that counts each document's outcome."""

    def __init__(self, inner: SigningBackend, metrics: GatewayMetrics) -> None:
        self._inner = inner
        self._metrics = metrics
        self.name = inner.name

    def __repr__(self) -> str:
        return f"MeteredSigningBackend({self._inner!r})"

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential | None, options: SigningOptions
    ) -> list[SignResult]:
        try:
            results = await self._inner.sign_batch(requests, credential, options)
        except Exception as exc:
            code = getattr(exc, "code", type(exc).__name__)
            self._metrics.signatures.labels(self.name, str(code)).inc(len(requests))
            raise
        for result in results:
            outcome = "ok" if result.ok else (result.error.code if result.error is not None else "error")
            self._metrics.signatures.labels(self.name, outcome).inc()
        return results


_PENDING_STEPS: Final = "siakgate.metrics.steps"


class StepDurations(TransitionListener):
    """Feeds ``siakgate_workflow_step_duration_seconds`` from the workflow's committed timeline."""

    def __init__(self, metrics: GatewayMetrics, profiles: dict[str, ServiceProfile]) -> None:
        self._metrics = metrics
        self._profiles = profiles

    def on_state_change(self, session: Session, app: Application, event: TimelineEvent) -> None:
        if event.actual_minutes is None or event.step_id is None:
            return
        profile = self._profiles.get(app.profile_id)
        step = next((s for s in profile.steps if s.id == event.step_id), None) if profile is not None else None
        if step is not None and profile is not None:
            pending: list[tuple[str, str, float]] = session.info.setdefault(_PENDING_STEPS, [])
            pending.append((profile.id, str(step.kind), float(event.actual_minutes) * 60))

    def after_commit(self, session: Session) -> None:
        for profile_id, kind, seconds in session.info.pop(_PENDING_STEPS, ()):
            self._metrics.step_duration.labels(profile=profile_id, step_kind=kind).observe(seconds)

    def after_rollback(self, session: Session) -> None:
        session.info.pop(_PENDING_STEPS, None)
