"""The SIAK client: an async zeep client over the bundled SIAK contract, speaking domain models.

::

    async with httpx.AsyncClient(timeout=30) as http:
        siak = SiakClient("https://siak.example/siak", username=..., password=..., http=http)
        family = await siak.get_family(no_kk)

Errors are those of :mod:`siakgate.errors` (SOAP faults by KODE, transport failures as transient
errors); :mod:`siakgate.siak.client` documents which operation is retried when.
"""

from siakgate.siak.client import SiakClient
from siakgate.siak.models import (
    CheckOutcome,
    CheckResult,
    Decision,
    Draft,
    EntryResult,
    PersonRecord,
    PrintEntry,
    PrintMark,
    PrintStatus,
    RequestStatus,
    SignedUpload,
    StatusChange,
)
from siakgate.siak.retry import RetryPolicy, Safety

__all__ = [
    "CheckOutcome",
    "CheckResult",
    "Decision",
    "Draft",
    "EntryResult",
    "PersonRecord",
    "PrintEntry",
    "PrintMark",
    "PrintStatus",
    "RequestStatus",
    "RetryPolicy",
    "Safety",
    "SiakClient",
    "SignedUpload",
    "StatusChange",
]
