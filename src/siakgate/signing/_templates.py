"""Per-batch DER templates: the CMS parts that are the same for every document of a batch.

Why: profiling the engine showed that half of the per-document time went into asn1crypto re-encoding
the same structures for every KK: the signed attributes (content type, signing-certificate-v2 with the
certificate's hash and issuer) and, after signing, the SignedData with its certificate set. Within a
batch, a PAdES signature's signed attributes differ only in the 32-byte message digest (PAdES forbids
the signing-time attribute), and a B-B container only in that digest and the signature value, both of
fixed length. So pyHanko builds each structure ONCE per batch, and every further document gets a copy
with its digest (and signature) put in place.

Substitution is only used when it is unambiguous: the digest (and the placeholder signature) occur
exactly once in the template, and the new value has the same length. Otherwise pyHanko builds the
structure for that document as usual. Tests compare the result with pyHanko's own encoding.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import cms
from pyhanko.sign.signers.pdf_cms import ExternalSigner, PdfCMSSignedAttributes

__all__ = ["CmsTemplate", "SignedAttrsTemplate"]


def _splice(template: bytes, offset: int, value: bytes) -> bytes:
    return template[:offset] + value + template[offset + len(value) :]


@dataclass
class _Slot:
    template: bytes
    offset: int
    length: int


class SignedAttrsTemplate:
    """The DER of a batch's CMS signed attributes, with the message digest as the only variable."""

    def __init__(self, signer: ExternalSigner, digest_algorithm: str) -> None:
        self._signer = signer
        self._digest_algorithm = digest_algorithm
        self._slot: _Slot | None = None

    async def _build(self, digest: bytes) -> bytes:
        attrs = await self._signer.signed_attrs(
            digest, self._digest_algorithm, attr_settings=PdfCMSSignedAttributes(), use_pades=True
        )
        return bytes(attrs.dump())

    async def der_for(self, digest: bytes) -> bytes:
        """The DER-encoded signed attributes for a document whose byte-range digest is ``digest``."""
        slot = self._slot
        if slot is not None and len(digest) == slot.length:
            return _splice(slot.template, slot.offset, digest)
        der = await self._build(digest)
        if slot is None and der.count(digest) == 1:
            self._slot = _Slot(der, der.index(digest), len(digest))
        return der


class CmsTemplate:
    """A B-B SignedData (certificates, SignerInfo) with the digest and signature as its only variables."""

    def __init__(self, make_signer: Callable[[bytes], ExternalSigner], digest_algorithm: str) -> None:
        self._make_signer = make_signer
        self._digest_algorithm = digest_algorithm
        self._digest: _Slot | None = None
        self._signature: _Slot | None = None
        self._usable = True

    async def _package(self, signed_attrs_der: bytes, signature: bytes) -> bytes:
        signed_data = await self._make_signer(signature).async_sign_prescribed_attributes(
            self._digest_algorithm, cms.CMSAttributes.load(signed_attrs_der)
        )
        return bytes(signed_data.dump())

    async def der_for(self, signed_attrs_der: bytes, digest: bytes, signature: bytes) -> bytes:
        """The ContentInfo DER for one document: its signed attributes, digest and raw signature."""
        if self._digest is None and self._usable:
            placeholder = os.urandom(len(signature))
            der = await self._package(signed_attrs_der, placeholder)
            if der.count(digest) == 1 and der.count(placeholder) == 1:
                self._digest = _Slot(der, der.index(digest), len(digest))
                self._signature = _Slot(der, der.index(placeholder), len(placeholder))
            else:
                self._usable = False
        d, s = self._digest, self._signature
        if d is not None and s is not None and d.length == len(digest) and s.length == len(signature):
            return _splice(_splice(d.template, d.offset, digest), s.offset, signature)
        return await self._package(signed_attrs_der, signature)
