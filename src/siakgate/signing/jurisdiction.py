"""Which regencies a signer signs KKs for, and the guard that holds every backend to it.

Why: a KK is issued by the Dinas of one regency or city (kabupaten/kota) and is valid with the TTE of
that Dinas's Kepala Dinas. A Lumajang Kepala Dinas's certificate on a Kab. Bandung family's KK (whose
footer names the Kepala Dinas of Kabupaten Bandung) is a valid signature on a document its signer had
no authority to issue: the signature checks, the KK is still wrong. So a signer is bound to the
regencies it may sign for, by their Kemendagri codes (``PPKK``: ``3508`` Kab. Lumajang, ``3204``
Kab. Bandung), and a KK of any other regency is refused before anything is signed.

Where the jurisdiction comes from: configuration (``SIAKGATE_SIGNING__REGENCIES``, see
:mod:`siakgate.config`). A BSrE certificate names the office (``O=Dinas Kependudukan dan Pencatatan
Sipil Kabupaten Lumajang``), not a region code, and in whole-document mode (Esign) the gateway never
sees the certificate before BSrE has signed, so the certificate cannot be the source; the deployment
that chose the key says which regencies it serves.

Where the check sits: :class:`JurisdictionGuard` wraps any :class:`~siakgate.signing.api.SigningBackend`
(:func:`siakgate.signing.factory.build_backend` adds it when the spec names regencies), so the four
backends (PKCS#12, PKCS#11, remote hash, Esign) are held to it in one place, before a key file is
opened, a token logged in to, a passphrase used or a document sent to BSrE. A refused document gets an
:class:`~siakgate.errors.OutsideJurisdictionError` as its result; the other documents of the batch go to
the backend and are signed as usual. When every document is refused, the backend is not called at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from siakgate.errors import OutsideJurisdictionError, SigningError
from siakgate.signing.api import Credential, SigningBackend, SigningOptions, SignRequest, SignResult

__all__ = ["Jurisdiction", "JurisdictionGuard", "regency_code"]


def _dotted(regency: str) -> str:
    return f"{regency[:2]}.{regency[2:]}"


def regency_code(code: str) -> str:
    """The 4-digit regency code of a region code (``"3508101003"``, ``"3508"`` or ``"35.08"`` -> ``"3508"``).

    Raises :class:`ValueError` for anything that does not start with a province and a regency.
    """
    digits = code.replace(".", "")
    if len(digits) < 4 or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"not a region code with a regency: {code!r}")
    return digits[:4]


class Jurisdiction:
    """The regencies (4-digit codes) one signer may sign KKs for; never empty."""

    __slots__ = ("regencies",)

    regencies: frozenset[str]

    def __init__(self, regencies: Iterable[str]) -> None:
        codes = frozenset(regencies)
        for code in codes:
            if len(code) != 4 or regency_code(code) != code:
                raise ValueError(f"a regency is 4 digits (3508), not {code!r}")
        if not codes:
            raise ValueError("a jurisdiction names at least one regency")
        self.regencies = codes

    def __repr__(self) -> str:
        return f"Jurisdiction({', '.join(sorted(self.regencies))})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Jurisdiction) and other.regencies == self.regencies

    def __hash__(self) -> int:
        return hash(self.regencies)

    def describe(self) -> str:
        """``35.08`` or ``35.08, 35.09``: as an officer reads region codes."""
        return ", ".join(_dotted(code) for code in sorted(self.regencies))

    def refusal(self, request: SignRequest) -> OutsideJurisdictionError | None:
        """Why ``request`` may not be signed by this signer, or None when its region is in the jurisdiction."""
        if request.region_code is None:
            return OutsideJurisdictionError(
                "Dokumen tidak membawa kode wilayah; penanda tangan yang terikat wilayah "
                f"({self.describe()}) tidak menandatanganinya.",
                code="WILAYAH_TIDAK_DIKETAHUI",
            )
        try:
            regency = regency_code(request.region_code)
        except ValueError:
            return OutsideJurisdictionError(
                "Kode wilayah dokumen tidak valid; dokumen tidak ditandatangani.", code="WILAYAH_TIDAK_DIKETAHUI"
            )
        if regency in self.regencies:
            return None
        return OutsideJurisdictionError(
            f"KK wilayah {_dotted(regency)} di luar kewenangan penanda tangan (kabupaten/kota "
            f"{self.describe()}); dokumen tidak ditandatangani."
        )


class JurisdictionGuard:
    """A :class:`~siakgate.signing.api.SigningBackend` that passes on only the documents of its jurisdiction."""

    def __init__(self, inner: SigningBackend, jurisdiction: Jurisdiction) -> None:
        self._inner = inner
        self.jurisdiction = jurisdiction
        self.name = inner.name

    def __repr__(self) -> str:
        return f"JurisdictionGuard({self._inner!r}, {self.jurisdiction!r})"

    @property
    def inner(self) -> SigningBackend:
        """The guarded backend."""
        return self._inner

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential | None, options: SigningOptions
    ) -> list[SignResult]:
        refused = {i: error for i, r in enumerate(requests) if (error := self.jurisdiction.refusal(r)) is not None}
        allowed = [r for i, r in enumerate(requests) if i not in refused]
        results = await self._inner.sign_batch(allowed, credential, options) if allowed else []
        if len(results) != len(allowed):
            raise SigningError(
                f"Backend {self.name} mengembalikan {len(results)} hasil untuk {len(allowed)} dokumen.",
                code="JUMLAH_HASIL_TIDAK_SESUAI",
            )
        signed = iter(results)
        return [
            SignResult(request.document_id, error=refused[i]) if i in refused else next(signed)
            for i, request in enumerate(requests)
        ]
