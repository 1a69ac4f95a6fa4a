"""The gateway's signing backends, built from the settings: the Kepala Dinas's and (Kecamatan) the Sekcam's.

Both use the same kind of key holder (``settings.signing.backend``); they differ in which key. A
backend that cannot be built (a missing file or setting) stops the start-up with a clear message
rather than failing at the first batch.
"""

from __future__ import annotations

import httpx

from siakgate.config import Settings
from siakgate.errors import SigningError
from siakgate.signing.api import SigningBackend, SigningOptions

__all__ = ["build_signers", "signing_options"]


class SigningConfigError(SigningError):
    code = "KONFIGURASI_TTE_TIDAK_LENGKAP"


def signing_options(settings: Settings) -> SigningOptions:
    return SigningOptions(
        level=settings.signing.level,
        timestamp_url=settings.signing.tsa_url,
        trust_roots=tuple(settings.trust_root_ders()),
        allow_fetching=settings.allow_fetching,
    )


def build_signers(settings: Settings, bsre_http: httpx.AsyncClient) -> tuple[SigningBackend, SigningBackend | None]:
    """(Kepala Dinas backend, Sekcam backend or None) for ``settings.signing``."""
    signing, bsre = settings.signing, settings.bsre
    if signing.backend == "remote-hash":
        from siakgate.bsre.csc import CscClient
        from siakgate.signing.remote_hash import RemoteHashBackend

        csc = CscClient(bsre_http, bsre.url, bsre.username, bsre.password.get_secret_value())
        assert signing.csc_credential_id is not None  # the settings' validator insists
        sekcam = signing.sekcam_csc_credential_id
        return RemoteHashBackend(csc, signing.csc_credential_id), (RemoteHashBackend(csc, sekcam) if sekcam else None)
    if signing.backend == "pkcs12":
        from siakgate.signing.pkcs12 import Pkcs12Backend

        if signing.pkcs12_path is None:
            raise SigningConfigError(
                "Backend pkcs12 memerlukan SIAKGATE_SIGNING__PKCS12_PATH (berkas kunci Kepala Dinas)."
            )
        for path in (signing.pkcs12_path, signing.sekcam_pkcs12_path):
            if path is not None and not path.is_file():
                raise SigningConfigError(f"Berkas kunci PKCS#12 tidak ditemukan: {path}")
        sekcam_path = signing.sekcam_pkcs12_path
        return Pkcs12Backend(signing.pkcs12_path), (Pkcs12Backend(sekcam_path) if sekcam_path else None)
    if signing.backend == "pkcs11":
        from siakgate.signing.pkcs11 import Pkcs11Backend

        assert signing.pkcs11_lib is not None
        assert signing.pkcs11_token is not None
        return Pkcs11Backend(signing.pkcs11_lib, signing.pkcs11_token, key_label=signing.pkcs11_key_label), None
    from siakgate.bsre.client import BsreClient
    from siakgate.signing.esign import EsignBackend

    client = BsreClient(bsre_http, bsre.url, bsre.username, bsre.password.get_secret_value())
    return EsignBackend(client, nik=signing.esign_nik, api="v2" if signing.backend == "esign-v2" else "v1"), None
