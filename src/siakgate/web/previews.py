"""What the Kepala Dinas sees of each KK before signing: its first page as an image, its family head and region.

* **The page image** is rendered here, on the server, from the exact bytes the batch will send to the
  signing service (the application's latest DRAFT_KK, :func:`siakgate.workflow.batches.sign_batch`), with
  poppler's ``pdftoppm`` (installed with the gateway, as in CI). The browser needs no PDF viewer, and the
  image's URL carries the SHA-256 of those bytes: an image is served only while they are still the ones
  to sign, so the picture and the hash beside it cannot disagree.
* **The family head and the village/kecamatan names** come from SIAK (``AmbilDraftKK``): the gateway keeps
  no code list of region names (neither the domain package nor the SIAK contract has one; only the KK data
  carries ``KEL_NAME``/``KEC_NAME``), and it stores no family data for a lost KK. The answers are kept in
  memory per request number and draft hash, so a page is asked once; SIAK that does not answer within
  :data:`FACTS_BUDGET` seconds leaves the names out (the page then says so) instead of holding the page.

The names are personal data: they go into the signed-in officer's page only, never into a log line.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio
import anyio.to_thread
import httpx

from siakgate.errors import SiakgateError
from siakgate.siak import SiakClient
from siakgate.siak.retry import RetryPolicy
from siakgate.workflow.views import ApplicationView, DocumentView

__all__ = [
    "FACTS_BUDGET",
    "KkFacts",
    "KkFactsCache",
    "LruCache",
    "draft_of",
    "render_first_page",
    "sha_short",
]

log = logging.getLogger("siakgate.web")

FACTS_BUDGET = 5.0
"""Seconds a page waits for SIAK's answers about its KKs before it is shown without the missing names."""
_PARALLEL = 8
_PREVIEW_TIMEOUT = 30.0

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A small bounded mapping that forgets the least recently used entry first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


def sha_short(sha256: str) -> str:
    """The first 16 hex digits in groups of four (``3f2a 9c1b 77de 0a41``): enough to compare by eye."""
    head = sha256[:16]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def draft_of(view: ApplicationView) -> DocumentView | None:
    """The KK the batch will sign: the application's latest DRAFT_KK (documents are in upload order)."""
    drafts = [document for document in view.documents if document.kind == "DRAFT_KK"]
    return drafts[-1] if drafts else None


def _pdftoppm(pdf: bytes, width: int) -> bytes:
    command = ["pdftoppm", "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(width), "-"]
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=_PREVIEW_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SiakgateError("Pratinjau KK tidak dapat dibuat.", code="PRATINJAU_GAGAL") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        log.warning("preview failed rc=%s", done.returncode)
        raise SiakgateError("Pratinjau KK tidak dapat dibuat.", code="PRATINJAU_GAGAL")
    return done.stdout


async def render_first_page(pdf: bytes, *, width: int) -> bytes:
    """The PDF's first page as a PNG ``width`` pixels on its longer side (poppler's ``pdftoppm``)."""
    return await anyio.to_thread.run_sync(_pdftoppm, pdf, width)


def png_key(pdf: bytes, width: int) -> tuple[str, int]:
    return hashlib.sha256(pdf).hexdigest(), width


@dataclass(frozen=True)
class KkFacts:
    """What SIAK's KK data says about a KK, in words (personal data: pages only, never logs)."""

    head_name: str
    village: str
    district: str

    @property
    def region(self) -> str:
        return f"Desa/Kel. {self.village}, Kec. {self.district}"


@dataclass
class KkFactsCache:
    """SIAK's answers by (request number, draft hash), and the client that asks (built on first use)."""

    facts: LruCache[tuple[str, str], KkFacts] = field(default_factory=lambda: LruCache(2000))
    previews: LruCache[tuple[str, int], bytes] = field(default_factory=lambda: LruCache(64))
    _siak: SiakClient | None = None

    def client(self, endpoint: str, username: str, password: str, http: httpx.AsyncClient) -> SiakClient:
        if self._siak is None:
            # One quick attempt: a page must not wait out the worker's patient retries.
            retry = RetryPolicy(attempts=1, deadline=FACTS_BUDGET)
            self._siak = SiakClient(endpoint, username=username, password=password, http=http, retry=retry)
        return self._siak

    async def lookup(self, siak: SiakClient, views: Iterable[ApplicationView]) -> dict[str, KkFacts]:
        """The facts of each application that has a SIAK request and a draft (app id -> facts), as far as
        SIAK answers within :data:`FACTS_BUDGET` seconds."""
        found: dict[str, KkFacts] = {}
        wanted: list[tuple[str, tuple[str, str]]] = []
        for view in views:
            draft = draft_of(view)
            if view.siak_request_no is None or draft is None:
                continue
            key = (view.siak_request_no, draft.sha256)
            cached = self.facts.get(key)
            if cached is not None:
                found[view.id] = cached
            else:
                wanted.append((view.id, key))
        if not wanted:
            return found
        limiter = anyio.Semaphore(_PARALLEL)

        async def ask(app_id: str, key: tuple[str, str]) -> None:
            async with limiter:
                try:
                    draft = await siak.get_draft(key[0])
                except SiakgateError as exc:
                    log.info("kk facts unavailable code=%s", exc.code)
                    return
                except Exception as exc:  # the page is shown without the names, whatever SIAK did
                    log.warning("kk facts unavailable error=%s", type(exc).__name__)
                    return
            family = draft.family
            facts = KkFacts(family.head_name, family.village, family.district)
            self.facts.put(key, facts)
            found[app_id] = facts

        with anyio.move_on_after(FACTS_BUDGET):
            async with anyio.create_task_group() as group:
                for app_id, key in wanted:
                    group.start_soon(ask, app_id, key)
        return found
