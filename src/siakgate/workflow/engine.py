"""The workflow engine: one :class:`Workflow` runs every service profile.

It is a facade over the modules that do the work, each a unit of work on the database:

* :mod:`~siakgate.workflow.intake` — create (idempotent) and upload requirement documents;
* :mod:`~siakgate.workflow.actions` — a person's action on the current step (see its table);
* :mod:`~siakgate.workflow.worker` — automatic steps as durable Jobs, SIAK calls, crash safety;
* :mod:`~siakgate.workflow.batches` — the Kepala Dinas's signing batches;
* :mod:`~siakgate.workflow.collection` — kecamatan collections with the Sekcam's cover letter;
* :mod:`~siakgate.workflow.states` — the states and what moves between them.

Every method that changes something commits one transaction before it returns, so what a caller is
told is durable. Methods raise the :class:`~siakgate.errors.WorkflowError` tree (NotFoundError for
what the actor may not see, ForbiddenError for a wrong role, ActionNotAllowedError for a wrong
state), :class:`~siakgate.errors.InvalidDataError` for bad input (nothing written), and
:class:`~siakgate.errors.DocumentRejectedError` for a bad upload.
"""

from __future__ import annotations

import builtins
import logging
import os
import socket
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Protocol

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.clock import Clock, as_clock
from siakgate.domain import KartuKeluarga
from siakgate.errors import (
    DataIssue,
    ForbiddenError,
    InvalidDataError,
    NoGoodCopyError,
    NotFoundError,
    SiakgateError,
)
from siakgate.signing import Credential, SigningBackend, SigningOptions
from siakgate.store.db import Database
from siakgate.store.documents import DOCUMENT_CORRUPT, DocumentStore
from siakgate.store.models import Application
from siakgate.workflow import actions, batches, collection, intake, worker
from siakgate.workflow.access import Actor, DocumentCategory, require_document_reader, visible
from siakgate.workflow.applicant import ApplicantCheck
from siakgate.workflow.calendar import WorkingCalendar
from siakgate.workflow.context import Deps, SiakApi, TteBlockFactory
from siakgate.workflow.pipeline import Pipeline, TransitionListener
from siakgate.workflow.profiles import ServiceProfile
from siakgate.workflow.queries import timeline_of, view_of, views_of
from siakgate.workflow.registry import check_behaviours
from siakgate.workflow.transitions import latest_document, load_visible
from siakgate.workflow.views import (
    ApplicationView,
    BatchView,
    CollectionView,
    DocumentView,
    PrintListEntry,
    PublicVerification,
    TimelineEntry,
    masked,
)

__all__ = ["Actor", "DocumentCopies", "TteBlockFactory", "Workflow"]

log = logging.getLogger("siakgate.workflow")


class DocumentCopies(Protocol):
    """Good copies of an application's documents to repair the document store from (the archive:
    :class:`siakgate.archive.recover.ArchiveCopies`)."""

    def restore_primary(self, application_id: str, sha256: str, *, actor: str) -> bytes:
        """Repair the store's file of ``sha256`` from a copy with that hash and return its bytes (blocking);
        :class:`~siakgate.errors.NoGoodCopyError` when there is none."""
        ...


def _restore(copies: DocumentCopies, application_id: str, sha256: str, actor: str) -> bytes:
    try:
        return copies.restore_primary(application_id, sha256, actor=actor)
    except (NoGoodCopyError, OSError) as exc:
        log.error("document corrupt, no good archive copy: app=%s sha256=%s", application_id, sha256[:12])
        raise SiakgateError(
            "Berkas dokumen rusak (isinya tidak sesuai dengan sidik SHA-256) dan tidak ada salinan arsip yang baik "
            "untuk memulihkannya; hubungi admin (siakgate archive verify / restore).",
            code=DOCUMENT_CORRUPT,
        ) from exc


_SIAK_REGION_LENGTHS = (0, 2, 4, 6, 10)


