"""A stranger's PDF: signed with a throw-away PKI made here, whose certificates name the URLs the stranger
chose (OCSP, CRL, caIssuers), and a listener on loopback that records every request made to them."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import verify_kit as kit
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import load_private_key_from_pemder_data
from pyhanko_certvalidator.registry import SimpleCertificateStore


@dataclass
class Listener:
    """An HTTP server on 127.0.0.1 (a free port) answering 404 to everything, and what it was asked."""

    url: str
    requests: list[str] = field(default_factory=list)


@contextmanager
def listening() -> Iterator[Listener]:
    seen: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def _record(self) -> None:
            seen.append(f"{self.command} {self.path}")
            self.send_error(404)

        do_GET = do_POST = _record

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    ocsp: Sequence[str] = (),
    ca_issuers: Sequence[str] = (),
    crl: Sequence[str] = (),
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
    access = [
        x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(url)) for url in ocsp
    ] + [
        x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(url))
        for url in ca_issuers
    ]
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
    if crl:
        points = [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None) for url in crl]
        builder = builder.add_extension(x509.CRLDistributionPoints(points), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class StrangerPki:
    root_der: bytes
    root_pem: bytes
    pdf: bytes
    """Signer's chain embedded; its OCSP (30 URLs) and CRL point at the listener: revocation from there."""
    pdf_missing_issuer: bytes
    """Signed under an intermediate CA that is not embedded; the signer's caIssuers point at the listener."""


def _sign(signer_cert: x509.Certificate, key: ec.EllipticCurvePrivateKey, chain: list[x509.Certificate]) -> bytes:
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1(signer_cert),
        signing_key=load_private_key_from_pemder_data(key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(cert) for cert in chain]),
    )
    meta = signers.PdfSignatureMetadata(field_name="TTE", subfilter=SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(BytesIO(kit.make_pdf("KARTU KELUARGA ORANG LAIN")), strict=False)
    return signers.PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()


def stranger_pki(listener_url: str, *, urls: int = 30) -> StrangerPki:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _cert("Akar Orang Lain", root_key, "Akar Orang Lain", root_key, ca=True)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = _cert(
        "Penandatangan Orang Lain",
        signer_key,
        "Akar Orang Lain",
        root_key,
        ca=False,
        ocsp=[f"{listener_url}/ocsp/{n}" for n in range(urls)],
        ca_issuers=[f"{listener_url}/ca.crt"],
        crl=[f"{listener_url}/crl/{n}.crl" for n in range(3)],
    )
    middle_key = ec.generate_private_key(ec.SECP256R1())  # its certificate is nowhere: only caIssuers would say
    orphan_key = ec.generate_private_key(ec.SECP256R1())
    orphan = _cert(
        "Penandatangan Yatim",
        orphan_key,
        "Perantara Orang Lain",
        middle_key,
        ca=False,
        ca_issuers=[f"{listener_url}/perantara/{n}.crt" for n in range(urls)],
    )
    return StrangerPki(
        root_der=root.public_bytes(serialization.Encoding.DER),
        root_pem=root.public_bytes(serialization.Encoding.PEM),
        pdf=_sign(signer, signer_key, [root]),
        pdf_missing_issuer=_sign(orphan, orphan_key, []),
    )
