"""The archive: signed KKs and their requirement files, with their SHA-256, in several locations.

The seed's layered backups (server, hard disk, flash disk, other media) as configured directories::

    siakgate.archive.records     ArchiveRecords made in the transaction that stores a signed KK (a listener)
    siakgate.archive.replicate   Archive: the replicator (claims records under a lease, copies, marks)
    siakgate.archive.check       verify_archive() / restore_archive(): re-hash; repair from a good copy
    siakgate.archive.recover     ArchiveCopies: a corrupt stored file downloaded from a good copy, and repaired
    siakgate.archive.files       hashing and the verified, atomic copy
    siakgate.archive.settings    ArchiveSettings (SIAKGATE_ARCHIVE_*): the locations
    siakgate.cli.archive         ``siakgate archive verify`` / ``siakgate archive restore`` (in the CLI package)

Importing this package has no side effect: the composition root passes
:class:`~siakgate.archive.records.ArchiveRecords` to the workflow.
"""

from __future__ import annotations

from siakgate.archive.check import ArchiveReport, BadCopy, restore_archive, verify_archive
from siakgate.archive.files import CopyState
from siakgate.archive.records import ArchiveRecords
from siakgate.archive.recover import ArchiveCopies
from siakgate.archive.replicate import PRIMARY, Archive, run_replicator
from siakgate.archive.settings import ArchiveLocation, ArchiveSettings, archive_settings, locations_for

__all__ = [
    "PRIMARY",
    "Archive",
    "ArchiveCopies",
    "ArchiveLocation",
    "ArchiveRecords",
    "ArchiveReport",
    "ArchiveSettings",
    "BadCopy",
    "CopyState",
    "archive_settings",
    "locations_for",
    "restore_archive",
    "run_replicator",
    "verify_archive",
]
