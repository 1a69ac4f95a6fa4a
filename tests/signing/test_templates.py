"""The per-batch DER templates give byte-for-byte what pyHanko itself would encode."""

from __future__ import annotations

import hashlib

import anyio
from signing_kit import p12_passphrase, p12_path

from siakgate.signing._context import build_context
from siakgate.signing.api import PadesLevel, SigningOptions
from siakgate.signing.pkcs12 import load_pkcs12


def test_templates_match_pyhanko() -> None:
    signer = load_pkcs12(p12_path().read_bytes(), p12_passphrase())
    ctx = build_context(signer, SigningOptions(level=PadesLevel.B_B), None)
    digests = [hashlib.sha256(bytes([i])).digest() for i in range(3)]

    async def main() -> None:
        for digest in digests:  # the first builds the template, the others are spliced
            attrs = await ctx.attrs_template.der_for(digest)
            assert attrs == await ctx.attrs_template._build(digest)
            (signature,) = signer.sign_all([attrs], "sha256")
            assert await ctx.cms_template.der_for(attrs, digest, signature) == await ctx.cms_template._package(
                attrs, signature
            )
        assert ctx.attrs_template._slot is not None
        assert ctx.cms_template._digest is not None

    anyio.run(main)
