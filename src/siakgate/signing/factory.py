"""One way to build a signing backend from a description of it, for the gateway and for ``siakgate sign``.

A :class:`BackendSpec` says which key holder (``kind``), which key and, for a Kepala Dinas's key, which
regencies it signs KKs for; :func:`build_backend` makes the backend (wrapped in a
:class:`~siakgate.signing.jurisdiction.JurisdictionGuard` when the spec names regencies, whatever the
kind). The gateway describes its keys from ``SIAKGATE_SIGNING__*`` (:mod:`siakgate.api.signers`), the
command line from its options (``siakgate sign --backend ...``); each checks :meth:`BackendSpec.missing`
first to refuse in its own words (a setting's name, an option's), then calls :func:`build_backend`.

The two BSrE-backed kinds share one :class:`BsreAccess`: one HTTP client, one application account and
one CSC client (so the Kepala Dinas's and the Sekcam's keys log in to CSC once). Each backend module is
imported only when its kind is chosen: the BSrE-backed ones bring in the BSrE client, ``pkcs11`` its library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TypeVar

from siakgate.errors import SigningConfigError

if TYPE_CHECKING:
    import httpx

    from siakgate.bsre.client import BsreClient
    from siakgate.bsre.csc import CscClient
    from siakgate.signing.api import SigningBackend

__all__ = ["BACKEND_KINDS", "REQUIRED", "BackendKind", "BackendSpec", "BsreAccess", "build_backend"]

T = TypeVar("T")

BackendKind = Literal["pkcs12", "pkcs11", "remote-hash", "esign-v1", "esign-v2"]
"""``pkcs12`` a key file; ``pkcs11`` a token or HSM; ``remote-hash`` BSrE's key by CSC hash signing;
``esign-v1`` / ``esign-v2`` BSrE's Esign Client in whole-document mode."""

BACKEND_KINDS: Final[tuple[BackendKind, ...]] = ("pkcs12", "pkcs11", "remote-hash", "esign-v1", "esign-v2")

REQUIRED: Final[Mapping[BackendKind, tuple[str, ...]]] = {
    "pkcs12": ("pkcs12_path",),
    "pkcs11": ("pkcs11_lib", "pkcs11_token", "pkcs11_key_label"),
    "remote-hash": ("csc_credential_id",),
    "esign-v1": ("esign_nik",),
    "esign-v2": ("esign_nik",),
}
"""What each kind needs: field names of :class:`BackendSpec`, the same as ``SigningSettings``'s."""


@dataclass(frozen=True, slots=True)
class BackendSpec:
    """Which key holder, and which key in it. Only the fields of ``REQUIRED[kind]`` are used."""

    kind: BackendKind
    pkcs12_path: Path | None = None
    pkcs11_lib: Path | None = None
    pkcs11_token: str | None = None
    pkcs11_key_label: str | None = None
    csc_credential_id: str | None = None
    esign_nik: str | None = None
    regencies: tuple[str, ...] = ()
    """The regencies (4-digit Kemendagri codes, ``3508``) whose KKs this key may sign; empty: no binding
    (a Sekcam's cover letter, ``siakgate sign`` on a PDF of no known region)."""

    def missing(self) -> tuple[str, ...]:
        """The fields this kind needs that are not given (empty: :func:`build_backend` can build it)."""
        return tuple(name for name in REQUIRED[self.kind] if not getattr(self, name))


@dataclass
class BsreAccess:
    """How the BSrE-backed backends reach BSrE: the HTTP client (owned by the caller) and the application's
    account; the BSrE clients are made once and shared by every backend built with this access."""

    http: httpx.AsyncClient
    url: str
    username: str
    password: str = field(repr=False)
    _csc: CscClient | None = field(default=None, init=False, repr=False)
    _esign: BsreClient | None = field(default=None, init=False, repr=False)

    def csc(self) -> CscClient:
        if self._csc is None:
            from siakgate.bsre.csc import CscClient

            self._csc = CscClient(self.http, self.url, self.username, self.password)
        return self._csc

    def esign(self) -> BsreClient:
        if self._esign is None:
            from siakgate.bsre.client import BsreClient

            self._esign = BsreClient(self.http, self.url, self.username, self.password)
        return self._esign


def build_backend(spec: BackendSpec, *, bsre: BsreAccess | None = None) -> SigningBackend:
    """The backend ``spec`` describes; ``bsre`` is needed by the BSrE-backed kinds only.

    Raises :class:`~siakgate.errors.SigningConfigError` when the spec lacks what its kind needs or names
    a regency that is not a 4-digit code. Nothing is opened here: a key file is read, a token or BSrE is
    reached, when the first batch is signed.
    """
    backend = _key_holder(spec, bsre)
    if not spec.regencies:
        return backend
    from siakgate.signing.jurisdiction import Jurisdiction, JurisdictionGuard

    try:
        jurisdiction = Jurisdiction(spec.regencies)
    except ValueError as exc:
        raise SigningConfigError(
            f"Wilayah kewenangan penanda tangan tidak valid ({', '.join(spec.regencies)}): "
            "gunakan kode kabupaten/kota 4 digit, mis. 3508."
        ) from exc
    return JurisdictionGuard(backend, jurisdiction)


def _key_holder(spec: BackendSpec, bsre: BsreAccess | None) -> SigningBackend:
    if spec.kind == "pkcs12":
        from siakgate.signing.pkcs12 import Pkcs12Backend

        return Pkcs12Backend(_given(spec, spec.pkcs12_path))
    if spec.kind == "pkcs11":
        from siakgate.signing.pkcs11 import Pkcs11Backend

        lib, token = _given(spec, spec.pkcs11_lib), _given(spec, spec.pkcs11_token)
        return Pkcs11Backend(lib, token, key_label=_given(spec, spec.pkcs11_key_label))
    if bsre is None:
        raise SigningConfigError(f"Backend {spec.kind} memerlukan akses ke BSrE (alamat dan akun aplikasi).")
    if spec.kind == "remote-hash":
        from siakgate.signing.remote_hash import RemoteHashBackend

        return RemoteHashBackend(bsre.csc(), _given(spec, spec.csc_credential_id))
    from siakgate.signing.esign import EsignBackend

    return EsignBackend(bsre.esign(), nik=_given(spec, spec.esign_nik), api="v2" if spec.kind == "esign-v2" else "v1")


def _given(spec: BackendSpec, value: T | None) -> T:
    if not value:
        raise SigningConfigError(f"Backend {spec.kind} memerlukan {', '.join(spec.missing())}.")
    return value
