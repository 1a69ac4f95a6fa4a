"""The archive: signed KKs and their requirement files, with their SHA-256, in several locations.

The seed's layered backups (server, hard disk, flash disk, other media) as configured directories::

    siakgate.archive.records     ArchiveRecords made in the transaction that stores a signed KK (a hook)
    siakgate.archive.replicate   Archive: the replicator (claims records under a lease, copies, marks)
    siakgate.archive.check       verify_archive() / restore_archive(): re-hash; repair from a good copy
    siakgate.archive.files       hashing and the verified, atomic copy
    siakgate.archive.settings    ArchiveSettings (SIAKGATE_ARCHIVE_*): the locations
    siakgate.archive.cli         ``siakgate archive verify`` / ``siakgate archive restore``

Importing this package installs the record hook (once per process).
"""

from __future__ import annotations

from siakgate.archive import records
from siakgate.archive.check import ArchiveReport, BadCopy, restore_archive, verify_archive
from siakgate.archive.files import CopyState
from siakgate.archive.replicate import PRIMARY, Archive, run_replicator
from siakgate.archive.settings import ArchiveLocation, ArchiveSettings, archive_settings, locations_for

__all__ = [
    "PRIMARY",
    "Archive",
    "ArchiveLocation",
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

records.install()
