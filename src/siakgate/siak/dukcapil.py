"""A client for Dukcapil's REST/JSON web service ("web service pemanfaatan data"): NIK look-up and
verify-by-element, the calls backend systems already make to check an applicant's NIK.

::

    async with httpx.AsyncClient(timeout=15) as http:
        dukcapil = DukcapilClient.from_settings(settings.dukcapil, http=http)
        resident = await dukcapil.lookup_nik("3508011205900001")
        result = await dukcapil.verify_elements(nik, {"NAMA_LGKP": "BUDI SANTOSO", "TGL_LHR": date(1990, 5, 12)})
        result.matched("NAMA_LGKP")

The wire shape (documented, with the public clients it was read from, in :mod:`mock_siak.dukcapil_rest`):
``POST <url>/dukcapil/get_json/<consumer>/CALL_NIK`` with ``{"nik","user_id","password","ip_user"}``;
``POST .../CALL_VERIFY_BY_ELEMEN`` with ``{"USER_ID","PASSWORD","IP_USER","TRESHOLD","NIK", elements...}``
(``TRESHOLD`` is the service's spelling). Answers are HTTP 200 ``{"content":[{...}], ...}``; a refusal is
HTTP 200 too, with its text in ``content[0].RESPON`` (some deployments answer ``RESPONSE_CODE``/``RESPONSE``
instead: both are read). Coded elements come as labels (``LAKI-LAKI``, ``ISLAM``, ``KAWIN``) and are mapped to
the gateway's SIAK code lists (:mod:`siakgate.domain.codes`), with the few spellings the field uses besides
``codes.json``'s (``KATOLIK``, ``KAWIN TERCATAT``, ...). A verify answer is ``"Sesuai (NN)"`` / ``"Tidak Sesuai
(NN)"`` for free text (NN the similarity, 0-100) and bare ``"Sesuai"`` / ``"Tidak Sesuai"`` for exact elements.

Errors (:mod:`siakgate.errors`), each with a stable ``code``:

==================================  ==============================  ============================================
``RESPON``                          exception                       ``code``
==================================  ==============================  ============================================
Data Tidak Ditemukan                SiakNotFoundError               NIK_TIDAK_DITEMUKAN
Login Gagal, IP Address Tidak       SiakAuthError                   DUKCAPIL_AKSES_DITOLAK
Sesuai, IP Client Tidak terdaftar,
User ID / Instansi Tidak Aktif,
User, password dan IP tidak boleh
kosong
Kuota Akses Hari ini telah Habis    ServiceUnavailableError         DUKCAPIL_KUOTA_HABIS (not retried)
anything else                       SiakError                       DUKCAPIL_MENOLAK (``remote_code``: the text)
==================================  ==============================  ============================================

HTTP 429/5xx, refused or dropped connections are :class:`ServiceUnavailableError` and timeouts
:class:`ServiceTimeoutError`, both retried under the :class:`~siakgate.siak.retry.RetryPolicy` (both calls only
read); HTTP 401/403 is :class:`SiakAuthError`; an answer that is not this JSON shape is
:class:`MalformedResponseError`. A malformed NIK never leaves the gateway: :class:`InvalidNikError` first.

The password is never in ``repr()`` or a log line; log lines carry the service, the masked NIK, the attempt and
the outcome. The results leave NIK, names, dates and addresses out of their ``repr()``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from siakgate.clock import Clock
from siakgate.domain.codes import (
    Agama,
    CodeList,
    GolonganDarah,
    JenisKelamin,
    Pekerjaan,
    Pendidikan,
    StatusHubungan,
    StatusPerkawinan,
)
from siakgate.domain.nik import mask_nik, parse_nik
from siakgate.errors import (
    MalformedResponseError,
    ServiceTimeoutError,
    ServiceUnavailableError,
    SiakAuthError,
    SiakError,
    SiakgateError,
    SiakNotFoundError,
    TransientError,
)
from siakgate.siak.retry import RetryPolicy, run_with_retry

if TYPE_CHECKING:
    from siakgate.config import DukcapilSettings

__all__ = ["VERIFIABLE_ELEMENTS", "DukcapilClient", "DukcapilResident", "ElementMatch", "VerificationResult"]

log = logging.getLogger("siakgate.siak.dukcapil")

CALL_NIK = "CALL_NIK"
CALL_VERIFY_BY_ELEMEN = "CALL_VERIFY_BY_ELEMEN"

VERIFIABLE_ELEMENTS = frozenset(
    {
        *("NO_KK", "NAMA_LGKP", "NAMA_LGKP_IBU", "NAMA_LGKP_AYAH", "TMPT_LHR", "TGL_LHR", "ALAMAT"),
        *("JENIS_KLMIN", "AGAMA", "STATUS_KAWIN", "JENIS_PKRJN", "PDDK_AKH", "GOL_DARAH", "STAT_HBKEL"),
        *("NO_RT", "NO_RW", "DUSUN", "KODE_POS", "NO_PROP", "PROP_NAME", "NO_KAB", "KAB_NAME"),
        *("NO_KEC", "KEC_NAME", "NO_KEL", "KEL_NAME"),
    }
)
"""The elements :meth:`DukcapilClient.verify_elements` may send besides the NIK."""

QUOTA_SPENT = "DUKCAPIL_KUOTA_HABIS"
ACCESS_REFUSED = "DUKCAPIL_AKSES_DITOLAK"
REFUSED = "DUKCAPIL_MENOLAK"

_ACCESS_TEXTS = (
    "login gagal",
    "ip address tidak sesuai",
    "ip client tidak terdaftar",
    "user id tidak aktif",
    "instansi tidak aktif",
    "user, password dan ip tidak boleh kosong",
)
_VERDICT = re.compile(r"^\s*(tidak\s+)?sesuai\s*(?:\(\s*(\d{1,3})\s*\))?\s*$", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
_ALIASES: dict[type[CodeList], dict[str, CodeList]] = {
    JenisKelamin: {"L": JenisKelamin.LAKI_LAKI, "LAKILAKI": JenisKelamin.LAKI_LAKI, "P": JenisKelamin.PEREMPUAN},
    Agama: {
        "KATOLIK": Agama.KATHOLIK,
        "BUDDHA": Agama.BUDHA,
        "KONGHUCU": Agama.KHONGHUCU,
        "KEPERCAYAAN": Agama.KEPERCAYAAN,
    },
    StatusPerkawinan: {
        "KAWINTERCATAT": StatusPerkawinan.KAWIN,
        "KAWINBELUMTERCATAT": StatusPerkawinan.KAWIN,
    },
}
"""Labels the field uses besides ``codes.json``'s (compared upper-cased, without spaces and hyphens)."""

