"""Shared test material for signing tests (also used by tests/e2e/test_pdfsig_backends.py).

Draft KKs as mock SIAK renders them, the TTE block, the test PKI's PKCS#12 files, and a SoftHSM2
token holding the Kepala Dinas's key and certificates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pkcs11
from asn1crypto import pem, x509
from pkcs11 import Attribute, CertificateType, ObjectClass

from mock_bsre.pki import load_pki
from mock_siak.draft_pdf import render_draft_kk
from mock_siak.population import generate_population
from siakgate.signing import TteBlock

KEPALA_DINAS = "kepala-dinas"
KEPALA_DINAS_NAME = "Drs. Bambang Setiawan, M.Si."
KEPALA_DINAS_NIP = "19720512 199803 1 004"
SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "siakgate-uji"
TOKEN_PIN = "123456"
TOKEN_SO_PIN = "12345678"
KEY_LABEL = "kepala-dinas"


def certs_dir() -> Path:
    return Path(load_pki().certs_dir)


def p12_path(name: str = KEPALA_DINAS) -> Path:
    return certs_dir() / "p12" / f"{name}.p12"


def p12_passphrase(name: str = KEPALA_DINAS) -> str:
    passphrase = load_pki().entity(name)["p12_passphrase"]
    assert isinstance(passphrase, str)
    return passphrase


def der_cert(name: str) -> bytes:
    data = (certs_dir() / f"{name}.crt").read_bytes()
    return pem.unarmor(data)[2] if pem.detect(data) else data


def root_der() -> bytes:
    return der_cert("root-ca")


@cache
def _families() -> list[dict[str, Any]]:
    return list(generate_population(20261101, 40))


def draft_kk(index: int = 0) -> bytes:
    """A KK ready to sign (``draft=False``: as SIAK hands it out after verification), empty ``TTE`` field."""
    families = _families()
    return render_draft_kk(
        families[index % len(families)],
        no_permohonan=f"BCA-2026-{index:06d}",
        issued_on=date(2026, 11, 1),
        kepala_dinas_name=KEPALA_DINAS_NAME,
        kepala_dinas_nip=KEPALA_DINAS_NIP,
        kab_name="KABUPATEN LUMAJANG",
        draft=False,
    )


def tte_block(document: str = "uji") -> TteBlock:
    return TteBlock(
        verify_url=f"http://127.0.0.1:8000/v1/verify/{document}",
        signer_name=KEPALA_DINAS_NAME,
        signer_nip=KEPALA_DINAS_NIP,
    )


@dataclass(frozen=True)
class SoftHsmToken:
    conf: Path
    lib: str = SOFTHSM_LIB
    label: str = TOKEN_LABEL
    pin: str = TOKEN_PIN
    key_label: str = KEY_LABEL


def softhsm_available() -> str | None:
    """None if SoftHSM2 can be used here, else why not."""
    if shutil.which("softhsm2-util") is None or not Path(SOFTHSM_LIB).exists():
        return "softhsm2 missing: apt-get install softhsm2"
    return None


def create_softhsm_token(directory: Path) -> SoftHsmToken:
    """A SoftHSM2 token in ``directory`` with the Kepala Dinas's key, certificate and issuing CA.

    The caller must have SOFTHSM2_CONF pointing at the returned ``conf`` before the library is first
    loaded in this process (SoftHSM reads it once, at C_Initialize).
    """
    tokens = directory / "tokens"
    tokens.mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}

    def run(*args: str) -> None:
        subprocess.run(["softhsm2-util", *args], env=env, check=True, capture_output=True, timeout=60)

    run("--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TOKEN_PIN, "--so-pin", TOKEN_SO_PIN)
    key = certs_dir() / "keys" / f"{KEPALA_DINAS}.key.pem"
    run("--import", str(key), "--token", TOKEN_LABEL, "--label", KEY_LABEL, "--id", "01", "--pin", TOKEN_PIN)
    return SoftHsmToken(conf=conf)


def import_certificates(token: SoftHsmToken) -> None:
    """Put the signer's certificate (same CKA_ID as the key) and the issuing CA on the token."""
    lib = pkcs11.lib(token.lib)
    with lib.get_token(token_label=token.label).open(user_pin=token.pin, rw=True) as session:
        for name, object_id in ((KEPALA_DINAS, b"\x01"), ("issuing-ca", b"\x02")):
            der = der_cert(name)
            cert = x509.Certificate.load(der)
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: name,
                    Attribute.ID: object_id,
                    Attribute.SUBJECT: cert.subject.dump(),
                    Attribute.VALUE: der,
                }
            )


_SHARED_TOKEN: list[SoftHsmToken] = []


def shared_softhsm_token(directory_factory: Any) -> SoftHsmToken:
    """The one SoftHSM2 token of this test process (SoftHSM reads its configuration once per process).

    ``directory_factory`` is pytest's ``tmp_path_factory``. The caller sets SOFTHSM2_CONF to
    ``token.conf`` (monkeypatch) for as long as it uses the token; certificates are imported here.
    """
    if not _SHARED_TOKEN:
        token = create_softhsm_token(directory_factory.mktemp("softhsm"))
        previous = os.environ.get("SOFTHSM2_CONF")
        os.environ["SOFTHSM2_CONF"] = str(token.conf)
        try:
            import_certificates(token)
        finally:
            if previous is None:
                del os.environ["SOFTHSM2_CONF"]
            else:
                os.environ["SOFTHSM2_CONF"] = previous
        _SHARED_TOKEN.append(token)
    return _SHARED_TOKEN[0]
