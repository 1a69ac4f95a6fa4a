"""Who may see and do what: an :class:`Actor` is a calling system's token, bound to roles and a region.

Rules, applied the same way by every method of the workflow:

* **Region.** An actor sees an application only when its ten-digit region code starts with the actor's
  ``region_prefix`` ("" sees every region). What an actor may not see does not exist for it:
  :class:`~siakgate.errors.NotFoundError`, never a hint that the id is real.
* **Role.** Acting on a visible application needs the role of its current step
  (:class:`~siakgate.errors.ForbiddenError` otherwise). The ``ADMIN`` role may act in any step of
  its region and is the only one that may ``retry`` a failed automatic step.
* **State.** A known action in the wrong state is :class:`~siakgate.errors.ActionNotAllowedError`.
* **Documents.** Reading a document of a visible application needs a role of its category in
  :data:`DOCUMENT_READERS` (:class:`~siakgate.errors.DocumentRoleError`, 403, otherwise). ``ADMIN`` is
  no pass here: it repairs and retries, and reads no family's papers.
* **Gateway-wide operations** (the archive's verify/restore, the audit chain's check) touch every region:
  they need a *national* ``ADMIN`` (no region); a regional one gets
  :class:`~siakgate.errors.NationalAdminRequiredError` (403).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from siakgate.errors import DocumentRoleError, ForbiddenError, NationalAdminRequiredError, NotFoundError
from siakgate.workflow.profiles import Role

__all__ = [
    "ADMIN_ROLE",
    "DOCUMENT_READERS",
    "Actor",
    "DocumentCategory",
    "document_category",
    "require_document_reader",
    "require_national_admin",
    "require_role",
    "require_visible",
    "visible",
]

ADMIN_ROLE = "ADMIN"
"""A role outside the service standards: an operator of the gateway itself (repairs, retries)."""


@dataclass(frozen=True)
class Actor:
    """The caller: its name (the token's name, written into timelines), roles and region prefix."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    region_prefix: str = ""

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles

    @property
    def is_national(self) -> bool:
        """A token with no region: it sees every region (and what belongs to none)."""
        return self.region_prefix == ""

    def has_any(self, roles: Iterable[str]) -> bool:
        return self.is_admin or any(str(role) in self.roles for role in roles)

    def acting_role(self, wanted: Iterable[str]) -> str:
        """The role under which the actor performs a step (for the timeline)."""
        for role in wanted:
            if str(role) in self.roles:
                return str(role)
        return ADMIN_ROLE


def visible(actor: Actor, region_code: str) -> bool:
    return region_code.startswith(actor.region_prefix)


def require_visible(actor: Actor, region_code: str, what: str = "Permohonan") -> None:
    if not visible(actor, region_code):
        raise NotFoundError(f"{what} tidak ditemukan.")


def require_role(actor: Actor, roles: Iterable[Role | str]) -> str:
    """The acting role, or ForbiddenError naming the roles that may act."""
    wanted = [str(role) for role in roles]
    if not actor.has_any(wanted):
        raise ForbiddenError(f"Tindakan ini hanya untuk peran {', '.join(wanted)}.")
    return actor.acting_role(wanted)


def require_national_admin(actor: Actor) -> None:
    """An ``ADMIN`` with no region, for operations on the whole gateway (403 otherwise, with its own code)."""
    require_role(actor, [ADMIN_ROLE])
    if not actor.is_national:
        raise NationalAdminRequiredError(
            "Tindakan ini mencakup seluruh gateway: hanya untuk ADMIN nasional (token tanpa wilayah)."
        )


class DocumentCategory(StrEnum):
    """What a stored document is, for deciding who may read it."""

    DRAFT_KK = "DRAFT_KK"
    SIGNED_KK = "SIGNED_KK"
    COVER_LETTER = "COVER_LETTER"
    REQUIREMENT = "REQUIREMENT"
    """A requirement scan: every other kind (KK_LAMA, SURAT_KEHILANGAN, ...)."""


_R = Role
DOCUMENT_READERS: Mapping[DocumentCategory, frozenset[str]] = MappingProxyType(
    {
        # The scans are personal papers (old KK, police report, marriage certificate): read by whoever checks
        # them or types from them, and by the applicant's own calling system that uploaded them.
        DocumentCategory.REQUIREMENT: frozenset(
            {
                _R.PEMOHON,  # the applicant's calling system: it uploaded them
                _R.OPERATOR_WA,  # check step (lumajang-bca, bantul-wa-cetak-mandiri)
                _R.PETUGAS_FO,  # check step (dinas-loket, kecamatan, loket-desa), entry in loket-desa
                _R.PETUGAS_LOKET,  # checks the applicant's data against SIAK (dinas-loket siak_lookup)
                _R.OPERATOR_DESA,  # check step (loket-desa): inputs and uploads the scans
                _R.PETUGAS_BO,  # check and entry steps (kecamatan)
                _R.OPERATOR_SIAK,  # types the data in "sesuai dokumen pendukung" (siak_entry)
                _R.KASI,  # check step (loket-desa); the verifier sees the scans beside the draft
                _R.KABID,  # verifier: the scans beside the draft
                _R.KASI_YANMUM,  # verifier (kecamatan): the scans beside the draft
            }
        ),
        # The unsigned draft: those who fetch it from SIAK, pass it on, confirm, verify or sign it.
        DocumentCategory.DRAFT_KK: frozenset(
            {
                _R.PEMOHON,  # applicant_confirm (lumajang-bca): the applicant checks the draft's data
                _R.OPERATOR_WA,  # sends the draft to the applicant (lumajang-bca draft-kk step)
                _R.PETUGAS_FO,  # siak_draft step (loket-desa)
                _R.PETUGAS_BO,  # siak_draft step (kecamatan: prints the KK "belum sah")
                _R.OPERATOR_SIAK,  # siak_draft step (dinas-loket, lumajang-bca, bantul)
                _R.KASI,  # verify step
                _R.KABID,  # verify step (loket-desa)
                _R.KASI_YANMUM,  # verify step (kecamatan)
                _R.KEPALA_DINAS,  # signs exactly this draft's bytes: may see what they sign
            }
        ),
        # The signed KK: those who print, hand over or send it, the signer, and the applicant it belongs to.
        DocumentCategory.SIGNED_KK: frozenset(
            {
                _R.PEMOHON,  # the applicant's KK (the SIGNED_KK notice points the calling system here)
                _R.OPERATOR_WA,  # deliver step (lumajang-bca)
                _R.PETUGAS_FO,  # print and deliver steps (kecamatan)
                _R.PETUGAS_LOKET,  # deliver step (dinas-loket)
                _R.OPERATOR_DESA,  # print and deliver steps (loket-desa)
                _R.OPERATOR_SIAK,  # print step (lumajang-bca)
                _R.KEPALA_DINAS,  # the signer: checks the signed result
                _R.PETUGAS_CETAK,  # print, deliver (PDF by WhatsApp) and archive steps
            }
        ),
        # The kecamatan's cover letter: who drafts it, who signs it, who receives it.
        DocumentCategory.COVER_LETTER: frozenset(
            {
                _R.PETUGAS_BO,  # prints "KK (belum sah) dan surat pengantar" (kecamatan draft-kk step)
                _R.SEKCAM,  # cover_letter step: signs it
                _R.CAMAT,  # may take the cover_letter step
                _R.KEPALA_DINAS,  # receives the collection under it for the TTE
            }
        ),
    }
)
"""Who may read which document: the one table every document-reading route applies (API and workstation).
``ADMIN`` is in no cell: least privilege; no existing flow needs an operator of the gateway to read papers.
The README's "Who reads which document" is checked against it by a test."""


def document_category(kind: str) -> DocumentCategory:
    """The category of a stored document's ``kind``: any kind that is not a gateway document is a requirement."""
    return DocumentCategory.__members__.get(kind, DocumentCategory.REQUIREMENT)


def require_document_reader(actor: Actor, kind: str) -> None:
    """DocumentRoleError unless one of the actor's own roles may read ``kind`` (``ADMIN`` gives no pass)."""
    category = document_category(kind)
    readers = DOCUMENT_READERS[category]
    if readers.isdisjoint(actor.roles):
        raise DocumentRoleError(f"Dokumen {category.value} hanya boleh dibaca oleh peran {', '.join(sorted(readers))}.")
