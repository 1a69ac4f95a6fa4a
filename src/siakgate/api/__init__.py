"""The gateway's REST API (FastAPI): ``create_app(settings)`` builds it; ``siakgate serve`` runs it.

Layout: :mod:`.app` (the factory and lifespan), :mod:`.runtime` (the services an app owns and the
background worker), :mod:`.routes` (one router per resource), :mod:`.schemas` (request/response
bodies), :mod:`.tokens` (API tokens), :mod:`.problems` (RFC 9457 errors), :mod:`.observability`,
:mod:`.logs` and :mod:`.metrics` (request log, JSON logs, Prometheus).
"""

from siakgate.api.app import create_app

__all__ = ["create_app"]
