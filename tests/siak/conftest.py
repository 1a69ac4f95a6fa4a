"""Fixtures for the SIAK client tests: the real mock SIAK, a counting httpx client, a throwaway PDF signer."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from siak_client_kit import FAST, Counter

from mock_common.pytest_plugin import MockService
from siakgate.siak import SiakClient


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def counter() -> Counter:
    return Counter()


@pytest.fixture
async def http(counter: Counter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30, event_hooks={"request": [counter]}) as client:
        yield client


@pytest.fixture
def siak(mock_siak: MockService, http: httpx.AsyncClient) -> SiakClient:
    return SiakClient(
        mock_siak.soap_url, username=mock_siak.username, password=mock_siak.password, http=http, retry=FAST
    )


@pytest.fixture(scope="session")
def sign_pdf() -> Callable[[bytes], Awaitable[bytes]]:
    """Sign a PDF with a throwaway self-signed key (SIAK only checks that the upload carries a signature)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Uji Klien SIAK")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=7))
        .sign(key, hashes.SHA256())
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )

    async def sign(pdf: bytes) -> bytes:  # pyHanko's sync sign_pdf would call asyncio.run inside our loop
        meta = signers.PdfSignatureMetadata(field_name="TTE")
        out = await signers.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
        return out.getvalue()

    return sign