C = TypeVar("C", bound=CodeList)


class DukcapilResident(BaseModel):
    """CALL_NIK: one resident as Dukcapil holds them, coded elements mapped to the SIAK code lists.

    A label that is neither ``codes.json``'s nor a known field spelling leaves its field None; every element
    as answered stays in ``elements``.
    """

    model_config = ConfigDict(frozen=True)

    nik: str = Field(repr=False)
    no_kk: str | None = Field(default=None, repr=False)
    full_name: str = Field(repr=False)
    sex: JenisKelamin | None = None
    birth_place: str | None = Field(default=None, repr=False)
    birth_date: date | None = Field(default=None, repr=False)
    religion: Agama | None = Field(default=None, repr=False)
    marital_status: StatusPerkawinan | None = None
    occupation: Pekerjaan | None = None
    education: Pendidikan | None = None
    blood_type: GolonganDarah | None = Field(default=None, repr=False)
    family_relation: StatusHubungan | None = None
    mother_name: str | None = Field(default=None, repr=False)
    father_name: str | None = Field(default=None, repr=False)
    address: str | None = Field(default=None, repr=False)
    rt: str | None = Field(default=None, repr=False)
    rw: str | None = Field(default=None, repr=False)
    dusun: str | None = Field(default=None, repr=False)
    postal_code: str | None = None
    province_code: str | None = None
    province: str | None = None
    regency_code: str | None = None
    regency: str | None = None
    district_code: str | None = None
    district: str | None = None
    village_code: str | None = None
    village: str | None = None
    ektp_status: str | None = None
    elements: dict[str, str | None] = Field(default_factory=dict, repr=False)


