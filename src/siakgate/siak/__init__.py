"""The SIAK client: an async zeep client over the bundled SIAK contract, speaking domain models.

::

    async with httpx.AsyncClient(timeout=30) as http:
        siak = SiakClient("https://siak.example/siak", username=..., password=..., http=http)
        family = await siak.get_family(no_kk)

Errors are those of :mod:`siakgate.errors` (SOAP faults by KODE, transport failures as transient
errors); :mod:`siakgate.siak.client` documents which operation is retried when.

:class:`DukcapilClient` (:mod:`siakgate.siak.dukcapil`) speaks Dukcapil's REST/JSON web service instead
(``CALL_NIK``, ``CALL_VERIFY_BY_ELEMEN``), the way backend systems already check a NIK.
"""

from siakgate.siak.client import SiakClient
from siakgate.siak.dukcapil import DukcapilClient, DukcapilResident, ElementMatch, VerificationResult
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
    "DukcapilClient",
    "DukcapilResident",
    "ElementMatch",
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
    "VerificationResult",
]