class Workflow:
    """Applications through their service profiles; see the module docstring.

    ``listeners`` react to every state change, document and signed cover letter in the same
    transaction (:mod:`siakgate.workflow.pipeline`); the composition root
    (:func:`siakgate.api.runtime.open_gateway`) passes the notifications outbox, the audit trail, the
    follow-up tasks, the archive records and the step-duration metrics. Without listeners the workflow
    writes its own rows only.
    """

    def __init__(
        self,
        *,
        db: Database,
        documents: DocumentStore,
        profiles: dict[str, ServiceProfile],
        siak: SiakApi,
        signing: SigningBackend,
        signing_options: SigningOptions,
        sekcam_signing: SigningBackend | None,
        tte: TteBlockFactory,
        calendar: WorkingCalendar,
        clock: Clock | Callable[[], datetime],
        sekcam_signing_options: SigningOptions | None = None,
        worker_id: str | None = None,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 8,
        listeners: Sequence[TransitionListener] = (),
    ) -> None:
        pipeline = Pipeline(tuple(listeners))
        check_behaviours(profiles)  # a step or job the engine cannot run is refused now, not at run time
        self._deps = Deps(
            db=db.with_hooks(pipeline),
            documents=documents,
            profiles=profiles,
            siak=siak,
            signing=signing,
            signing_options=signing_options,
            sekcam_signing=sekcam_signing,
            sekcam_signing_options=sekcam_signing_options or signing_options,
            tte=tte,
            calendar=calendar,
            clock=as_clock(clock),
            worker_id=worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}",
            lease=lease,
            max_attempts=max_attempts,
            pipeline=pipeline,
        )

    @property
    def profiles(self) -> dict[str, ServiceProfile]:
        return self._deps.profiles

    # -- applications ---------------------------------------------------------------------------------

    async def create_application(
        self,
        actor: Actor,
        *,
        profile_id: str,
        case_type: str,
        region_code: str,
        applicant_phone: str | None = None,
        family: KartuKeluarga | None = None,
        no_kk: str | None = None,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        applicant_check: ApplicantCheck | None = None,
    ) -> ApplicationView:
        """Open an application (validated first; nothing is written when it is refused). ``applicant_check``
        (Dukcapil's, when the deployment enables it) is asked about the applicant before anything is written.

        With ``idempotency_key``, a repeat with the same request (``request_hash``, computed from the
        arguments when not given) answers the application the first call created, as it is now.
        """
        return await intake.create_application(
            self._deps,
            actor,
            profile_id=profile_id,
            case_type=case_type,
            region_code=region_code,
            applicant_phone=applicant_phone,
            family=family,
            no_kk=no_kk,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            applicant_check=applicant_check,
        )

    async def add_document(
        self, app_id: str, actor: Actor, *, requirement: str, data: bytes, media_type: str, filename: str
    ) -> DocumentView:
        return await intake.add_document(
            self._deps, app_id, actor, requirement=requirement, data=data, media_type=media_type, filename=filename
        )

    async def get(self, app_id: str, actor: Actor) -> ApplicationView:
        def unit(session: Session) -> ApplicationView:
            return view_of(session, self._deps, load_visible(session, actor, app_id))

        return await self._deps.db.run(unit, read_only=True)

    async def timeline(self, app_id: str, actor: Actor) -> builtins.list[TimelineEntry]:
        def unit(session: Session) -> builtins.list[TimelineEntry]:
            return timeline_of(session, load_visible(session, actor, app_id).id)

        return await self._deps.db.run(unit, read_only=True)

    async def list(
        self,
        actor: Actor,
        *,
        profile_id: str | None = None,
        state: str | None = None,
        awaiting_role: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> builtins.list[ApplicationView]:
        """Applications in the actor's region, oldest first, filtered."""
        if not 1 <= limit <= 500 or offset < 0:
            raise InvalidDataError([DataIssue("FORMAT_TIDAK_VALID", "limit", "limit 1..500, offset >= 0.")])

        def unit(session: Session) -> builtins.list[ApplicationView]:
            stmt = select(Application).where(Application.region_code.startswith(actor.region_prefix, autoescape=True))
            if profile_id is not None:
                stmt = stmt.where(Application.profile_id == profile_id)
            if state is not None:
                stmt = stmt.where(Application.state == state)
            if awaiting_role is not None:
                stmt = stmt.where(Application.awaiting_role == awaiting_role)
            rows = session.scalars(stmt.order_by(Application.id).limit(limit).offset(offset))
            return views_of(session, self._deps, list(rows))  # one documents query for the page

        return await self._deps.db.run(unit, read_only=True)

    async def act(
        self,
        app_id: str,
        actor: Actor,
        action: str,
        *,
        reason: str | None = None,
        missing: builtins.list[str] | None = None,
        family: KartuKeluarga | None = None,
    ) -> ApplicationView:
        """Perform ``action`` on the current step (see :mod:`siakgate.workflow.actions`); ``family``
        carries corrected data with ``resubmit``."""
        return await actions.act(self._deps, app_id, actor, action, reason=reason, missing=missing, family=family)

    async def document(
        self, app_id: str, actor: Actor, kind: str, *, copies: DocumentCopies | None = None
    ) -> tuple[bytes, str]:
        """The latest document of ``kind`` (DRAFT_KK, SIGNED_KK, COVER_LETTER or a requirement code).

        When the stored file no longer has its recorded SHA-256 (or is gone) and ``copies`` (the archive) holds a
        good copy, that copy is served and the stored file repaired from it; with no good copy anywhere the answer
        stays ``DOKUMEN_RUSAK`` (``DOKUMEN_TIDAK_DITEMUKAN`` for a file that is gone).
        """

        def unit(session: Session) -> tuple[str, str, str]:
            app = load_visible(session, actor, app_id)
            require_document_reader(actor, kind)  # after the region (404), before looking for the document
            row = latest_document(session, app.id, kind)
            if row is None:
                raise NotFoundError(f"Dokumen {kind} tidak ditemukan.")
            return app.id, row.sha256, row.media_type

        owner, sha, media_type = await self._deps.db.run(unit, read_only=True)
        try:
            data = await anyio.to_thread.run_sync(self._deps.documents.get, sha)
        except NotFoundError as error:  # recorded, but the file is gone
            if copies is None:
                raise
            try:
                data = await anyio.to_thread.run_sync(partial(_restore, copies, owner, sha, actor.name))
            except SiakgateError:
                raise error from None
        except SiakgateError as error:
            if error.code != DOCUMENT_CORRUPT or copies is None:
                raise
            data = await anyio.to_thread.run_sync(partial(_restore, copies, owner, sha, actor.name))
        return data, media_type

    # -- signing and collections ----------------------------------------------------------------------

    async def create_signing_batch(self, actor: Actor, app_ids: builtins.list[str]) -> BatchView:
        return await batches.create_signing_batch(self._deps, actor, app_ids)

    @property
    def signer_uses_otp(self) -> bool:
        """Whether the signing backend takes a one-time code (what :meth:`request_batch_otp` needs): the
        workstation offers OTP only then."""
        return callable(getattr(self._deps.signing, "request_otp", None))

    async def request_batch_otp(self, batch_id: str, actor: Actor) -> None:
        await batches.request_batch_otp(self._deps, batch_id, actor)

    async def sign_batch(self, batch_id: str, actor: Actor, credential: Credential) -> BatchView:
        """Sign the batch's unsigned items under one authorisation; the result per application."""
        return await batches.sign_batch(self._deps, batch_id, actor, credential)

    async def get_batch(self, batch_id: str, actor: Actor) -> BatchView:
        return await batches.get_batch(self._deps, batch_id, actor)

    async def collect_kecamatan_batch(self, actor: Actor, app_ids: builtins.list[str]) -> CollectionView:
        return await collection.collect(self._deps, actor, app_ids)

    async def sign_cover_letter(self, collection_id: str, actor: Actor, credential: Credential) -> CollectionView:
        return await collection.sign_cover_letter(self._deps, collection_id, actor, credential)

    async def submit_collection(self, collection_id: str, actor: Actor) -> CollectionView:
        return await collection.submit_collection(self._deps, collection_id, actor)

    async def get_collection(self, collection_id: str, actor: Actor) -> CollectionView:
        return await collection.get_collection(self._deps, collection_id, actor)

    async def cover_letter(self, collection_id: str, actor: Actor) -> bytes:
        """The cover letter PDF (signed once the Sekcam has signed it)."""
        view = await self.get_collection(collection_id, actor)
        require_document_reader(actor, DocumentCategory.COVER_LETTER)
        sha = view.signed_cover_letter_sha256 or view.cover_letter_sha256
        if sha is None:
            raise NotFoundError("Surat pengantar tidak ditemukan.")
        return await anyio.to_thread.run_sync(self._deps.documents.get, sha)

    # -- print list, worker, public verification -----------------------------------------------------

    async def print_list(self, actor: Actor, *, day: date | None, region_prefix: str) -> builtins.list[PrintListEntry]:
        """SIAK's certified print list (of ``day``, WIB, or all days) within the actor's region."""
        region = region_prefix
        if not region.startswith(actor.region_prefix):
            if actor.region_prefix.startswith(region):
                region = actor.region_prefix
            else:
                raise ForbiddenError("Wilayah di luar wilayah token ini.")
        if len(region) not in _SIAK_REGION_LENGTHS or not (region.isdigit() or region == ""):
            raise InvalidDataError(
                [DataIssue("WILAYAH_TIDAK_VALID", "region", "Awalan wilayah harus 2, 4, 6 atau 10 digit.")]
            )
        entries = await self._deps.siak.print_list(start=day, end=day, region=region)
        numbers = [e.no_permohonan for e in entries]

        def unit(session: Session) -> dict[str, str]:
            stmt = select(Application.siak_request_no, Application.id).where(Application.siak_request_no.in_(numbers))
            return {str(no): app_id for no, app_id in session.execute(stmt)}

        ours: dict[str, str] = await self._deps.db.run(unit, read_only=True) if numbers else {}
        return [
            PrintListEntry(
                no_permohonan=e.no_permohonan,
                application_id=ours.get(e.no_permohonan),
                no_kk_masked=masked(e.no_kk) or "",
                region_code=e.province_code + e.regency_code + e.district_code + e.village_code,
                certified_at=e.certified_at,
                print_status=str(e.print_status),
                print_count=e.print_count,
            )
            for e in entries
            if visible(actor, e.province_code + e.regency_code + e.district_code + e.village_code)
        ]

    async def run_pending(self, *, limit: int = 20) -> int:
        """Run due automatic steps (SIAK calls); crash-safe (see :mod:`siakgate.workflow.worker`)."""
        return await worker.run_pending(self._deps, limit=limit)

    async def public_verification(self, document_ref: str) -> PublicVerification:
        """What a QR code's reference shows the public: validity, signer, time, a masked No. KK.

        ``valid`` means: the gateway issued a signed KK under this reference and the stored file still
        has the hash recorded at signing. Checking the signature itself is ``POST /v1/verify``.
        """

        def unit(session: Session) -> tuple[Application | None, bool]:
            app = session.scalars(select(Application).where(Application.verify_ref == document_ref)).one_or_none()
            return app, bool(app is not None and app.signed_sha256 is not None)

        app, signed = await self._deps.db.run(unit, read_only=True) if document_ref else (None, False)
        if app is None or not signed or app.signed_sha256 is None:
            return PublicVerification(document_ref, False, "Dokumen tidak dikenal.", None, None, None, None)
        intact = await anyio.to_thread.run_sync(self._deps.documents.verify, app.signed_sha256)
        status = (
            "Dokumen sah: Kartu Keluarga ditandatangani secara elektronik."
            if intact
            else "Arsip dokumen tidak utuh; hubungi Dinas."
        )
        return PublicVerification(
            ref=document_ref,
            valid=intact,
            status=status,
            signer=app.signer_name,
            signed_at=app.signed_at,
            no_kk_masked=masked(app.no_kk),
            document_sha256=app.signed_sha256,
        )
