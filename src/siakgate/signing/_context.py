"""Everything a batch computes once and every document reuses (certificate store, signers, sizes).

Why: pyHanko's per-document recipe re-derives all of this for every file (and ``sign_pdf`` even signs
twice to estimate the signature size). A batch of KKs has one signer, one TSA and one trust setup, and
one HTTP session (:mod:`._http`) for the TSA and the OCSP/CRL round trips of all its documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import x509
from pyhanko.sign.signers.pdf_cms import ExternalSigner
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.stamp import BaseStampStyle, TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from siakgate.errors import SigningError
from siakgate.signing._http import BatchSession, batch_timestamper
from siakgate.signing._templates import CmsTemplate, SignedAttrsTemplate
from siakgate.signing.api import PadesLevel, RawBatchSigner, SigningOptions
from siakgate.signing.evidence import evidence_context, load_roots

__all__ = ["BatchContext", "build_context", "reserved_signature_bytes"]

# The room a signature container needs besides its certificates and the raw signature: SignerInfo,
# signed attributes (content type, message digest, signing-certificate-v2), algorithm identifiers.
_CMS_OVERHEAD = 2048
# An RFC 3161 token: its own SignedData with the TSA certificate (and often its chain). Generous, since
# a TSA's answer size is not ours to control and a too small reservation fails the document.
_TIMESTAMP_ALLOWANCE = 12288


def reserved_signature_bytes(signing_cert: x509.Certificate, chain: list[x509.Certificate], timestamped: bool) -> int:
    """Bytes to reserve in /Contents, from the chain size (hex doubles the DER size); no dry-run signature."""
    certs = len(signing_cert.dump()) + sum(len(c.dump()) for c in chain)
    key_bytes: int = (int(signing_cert.public_key.bit_size) + 7) // 8
    der = certs + 2 * key_bytes + _CMS_OVERHEAD + (_TIMESTAMP_ALLOWANCE if timestamped else 0)
    return 2 * der


@dataclass
class BatchContext:
    """Per-batch objects shared by every document of the batch."""

    level: PadesLevel
    signing_cert: x509.Certificate
    cert_store: SimpleCertificateStore
    placeholder_signer: ExternalSigner
    timestamper: TimeStamper | None
    validation_context: ValidationContext | None
    bytes_reserved: int
    invisible_style: BaseStampStyle
    attrs_template: SignedAttrsTemplate
    cms_template: CmsTemplate
    session: BatchSession
    """The batch's HTTP session (TSA, OCSP, CRL); closed by :meth:`aclose`, made again on next use."""

    def fixed_signer(self, signature: bytes) -> ExternalSigner:
        """A pyHanko signer that 'signs' by returning the signature computed in phase 2."""
        return ExternalSigner(self.signing_cert, self.cert_store, signature_value=signature)

    async def aclose(self) -> None:
        """Release network sessions opened on the current (worker) event loop; the context stays usable."""
        if self.validation_context is not None:
            await self.validation_context.aclose()  # type: ignore[no-untyped-call]
        await self.session.close()


def build_context(raw_signer: RawBatchSigner, options: SigningOptions, timestamper: TimeStamper | None) -> BatchContext:
    level = PadesLevel(options.level)
    session = BatchSession()
    if timestamper is None and options.timestamp_url is not None and level is not PadesLevel.B_B:
        timestamper = batch_timestamper(options.timestamp_url, session)
    if level is PadesLevel.B_B:
        timestamper = None
    elif timestamper is None:
        raise SigningError(
            f"PAdES {level.value} memerlukan layanan cap waktu (TSA): timestamp_url belum diatur.",
            code="TSA_TIDAK_DIATUR",
        )
    chain = list(raw_signer.chain)
    store = SimpleCertificateStore.from_certs(chain)  # type: ignore[no-untyped-call]
    validation_context: ValidationContext | None = None
    if level in (PadesLevel.B_LT, PadesLevel.B_LTA):
        if not options.trust_roots:
            raise SigningError(
                f"PAdES {level.value} memerlukan sertifikat akar tepercaya (trust_roots) untuk mengumpulkan "
                "informasi validasi.",
                code="AKAR_TEPERCAYA_TIDAK_DIATUR",
            )
        # Complete long-term evidence (CRLs as well as OCSP answers; answers newer than this moment
        # accepted): see siakgate.signing.evidence.
        validation_context = evidence_context(
            load_roots(options.trust_roots), chain, allow_fetching=options.allow_fetching, session=session
        )
    placeholder = ExternalSigner(raw_signer.signing_cert, store, signature_value=b"")

    def fixed(signature: bytes) -> ExternalSigner:
        return ExternalSigner(raw_signer.signing_cert, store, signature_value=signature)

    return BatchContext(
        level=level,
        signing_cert=raw_signer.signing_cert,
        cert_store=store,
        placeholder_signer=placeholder,
        timestamper=timestamper,
        validation_context=validation_context,
        bytes_reserved=reserved_signature_bytes(raw_signer.signing_cert, chain, timestamper is not None),
        invisible_style=TextStampStyle(),
        attrs_template=SignedAttrsTemplate(placeholder, "sha256"),
        cms_template=CmsTemplate(fixed, "sha256"),
        session=session,
    )
