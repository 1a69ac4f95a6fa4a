"""The test PKI as mock BSrE sees it: certificates, keys and revocation facts read from certs/.

``certs/generate.py`` writes the material and ``certs/manifest.json`` describes it; this module
only reads them (no certomancer at run time, so starting a mock stays fast). Everything is cached:
keys and certificates are parsed once per :class:`Pki`, and :func:`load_pki` returns the same
:class:`Pki` for the same directory.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import cms, core, pem
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from pyhanko.sign.general import as_signing_certificate
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

ENV_CERTS_DIR = "SIAKGATE_CERTS_DIR"
ROOT = "root-ca"
ISSUING_CA = "issuing-ca"
TSA = "tsa"
OCSP_RESPONDER = "ocsp-responder"
CA_NAMES = (ROOT, ISSUING_CA)


class _LoadedKeyTimeStamper(DummyTimeStamper):
    """pyHanko's self-signing TSA, signing with a key object loaded once.

    Why: ``DummyTimeStamper`` re-parses (and so re-validates) its RSA key for every token, ~60 ms of
    CPU; the signed attributes are the same four RFC 3161/5035 ones (content type, signing time, the
    ESS signing certificate, message digest).
    """

    def __init__(self, key: RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key
        # Parsed from DER once: asn1crypto re-encodes a freshly built certificate reference on every dump.
        self._signing_certificate = cms.CMSAttribute.load(
            _attribute("signing_certificate", as_signing_certificate(self.tsa_cert)).dump()
        )

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: datetime) -> tuple[bytes, cms.CMSAttributes]:
        algorithm: hashes.HashAlgorithm = getattr(hashes, md_algorithm.upper())()
        digest = hashes.Hash(algorithm)
        digest.update(tst_info_data)
        attrs = cms.CMSAttributes(
            [
                _attribute("content_type", "tst_info"),
                _attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                self._signing_certificate,
                _attribute("message_digest", digest.finalize()),
            ]
        )
        return self._key.sign(attrs.dump(), PKCS1v15(), algorithm), attrs


def _attribute(kind: str, value: object) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": kind, "values": (value,)})


class PkiError(LookupError):
    """The test PKI is missing, incomplete, or has no such entity."""


@dataclass(frozen=True)
class Revocation:
    """A revoked certificate as the CRL and the OCSP responder report it."""

    name: str
    serial: int
    issuer: str
    revoked_at: datetime
    reason: str | None

    @property
    def crypto_reason(self) -> x509.ReasonFlags | None:
        """The reason as cryptography's enum (asn1crypto and cryptography spell them alike)."""
        return x509.ReasonFlags(_REASON_NAMES.get(self.reason, self.reason)) if self.reason else None


# asn1crypto's CRLReason names -> RFC 5280 / cryptography ReasonFlags values.
_REASON_NAMES = {
    "key_compromise": "keyCompromise",
    "ca_compromise": "cACompromise",
    "affiliation_changed": "affiliationChanged",
    "superseded": "superseded",
    "cessation_of_operation": "cessationOfOperation",
    "certificate_hold": "certificateHold",
    "remove_from_crl": "removeFromCRL",
    "privilege_withdrawn": "privilegeWithdrawn",
    "aa_compromise": "aACompromise",
    "unspecified": "unspecified",
}


def _cert_store(certs: list[asn1_x509.Certificate]) -> SimpleCertificateStore:
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    store.register_multiple(certs)
    return store


def default_certs_dir() -> Path:
    """``$SIAKGATE_CERTS_DIR``, else the repository's certs/, else the copy inside the wheel."""
    env = os.environ.get(ENV_CERTS_DIR)
    if env:
        return Path(env)
    package_dir = Path(__file__).resolve().parents[1]
    candidates = (package_dir.parent / "certs", package_dir / "_certs")
    for candidate in candidates:
        if (candidate / "manifest.json").is_file():
            return candidate
    return candidates[0]


