"""A KK the gateway signed (signature field, widget, CMS) passes the upload screening: an applicant may
upload a digitally signed KK as a requirement (for example KK_LAMA), and it is not active content."""

from __future__ import annotations

import anyio
from signing_kit import draft_kk, p12_passphrase, p12_path, tte_block

from siakgate.signing import Credential, PadesLevel, SigningOptions, SignRequest
from siakgate.signing.pkcs12 import Pkcs12Backend
from siakgate.store.screening import screen_upload


def test_draft_and_signed_kk_pass_the_upload_screening() -> None:
    backend = Pkcs12Backend(p12_path())
    request = SignRequest("kk-0", draft_kk(0), tte=tte_block())

    async def main() -> bytes | None:
        (result,) = await backend.sign_batch(
            [request], Credential.passphrase(p12_passphrase()), SigningOptions(level=PadesLevel.B_B)
        )
        return result.signed_pdf

    signed = anyio.run(main)
    assert signed is not None
    screen_upload(draft_kk(0), "application/pdf")
    screen_upload(signed, "application/pdf")
