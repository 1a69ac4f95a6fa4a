"""Clients for BSrE's Esign Client Service: API v1, API v2 and CSC v2 hash signing.

Every client takes an injected ``httpx.AsyncClient``; errors are siakgate's (see
:mod:`siakgate.errors`); transient failures are retried per :class:`RetryPolicy`.
"""

from siakgate.bsre._errors import OTP_INVALID_CODE
from siakgate.bsre._http import RETRY_STATUSES, RetryPolicy
from siakgate.bsre.client import BsreClient
from siakgate.bsre.csc import CscClient, Sad
from siakgate.bsre.models import (
    WIB,
    CscCredentialInfo,
    SealCode,
    SignatureProperties,
    UserRegistration,
    UserStatus,
    UserStatusInfo,
    V1Appearance,
    V1VerifyReport,
    V2VerifyReport,
)

__all__ = [
    "OTP_INVALID_CODE",
    "RETRY_STATUSES",
    "WIB",
    "BsreClient",
    "CscClient",
    "CscCredentialInfo",
    "RetryPolicy",
    "Sad",
    "SealCode",
    "SignatureProperties",
    "UserRegistration",
    "UserStatus",
    "UserStatusInfo",
    "V1Appearance",
    "V1VerifyReport",
    "V2VerifyReport",
]