class ElementMatch(BaseModel):
    """One element of a verify-by-element answer: ``"Sesuai (92)"`` is matched, score 92.

    ``score`` is None when the service answered a bare ``"Sesuai"`` / ``"Tidak Sesuai"`` (exact elements).
    """

    model_config = ConfigDict(frozen=True)

    element: str
    matched: bool
    score: int | None = None
    answer: str


class VerificationResult(BaseModel):
    """CALL_VERIFY_BY_ELEMEN: the service's verdict for the NIK and each element it compared."""

    model_config = ConfigDict(frozen=True)

    threshold: int
    elements: dict[str, ElementMatch]

    def matched(self, element: str) -> bool:
        """Whether ``element`` agreed (False when the service did not answer for it)."""
        found = self.elements.get(element)
        return found is not None and found.matched

    @property
    def all_matched(self) -> bool:
        return all(match.matched for match in self.elements.values())


def _folded(text: str) -> str:
    return "".join(ch for ch in text.upper() if not ch.isspace() and ch != "-")


def _code(code_list: type[C], label: Any) -> C | None:
    if not isinstance(label, str) or not label.strip():
        return None
    try:
        return code_list.from_label(label, tolerant=True)
    except SiakgateError:
        pass
    folded = _folded(label)
    for member in code_list:
        if _folded(member.label) == folded:
            return member
    alias = _ALIASES.get(code_list, {}).get(folded)
    return alias if isinstance(alias, code_list) else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    text = value.strip()[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _resident(content: Mapping[str, Any]) -> DukcapilResident:
    nik, name = _str(content.get("NIK")), _str(content.get("NAMA_LGKP"))
    if nik is None or name is None:
        raise MalformedResponseError("Jawaban CALL_NIK Dukcapil tidak memuat NIK atau NAMA_LGKP.")
    return DukcapilResident(
        nik=nik,
        no_kk=_str(content.get("NO_KK")),
        full_name=name,
        sex=_code(JenisKelamin, content.get("JENIS_KLMIN")),
        birth_place=_str(content.get("TMPT_LHR")),
        birth_date=_date(content.get("TGL_LHR")),
        religion=_code(Agama, content.get("AGAMA")),
        marital_status=_code(StatusPerkawinan, content.get("STATUS_KAWIN")),
        occupation=_code(Pekerjaan, content.get("JENIS_PKRJN")),
        education=_code(Pendidikan, content.get("PDDK_AKH")),
        blood_type=_code(GolonganDarah, content.get("GOL_DARAH")),
        family_relation=_code(StatusHubungan, content.get("STAT_HBKEL")),
        mother_name=_str(content.get("NAMA_LGKP_IBU")),
        father_name=_str(content.get("NAMA_LGKP_AYAH")),
        address=_str(content.get("ALAMAT")),
        rt=_str(content.get("NO_RT")),
        rw=_str(content.get("NO_RW")),
        dusun=_str(content.get("DUSUN")),
        postal_code=_str(content.get("KODE_POS")),
        province_code=_str(content.get("NO_PROP")),
        province=_str(content.get("PROP_NAME")),
        regency_code=_str(content.get("NO_KAB")),
        regency=_str(content.get("KAB_NAME")),
        district_code=_str(content.get("NO_KEC")),
        district=_str(content.get("KEC_NAME")),
        village_code=_str(content.get("NO_KEL")),
        village=_str(content.get("KEL_NAME")),
        ektp_status=_str(content.get("EKTP_STATUS")),
        elements={str(key): _str(value) for key, value in content.items()},
    )


def _verdicts(content: Mapping[str, Any], threshold: int) -> VerificationResult:
    elements: dict[str, ElementMatch] = {}
    for key, value in content.items():
        match = _VERDICT.match(value) if isinstance(value, str) else None
        if match is None:
            raise MalformedResponseError(f"Jawaban CALL_VERIFY_BY_ELEMEN untuk {key} tidak dikenali.")
        score = int(match.group(2)) if match.group(2) is not None else None
        elements[str(key)] = ElementMatch(element=str(key), matched=match.group(1) is None, score=score, answer=value)
    if "NIK" not in elements:
        raise MalformedResponseError("Jawaban CALL_VERIFY_BY_ELEMEN tidak memuat NIK.")
    return VerificationResult(threshold=threshold, elements=elements)


def _refusal(content: Mapping[str, Any]) -> SiakgateError | None:
    """The error for a refusal in ``content[0]`` (``RESPON``, or ``RESPONSE``/``RESPONSE_CODE``), else None."""
    text = content.get("RESPON", content.get("RESPONSE"))
    remote_code = _str(content.get("RESPONSE_CODE"))
    if text is None and remote_code is None:
        return None
    said = _str(text) or f"kode {remote_code}"
    folded = " ".join(said.split()).casefold()
    if "tidak ditemukan" in folded:
        return SiakNotFoundError(
            "NIK tidak ditemukan di database kependudukan Dukcapil.",
            code="NIK_TIDAK_DITEMUKAN",
            remote_code=remote_code or said,
        )
    if folded in _ACCESS_TEXTS:
        return SiakAuthError(
            f"Dukcapil menolak akses gateway ({said}); periksa consumer, user_id, password dan ip_user.",
            code=ACCESS_REFUSED,
            remote_code=remote_code or said,
        )
    if "kuota" in folded:
        return ServiceUnavailableError(
            "Kuota akses harian ke layanan Dukcapil telah habis; coba lagi besok.", code=QUOTA_SPENT
        )
    return SiakError(f"Dukcapil menolak permintaan: {said}.", code=REFUSED, remote_code=remote_code or said)


class DukcapilClient:
    """Dukcapil's REST/JSON web service over an injected ``httpx.AsyncClient`` (which the caller owns).

    Per-attempt timeouts are the httpx client's; retries follow ``retry`` (only transient failures, never a
    spent quota). ``clock`` dates NIK validation (a NIK never carries a future birth date).
    """

    def __init__(
        self,
        url: str,
        *,
        consumer: str,
        user_id: str,
        password: str | SecretStr,
        ip_user: str,
        http: httpx.AsyncClient,
        threshold: int = 90,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
    ) -> None:
        _check_threshold(threshold)
        self.url = url.rstrip("/")
        self.consumer = consumer.strip("/")
        self.user_id = user_id
        self._password = password if isinstance(password, SecretStr) else SecretStr(password)
        self.ip_user = ip_user
        self.threshold = threshold
        self.retry = retry or RetryPolicy()
        self._http = http
        self._clock = clock or Clock()

    @classmethod
    def from_settings(
        cls,
        settings: DukcapilSettings,
        *,
        http: httpx.AsyncClient,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
    ) -> Self:
        """A client configured by ``settings`` (build ``http`` with ``timeout=settings.timeout_seconds``)."""
        return cls(
            settings.url,
            consumer=settings.consumer,
            user_id=settings.user_id,
            password=settings.password,
            ip_user=settings.ip_user,
            threshold=settings.threshold,
            http=http,
            retry=retry,
            clock=clock,
        )

    def __repr__(self) -> str:
        return f"DukcapilClient({self.url!r}, consumer={self.consumer!r})"

    async def lookup_nik(self, nik: str) -> DukcapilResident:
        """CALL_NIK: the resident with ``nik`` (SiakNotFoundError NIK_TIDAK_DITEMUKAN when Dukcapil has none)."""
        valid = parse_nik(nik, today=self._clock.today_wib()).value
        body = {"nik": valid, "user_id": self.user_id, "password": self._password.get_secret_value()}
        content = await self._call(CALL_NIK, {**body, "ip_user": self.ip_user}, valid)
        return _resident(content)

    async def verify_elements(
        self, nik: str, elements: Mapping[str, str | int | date | CodeList], threshold: int | None = None
    ) -> VerificationResult:
        """CALL_VERIFY_BY_ELEMEN: does each of ``elements`` (Dukcapil element names: ``NAMA_LGKP``, ``TGL_LHR``,
        ...) agree with Dukcapil's record of ``nik``? Free-text elements need a similarity of ``threshold``
        (default: the client's). Dates go as ``YYYY-MM-DD``, codes as their upper-case labels.
        """
        used = self.threshold if threshold is None else threshold
        _check_threshold(used)
        unknown = sorted(set(elements) - VERIFIABLE_ELEMENTS)
        if unknown:
            raise ValueError(f"elements Dukcapil cannot verify: {', '.join(unknown)}")
        valid = parse_nik(nik, today=self._clock.today_wib()).value
        body: dict[str, str] = {
            "USER_ID": self.user_id,
            "PASSWORD": self._password.get_secret_value(),
            "IP_USER": self.ip_user,
            "TRESHOLD": str(used),
            "NIK": valid,
        }
        body.update({name: _wire(value) for name, value in elements.items()})
        return _verdicts(await self._call(CALL_VERIFY_BY_ELEMEN, body, valid), used)

    # -- the machinery -------------------------------------------------------------------------------

    async def _call(self, service: str, body: dict[str, str], nik: str) -> Mapping[str, Any]:
        url = f"{self.url}/dukcapil/get_json/{self.consumer}/{service}"

        async def attempt(number: int) -> Mapping[str, Any]:
            started = time.perf_counter()
            outcome, level = "OK", logging.INFO
            try:
                content = await self._once(url, body)
                error = _refusal(content)
                if error is not None:
                    raise error
                return content
            except SiakgateError as error:
                outcome = error.code
                level = logging.WARNING if isinstance(error, TransientError) else logging.INFO
                raise
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                log.log(
                    level,
                    "dukcapil %s nik=%s attempt=%d outcome=%s ms=%.0f",
                    service,
                    mask_nik(nik),
                    number,
                    outcome,
                    elapsed,
                )

        return await run_with_retry(attempt, self.retry, lambda error: error.code != QUOTA_SPENT)

    async def _once(self, url: str, body: dict[str, str]) -> Mapping[str, Any]:
        try:
            response = await self._http.post(url, json=body, headers={"Accept": "application/json"})
        except httpx.TimeoutException as exc:
            raise ServiceTimeoutError("Layanan Dukcapil tidak menjawab dalam batas waktu.") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
            raise ServiceUnavailableError(
                "Koneksi ke layanan Dukcapil gagal atau terputus; silakan coba lagi."
            ) from exc
        except httpx.TransportError as exc:
            raise SiakError(
                f"Alamat atau konfigurasi layanan Dukcapil salah ({type(exc).__name__}).", code="DUKCAPIL_KONFIGURASI"
            ) from exc
        status = response.status_code
        if status == 429 or status >= 500:
            raise ServiceUnavailableError(f"Layanan Dukcapil sedang tidak tersedia (HTTP {status}); silakan coba lagi.")
        if status in (401, 403):
            raise SiakAuthError(
                f"Akses ke layanan Dukcapil ditolak (HTTP {status}).", code=ACCESS_REFUSED, remote_code=f"HTTP_{status}"
            )
        if status != 200:
            raise SiakError(
                f"Layanan Dukcapil menjawab HTTP {status}; periksa alamat dan consumer.",
                code="DUKCAPIL_KONFIGURASI",
                remote_code=f"HTTP_{status}",
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise MalformedResponseError("Jawaban Dukcapil bukan JSON yang sah.") from exc
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(content, list) or not content or not isinstance(content[0], dict):
            raise MalformedResponseError("Jawaban Dukcapil tidak memuat content[0].")
        first: dict[str, Any] = content[0]
        return first


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= 100:
        raise ValueError(f"threshold must be an integer from 0 to 100, not {threshold!r}")


def _wire(value: str | int | date | CodeList) -> str:
    if isinstance(value, CodeList):
        return value.label.upper()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
