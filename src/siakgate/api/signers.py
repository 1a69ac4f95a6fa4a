"""The gateway's signing backends, built from the settings: the Kepala Dinas's and (Kecamatan) the Sekcam's.

Both use the same kind of key holder (``settings.signing.backend``); they differ in which key. Both are
built by :func:`siakgate.signing.factory.build_backend`, as ``siakgate sign`` builds its own. A backend
that cannot be built (a missing file or setting) stops the start-up with a clear message rather than
failing at the first batch. The Kepala Dinas's is bound to ``settings.signing.regencies`` (its
jurisdiction, :mod:`siakgate.signing.jurisdiction`): a gateway without one does not start. The Sekcam's
signs the kecamatan's cover letters, not KKs, and is not bound.
"""

from __future__ import annotations

import httpx

from siakgate.config import Settings, SigningSettings
from siakgate.errors import SigningConfigError
from siakgate.signing.api import SigningBackend, SigningOptions
from siakgate.signing.factory import BackendSpec, BsreAccess, build_backend

__all__ = ["backend_specs", "build_signers", "signing_options"]


def signing_options(settings: Settings) -> SigningOptions:
    return SigningOptions(
        level=settings.signing.level,
        timestamp_url=settings.signing.tsa_url,
        trust_roots=tuple(settings.trust_root_ders()),
        allow_fetching=settings.allow_fetching,
        fetch_only_from=tuple(settings.verify.revocation_endpoints),
    )


def backend_specs(signing: SigningSettings) -> tuple[BackendSpec, BackendSpec | None]:
    """(Kepala Dinas's key, Sekcam's key or None): only ``remote-hash`` and ``pkcs12`` have a Sekcam key."""
    kepala_dinas = BackendSpec(
        signing.backend,
        pkcs12_path=signing.pkcs12_path,
        pkcs11_lib=signing.pkcs11_lib,
        pkcs11_token=signing.pkcs11_token,
        pkcs11_key_label=signing.pkcs11_key_label,
        csc_credential_id=signing.csc_credential_id,
        esign_nik=signing.esign_nik,
        regencies=tuple(signing.regencies),
    )
    sekcam: BackendSpec | None = None
    if signing.backend == "remote-hash" and signing.sekcam_csc_credential_id:
        sekcam = BackendSpec("remote-hash", csc_credential_id=signing.sekcam_csc_credential_id)
    elif signing.backend == "pkcs12" and signing.sekcam_pkcs12_path is not None:
        sekcam = BackendSpec("pkcs12", pkcs12_path=signing.sekcam_pkcs12_path)
    return kepala_dinas, sekcam


def build_signers(settings: Settings, bsre_http: httpx.AsyncClient) -> tuple[SigningBackend, SigningBackend | None]:
    """(Kepala Dinas backend, Sekcam backend or None) for ``settings.signing``."""
    kepala_dinas, sekcam = backend_specs(settings.signing)
    missing = kepala_dinas.missing()
    if missing:  # only pkcs12 gets here: the settings' validator insists for the other kinds
        names = ", ".join(f"SIAKGATE_SIGNING__{name.upper()}" for name in missing)
        raise SigningConfigError(f"Backend {kepala_dinas.kind} memerlukan {names} (kunci Kepala Dinas).")
    if not kepala_dinas.regencies:
        raise SigningConfigError(
            "Wilayah kewenangan Kepala Dinas belum diatur: isi SIAKGATE_SIGNING__REGENCIES dengan kode "
            'kabupaten/kota yang KK-nya ditandatangani, mis. ["3508"].'
        )
    for spec in (kepala_dinas, sekcam):
        path = spec.pkcs12_path if spec is not None and spec.kind == "pkcs12" else None
        if path is not None and not path.is_file():
            raise SigningConfigError(f"Berkas kunci PKCS#12 tidak ditemukan: {path}")
    bsre = settings.bsre
    access = BsreAccess(bsre_http, bsre.url, bsre.username, bsre.password.get_secret_value())
    return build_backend(kepala_dinas, bsre=access), (build_backend(sekcam, bsre=access) if sekcam else None)
