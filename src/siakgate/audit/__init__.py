"""The audit trail: an append-only, hash-chained log of state changes, signatures and personal-data reads.

::

    siakgate.audit.hooks     AuditTrail: the workflow listener auditing state changes and signatures
                             in the same transaction
    siakgate.audit.chain     the hash, and appending under a lock (pg_advisory_xact_lock / SQLite's writer)
    siakgate.audit.reads     record_read(): an API read of personal data; ReadAudit: their group commit
    siakgate.audit.verify    verify_chain(): the first changed, removed or reordered entry
    siakgate.cli.audit       ``siakgate audit verify`` / ``siakgate audit list`` (in the CLI package)

Importing this package has no side effect. The composition root passes an :class:`AuditTrail` to the
workflow (:func:`siakgate.api.runtime.open_gateway`); from then on every unit of work of that workflow
that writes a ``TimelineEvent`` or a document also appends to the chain.
"""

from __future__ import annotations

from siakgate.audit.chain import GENESIS, AuditEvent, append, entry_hash
from siakgate.audit.context import bind, calling_system
from siakgate.audit.hooks import AuditTrail
from siakgate.audit.reads import PERSONAL_DATA_READ, ReadAudit, record_read
from siakgate.audit.verify import ChainReport, EntryView, entries_of, verify_chain

__all__ = [
    "GENESIS",
    "PERSONAL_DATA_READ",
    "AuditEvent",
    "AuditTrail",
    "ChainReport",
    "EntryView",
    "ReadAudit",
    "append",
    "bind",
    "calling_system",
    "entries_of",
    "entry_hash",
    "record_read",
    "verify_chain",
]