class Pki:
    """Read-only view of one generated test PKI directory.

    Names are the manifest's entity names (``kepala-dinas``, ``issuing-ca``, ...). Certificates come
    as asn1crypto objects, which is what pyHanko consumes; ``crypto_certificate`` and
    ``crypto_private_key`` give cryptography objects for the OCSP and CRL builders.
    """

    def __init__(self, certs_dir: Path) -> None:
        self.certs_dir = Path(certs_dir).resolve()
        manifest_path = self.certs_dir / "manifest.json"
        if not manifest_path.is_file():
            raise PkiError(f"no test PKI in {self.certs_dir} (manifest.json missing); run `python certs/generate.py`")
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        self._entities: dict[str, dict[str, Any]] = self.manifest["entities"]
        self._certs: dict[str, asn1_x509.Certificate] = {}
        self._crypto_certs: dict[str, x509.Certificate] = {}
        self._keys: dict[str, asn1_keys.PrivateKeyInfo] = {}
        self._crypto_keys: dict[str, CertificateIssuerPrivateKeyTypes] = {}
        self._timestampers: dict[str, TimeStamper] = {}

    # -- entities ------------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return list(self._entities)

    @property
    def base_url(self) -> str | None:
        """Where the certificates send validators (``http://127.0.0.1:8082`` for certs/), from the manifest."""
        ocsp = self.manifest.get("services", {}).get("ocsp")
        return str(ocsp).removesuffix("/pki/ocsp") if ocsp else None

    def entity(self, name: str) -> dict[str, Any]:
        """The manifest entry of ``name`` (subject, serial, NIK, e-mail, validity, revocation)."""
        try:
            return self._entities[name]
        except KeyError:
            raise PkiError(f"the test PKI has no entity named {name!r}") from None

    def name_for_serial(self, serial: int, issuer: str | None = None) -> str | None:
        for name, entry in self._entities.items():
            if entry["serial"] == serial and (issuer is None or entry["issuer_name"] == issuer):
                return name
        return None

    def issued_by(self, ca: str) -> list[str]:
        """Names of the certificates ``ca`` issued (the root's self-signed one excluded)."""
        return [name for name, entry in self._entities.items() if entry["issuer_name"] == ca and name != ca]

    # -- certificates and keys -----------------------------------------------------------------

    @property
    def root(self) -> asn1_x509.Certificate:
        return self.certificate(ROOT)

    @property
    def issuing_ca(self) -> asn1_x509.Certificate:
        return self.certificate(ISSUING_CA)

    def certificate_der(self, name: str) -> bytes:
        return bytes(self.certificate(name).dump())

    def certificate(self, name: str) -> asn1_x509.Certificate:
        if name not in self._certs:
            data = (self.certs_dir / self.entity(name)["cert"]).read_bytes()
            if pem.detect(data):
                data = pem.unarmor(data)[2]
            self._certs[name] = asn1_x509.Certificate.load(data)
        return self._certs[name]

    def crypto_certificate(self, name: str) -> x509.Certificate:
        if name not in self._crypto_certs:
            self._crypto_certs[name] = x509.load_der_x509_certificate(self.certificate_der(name))
        return self._crypto_certs[name]

    def private_key(self, name: str) -> asn1_keys.PrivateKeyInfo:
        if name not in self._keys:
            data = (self.certs_dir / self.entity(name)["key"]).read_bytes()
            if pem.detect(data):
                data = pem.unarmor(data)[2]
            self._keys[name] = asn1_keys.PrivateKeyInfo.load(data)
        return self._keys[name]

    def crypto_private_key(self, name: str) -> CertificateIssuerPrivateKeyTypes:
        if name not in self._crypto_keys:
            key = serialization.load_der_private_key(self.private_key(name).dump(), password=None)
            self._crypto_keys[name] = key  # type: ignore[assignment]
        return self._crypto_keys[name]

    def chain(self, name: str) -> list[asn1_x509.Certificate]:
        """The certificate, then its issuers up to and including the root."""
        return [self.certificate(n) for n in self.entity(name)["chain"]]

    def p12_path(self, name: str) -> Path:
        p12 = self.entity(name).get("p12")
        if not p12:
            raise PkiError(f"{name!r} has no PKCS#12 file")
        return self.certs_dir / str(p12)

    def p12_passphrase(self, name: str) -> str:
        passphrase = self.entity(name).get("p12_passphrase")
        if not passphrase:
            raise PkiError(f"{name!r} has no PKCS#12 file")
        return str(passphrase)

    # -- pyHanko -------------------------------------------------------------------------------

    def signer(self, name: str) -> SimpleSigner:
        """A pyHanko signer for ``name``; the issuing CA and root are in its cert registry."""
        return SimpleSigner(
            signing_cert=self.certificate(name),
            signing_key=self.private_key(name),
            cert_registry=_cert_store(self.chain(name)[1:]),
        )

    def timestamper(self, name: str = TSA) -> TimeStamper:
        """An in-process RFC 3161 TSA (the ``tsa`` certificate, or another time-stamping entity), for B-T
        signatures without HTTP; one per entity, its key parsed once (a TSA answers thousands a batch)."""
        if name not in self._timestampers:
            key = self.crypto_private_key(name)
            if not isinstance(key, RSAPrivateKey):
                raise PkiError(f"{name!r} is not an RSA time-stamping entity")
            self._timestampers[name] = _LoadedKeyTimeStamper(
                key,
                tsa_cert=self.certificate(name),
                tsa_key=self.private_key(name),
                certs_to_embed=_cert_store(self.chain(name)[1:]),
            )
        return self._timestampers[name]

    def is_tsa(self, name: str) -> bool:
        """Whether ``name`` is a time-stamping entity of this PKI (its certificate has the timeStamping EKU)."""
        try:
            eku = self.certificate(name).extended_key_usage_value
        except PkiError:
            return False
        return eku is not None and "time_stamping" in eku.native

    # -- revocation ----------------------------------------------------------------------------

    def revocations(self, issuer: str | None = None) -> list[Revocation]:
        result = []
        for name, entry in self._entities.items():
            revo = entry.get("revocation")
            if not revo or (issuer is not None and entry["issuer_name"] != issuer):
                continue
            result.append(
                Revocation(
                    name=name,
                    serial=int(entry["serial"]),
                    issuer=str(entry["issuer_name"]),
                    revoked_at=datetime.fromisoformat(revo["revoked_at"]),
                    reason=revo.get("reason"),
                )
            )
        return result

    def revocation(self, serial: int, issuer: str | None = None) -> Revocation | None:
        return next(
            (r for r in self.revocations(issuer) if r.serial == serial),
            None,
        )

    def is_revoked(self, serial: int, issuer: str | None = None) -> bool:
        return self.revocation(serial, issuer) is not None


@functools.lru_cache(maxsize=8)
def _load_cached(certs_dir: Path) -> Pki:
    return Pki(certs_dir)


def load_pki(certs_dir: Path | None = None) -> Pki:
    """The test PKI in ``certs_dir`` (default: :func:`default_certs_dir`), loaded once per dir."""
    directory = Path(certs_dir) if certs_dir is not None else default_certs_dir()
    return _load_cached(directory.resolve())
