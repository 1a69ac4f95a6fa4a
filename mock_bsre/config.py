"""Configuration of mock BSrE: where state and certificates live, who may call it, how it
misbehaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mock_common.faults import FaultConfig

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SIGNERS_FILE = PACKAGE_DIR / "signers.yaml"

PADES_LEVELS = ("B-B", "B-T")
V1_ERROR_SHAPES = ("text", "status-code")
SIGNATURE_FORMATS = ("pades", "pkcs7")


def _default_clients() -> dict[str, str]:
    # Test fixture credentials of the calling application (HTTP Basic), as the real service's admin
    # would issue them per application.
    return {"siakgate": "siakgate-dev"}


@dataclass
class BsreMockConfig:
    """Everything ``create_app`` needs.

    ``clients`` maps HTTP Basic user names to passwords (one pair per calling application);
    ``disabled_clients`` are known but switched off by the admin (401 like a wrong password).
    ``pades_level`` is ``B-T`` (signature time-stamped by the in-process TSA) or ``B-B``.
    ``v1_error_shape``: where a v1 refusal carries BSrE's reason code: ``text`` (at the end of ``error``, with
    ``status_code`` the HTTP status: the shape integrators quote, the default; the guide shows no error body) or
    ``status-code`` (in ``status_code``, as a Laravel client's ``isWrongPassphrase()`` reads it).
    ``signature_format``: ``pades`` (``ETSI.CAdES.detached``) or ``pkcs7`` (``adbe.pkcs7.detached``, what the
    guide's "PKCS7-T" suggests the real service may produce).
    ``csc_strict``: the CSC API refuses CSC v1 field names (``hash``, ``hashAlgo``) instead of accepting them.
    """

    state_dir: Path
    certs_dir: Path | None = None
    signers_file: Path = DEFAULT_SIGNERS_FILE
    clients: dict[str, str] = field(default_factory=_default_clients)
    disabled_clients: set[str] = field(default_factory=set)
    faults: FaultConfig = field(default_factory=FaultConfig)
    pades_level: str = "B-T"
    otp_ttl_seconds: int = 300
    sad_ttl_seconds: int = 300
    csc_token_ttl_seconds: int = 3600
    csc_multisign: int = 10
    seal_activation_ttl_seconds: int = 86400
    v1_error_shape: str = "text"
    signature_format: str = "pades"
    csc_strict: bool = False

    def __post_init__(self) -> None:
        self.state_dir = Path(self.state_dir)
        if self.pades_level not in PADES_LEVELS:
            raise ValueError(f"pades_level must be one of {PADES_LEVELS}")
        if self.v1_error_shape not in V1_ERROR_SHAPES:
            raise ValueError(f"v1_error_shape must be one of {V1_ERROR_SHAPES}")
        if self.signature_format not in SIGNATURE_FORMATS:
            raise ValueError(f"signature_format must be one of {SIGNATURE_FORMATS}")
