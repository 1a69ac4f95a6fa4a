"""Mock SIAK's second face: Dukcapil's "web service pemanfaatan data" (REST/JSON), from the same population.

Backend systems of banks, hospitals and agencies that already check NIKs against Dukcapil do it over this
JSON shape, not over the gateway's SOAP contract; serving it here lets them point at the mock unchanged.

``POST /dukcapil/get_json/<consumer>/CALL_NIK``               one resident's elements, by NIK
``POST /dukcapil/get_json/<consumer>/CALL_VERIFY_BY_ELEMEN``  does what a caller holds agree with the record?

No official specification is public; the shape below is what public client code shows. Where each detail was
seen (repository and path where the code index names them; otherwise the code-index file id), and what was
chosen where they disagree:

* **Path** ``/dukcapil/get_json/<consumer>/<SERVICE>``: ``ricomarten/api-dukcapil`` (``config/callApiDukcapil.php``,
  ``.../get_json/BPS/CALL_VERIFY_BY_ELEMEN``); ``mas-elkhanza/SIMRS-Khanza`` ``src/bridging/DUKCAPILCekNIK.java``
  (URL from settings); a Go client (file 15825603700, ``dukcapil/get_json/%s/CALL_NIK_GET_KK``); a PHP
  controller (file 10075374149) with a two-segment consumer and a lower-case service,
  ``.../get_json/12-05/diskominfo_1205/call_nik``. Chosen: everything between ``get_json/`` and the last
  segment is the consumer (one or more segments); the service name is matched case-insensitively.
* **CALL_NIK request**: JSON ``{"nik","user_id","password","ip_user"}`` (file 10075374149); SIMRS-Khanza sends
  ``nik``, ``user_id``, ``password`` and ``IP_USER``; a Node mock of the service (file 29279101374) reads ``NIK``
  and ``ip_address``. Chosen: keys are matched case-insensitively, and ``ip_address`` is taken for ``ip_user``.
* **CALL_VERIFY_BY_ELEMEN request**: upper-case keys ``USER_ID``, ``PASSWORD``, ``IP_USER``, ``TRESHOLD`` (sic:
  every client seen spells it so: ``ricomarten/api-dukcapil`` ``config/callApiDukcapil.php``, a Laravel
  ``DukcapilService`` (file 70209138021) reading ``DUKCAPIL_TRESHOLD``, a Python load test (file 55829118737)),
  then ``NIK`` and the elements to compare (``NAMA_LGKP``, ``TGL_LHR``, ``JENIS_KLMIN``, ``ALAMAT``, ``KAB_NAME``,
  ...). Chosen: ``THRESHOLD`` is accepted as well; elements left blank (``"NO_RT": " "`` in
  ``ricomarten/api-dukcapil``) or unknown are not compared and not answered.
* **Answer envelope** (HTTP 200): ``{"content":[{...}], "lastPage":true, "numberOfElements":1, "sort":null,
  "totalElements":1, "firstPage":true, "number":0, "size":1}`` (file 29279101374; a Go client's test double,
  file 7411102632, has the same fields and a ``QuotaLimiter`` count, left out here).
* **Errors**: HTTP 200 with ``content[0].RESPON`` (SIMRS-Khanza; file 48227373732 reads
  ``['content'][0]['RESPON']``). Texts seen: ``Data Tidak Ditemukan`` (SIMRS-Khanza; a Kemsos sync, file
  7753089810), ``Login Gagal`` (file 29279101374, SIMRS-Khanza; another client, file 17715880776, compares
  ``Login gagal``), ``IP Address Tidak Sesuai``, ``IP Client  Tidak terdaftar``, ``Kuota Akses Hari ini telah Habis``
  (SIMRS-Khanza). A loan system's tests (file 30069798059) relay ``User, password dan IP tidak boleh kosong``,
  ``User ID Tidak Aktif``, ``Instansi Tidak Aktif`` and ``Parameter Tidak Lengkap / Tidak Valid``. Chosen: the
  mock answers six of them (:data:`NOT_FOUND`, :data:`LOGIN_FAILED`, :data:`IP_MISMATCH`,
  :data:`CREDENTIALS_MISSING`, :data:`QUOTA_SPENT`, and :data:`BAD_PARAMETERS` for a body that is not a JSON
  object or a missing or out-of-range threshold). ``ricomarten/api-dukcapil``
  (``backend/prosesApi.php``) reads verify errors from ``RESPONSE_CODE``/``RESPONSE`` instead; the mock keeps
  one shape (``RESPON``) and the gateway's client reads both. A NIK that is not 16 digits is answered like any
  unknown NIK, ``Data Tidak Ditemukan`` (no source shows a distinct text).
* **CALL_NIK elements**: ``NIK``, ``NO_KK``, ``NAMA_LGKP``, ``JENIS_KLMIN``, ``TMPT_LHR``, ``TGL_LHR``,
  ``AGAMA``, ``STATUS_KAWIN``, ``JENIS_PKRJN``, ``PDDK_AKH``, ``GOL_DARAH``, ``STAT_HBKEL``, ``NAMA_LGKP_IBU``,
  ``NAMA_LGKP_AYAH``, ``ALAMAT``, ``NO_RT``, ``NO_RW``, ``DUSUN``, ``KODE_POS``, ``NO_PROP``/``PROP_NAME``,
  ``NO_KAB``/``KAB_NAME``, ``NO_KEC``/``KEC_NAME``, ``NO_KEL``/``KEL_NAME``, ``EKTP_STATUS`` (SIMRS-Khanza and
  file 48227373732 read these names). Coded elements carry upper-case labels, not codes: ``LAKI-LAKI``,
  ``ISLAM``, ``BELUM KAWIN``/``KAWIN`` (file 29279101374); the labels here are ``codes.json``'s, upper-cased.
  ``TGL_LHR`` is ``YYYY-MM-DD`` (file 29279101374; ``ricomarten/api-dukcapil`` *sends* ``DD-MM-YYYY`` to the
  verify service, which the mock accepts too). ``EKTP_STATUS`` is ``SUDAH REKAM`` from 17 years of age or once
  married, else ``BELUM REKAM`` (a rule of the mock).
* **Verify answer**, per element sent: free-text elements (names, birthplace, address) as ``"Sesuai (NN)"`` or
  ``"Tidak Sesuai (NN)"``, NN the similarity 0-100 against ``TRESHOLD`` (file 70209138021 parses
  ``"Tidak Sesuai (59)"``; a Go client's tests, file 62380625861, parse ``"Sesuai (92)"``, bare ``"Sesuai"`` and
  ``"Tidak Sesuai"``); exact elements (``NIK``, ``NO_KK``, ``TGL_LHR``, ``JENIS_KLMIN``, region names, ...) as bare
  ``"Sesuai"`` / ``"Tidak Sesuai"`` (test doubles in files 4898637588, 18170758153, 22206079348).
  ``NIK`` is ``"Sesuai"`` when the NIK exists; an unknown NIK is ``RESPON: Data Tidak Ditemukan``.

Similarity: the standard library's :class:`difflib.SequenceMatcher` ratio (times 100, rounded) of the two values
upper-cased with runs of spaces collapsed. Dukcapil's own algorithm is not public; this one is deterministic
and needs no extra dependency.

Credentials: ``SiakMockConfig.dukcapil_accounts`` maps each consumer to a ``user_id``/``password`` and,
optionally, the ``ip_user`` values it may send. ``ip_user`` is required (as the relayed text says) and checked
only when the account lists addresses; it is never logged. ``dukcapil_daily_quota`` (per consumer, per WIB
day of the mock's clock) answers ``Kuota Akses Hari ini telah Habis`` once spent. Logs name the consumer, the
service and the outcome: never a NIK, a name or a password.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from mock_siak import contract
from mock_siak.config import DukcapilAccount, SiakMockConfig
from mock_siak.store import Store

log = logging.getLogger("mock_siak.dukcapil")

CALL_NIK = "CALL_NIK"
CALL_VERIFY_BY_ELEMEN = "CALL_VERIFY_BY_ELEMEN"
SERVICES = (CALL_NIK, CALL_VERIFY_BY_ELEMEN)

NOT_FOUND = "Data Tidak Ditemukan"
LOGIN_FAILED = "Login Gagal"
IP_MISMATCH = "IP Address Tidak Sesuai"
CREDENTIALS_MISSING = "User, password dan IP tidak boleh kosong"
QUOTA_SPENT = "Kuota Akses Hari ini telah Habis"
BAD_PARAMETERS = "Parameter Tidak Lengkap / Tidak Valid"

SESUAI = "Sesuai"
TIDAK_SESUAI = "Tidak Sesuai"

MAX_BODY_BYTES = 64 * 1024

CODED = ("JENIS_KLMIN", "AGAMA", "STATUS_KAWIN", "JENIS_PKRJN", "PDDK_AKH", "GOL_DARAH", "STAT_HBKEL")
"""Elements SIAK stores as codes and this service shows as upper-case labels."""
FUZZY = ("NAMA_LGKP", "NAMA_LGKP_IBU", "NAMA_LGKP_AYAH", "TMPT_LHR", "ALAMAT")
"""Free-text elements, compared by similarity against the threshold."""
NUMBERED = ("NO_RT", "NO_RW", "NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL", "KODE_POS")
"""Numbers compared as numbers: ``"5"`` matches ``"005"``."""
NAMED = ("PROP_NAME", "KAB_NAME", "KEC_NAME", "KEL_NAME", "DUSUN")
"""Names compared exactly, ignoring case and spacing."""
VERIFIABLE = ("NO_KK", "TGL_LHR", *CODED, *FUZZY, *NUMBERED, *NAMED)

_SPACES = re.compile(r"\s+")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def envelope(content: list[dict[str, Any]]) -> dict[str, Any]:
    """The paging envelope every answer of the service carries."""
    return {
        "content": content,
        "lastPage": True,
        "numberOfElements": len(content),
        "sort": None,
        "totalElements": len(content),
        "firstPage": True,
        "number": 0,
        "size": len(content),
    }


def respon(text: str) -> JSONResponse:
    """An error the way the service answers one: HTTP 200, the text in ``content[0].RESPON``."""
    return JSONResponse(envelope([{"RESPON": text}]))


def similarity(left: str, right: str) -> int:
    """0-100: :class:`difflib.SequenceMatcher`'s ratio of the two values, upper-cased and space-collapsed."""
    a, b = _plain(left), _plain(right)
    if not a and not b:
        return 100
    return round(SequenceMatcher(None, a, b, autojunk=False).ratio() * 100)


def _plain(value: str) -> str:
    return _SPACES.sub(" ", value).strip().upper()


def _folded(value: str) -> str:
    return "".join(value.split()).casefold()


def _parse_date(value: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _label(element: str, code: Any) -> str | None:
    if code is None:
        return None
    label = contract.codes().get(element, {}).get(str(code))
    return label.upper() if label is not None else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class DukcapilRest:
    """The two services over mock SIAK's store; mounted by :func:`mock_siak.app.create_app`."""

    def __init__(self, store: Store, config: SiakMockConfig) -> None:
        self.store = store
        self.config = config
        self._lock = threading.Lock()
        self._used: dict[tuple[str, date], int] = {}

    # -- the endpoint --------------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        consumer, _, service = request.path_params["path"].strip("/").rpartition("/")
        service = service.upper()
        if not consumer or service not in SERVICES:
            return PlainTextResponse("Layanan tidak dikenal.", status_code=404)
        body = await self._json(request)
        if body is None:
            return self._outcome(consumer, service, respon(BAD_PARAMETERS), BAD_PARAMETERS)
        refusal = self._refusal(consumer, body)
        if refusal is not None:
            return self._outcome(consumer, service, respon(refusal), refusal)
        if service == CALL_NIK:
            content = await run_in_threadpool(self.lookup, body.get("NIK"))
        else:
            content = await run_in_threadpool(self.verify, body)
        outcome = content.get("RESPON", "OK")
        return self._outcome(consumer, service, JSONResponse(envelope([content])), outcome)

    @staticmethod
    def _outcome(consumer: str, service: str, response: Response, outcome: str) -> Response:
        log.info("dukcapil %s consumer=%s outcome=%s", service, consumer, outcome)
        return response

    async def _json(self, request: Request) -> dict[str, Any] | None:
        """The body's keys upper-cased (clients differ in case), or None when it is not a JSON object."""
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        body = {str(key).upper(): value for key, value in data.items()}
        if "IP_USER" not in body and "IP_ADDRESS" in body:
            body["IP_USER"] = body["IP_ADDRESS"]
        return body

    def _refusal(self, consumer: str, body: Mapping[str, Any]) -> str | None:
        """The RESPON text refusing these credentials, or None; counts the call against the daily quota."""
        user_id, password, ip_user = (str(body.get(key) or "").strip() for key in ("USER_ID", "PASSWORD", "IP_USER"))
        if not (user_id and password and ip_user):
            return CREDENTIALS_MISSING
        account: DukcapilAccount | None = self.config.dukcapil_accounts.get(consumer)
        if account is None or account.user_id != user_id or account.password != password:
            return LOGIN_FAILED
        if account.ip_users and ip_user not in account.ip_users:
            return IP_MISMATCH
        quota = self.config.dukcapil_daily_quota
        if quota is not None:
            key = (consumer, self.config.clock().date())
            with self._lock:
                if self._used.get(key, 0) >= quota:
                    return QUOTA_SPENT
                self._used[key] = self._used.get(key, 0) + 1
        return None

    # -- the services ----------------------------------------------------------------------------------

    def _record(self, nik: Any) -> dict[str, Any] | None:
        """The resident's elements with their family's address, or None."""
        if not isinstance(nik, str | int) or not str(nik).strip().isdigit() or len(str(nik).strip()) != 16:
            return None
        with self.store.tx() as tx:
            found = tx.person(str(nik).strip())
            if found is None:
                return None
            no_kk, member = found
            family = tx.family(no_kk) or {}
        return {**member, **{k: v for k, v in family.items() if k != "ANGGOTA"}, "NO_KK": no_kk}

    def lookup(self, nik: Any) -> dict[str, Any]:
        """CALL_NIK: the resident's elements, coded ones as labels."""
        record = self._record(nik)
        if record is None:
            return {"RESPON": NOT_FOUND}
        birth: date = record["TGL_LHR"]
        recorded = _age(birth, self.config.clock().date()) >= 17 or record.get("STATUS_KAWIN") not in (None, 1)
        content: dict[str, Any] = {
            "NIK": record["NIK"],
            "NO_KK": record["NO_KK"],
            "NAMA_LGKP": record["NAMA_LGKP"],
            "JENIS_KLMIN": _label("JENIS_KLMIN", record.get("JENIS_KLMIN")),
            "TMPT_LHR": record.get("TMPT_LHR"),
            "TGL_LHR": birth.isoformat(),
            "AGAMA": _label("AGAMA", record.get("AGAMA")),
            "STATUS_KAWIN": _label("STATUS_KAWIN", record.get("STATUS_KAWIN")),
            "JENIS_PKRJN": _label("JENIS_PKRJN", record.get("JENIS_PKRJN")),
            "PDDK_AKH": _label("PDDK_AKH", record.get("PDDK_AKH")),
            "GOL_DARAH": _label("GOL_DARAH", record.get("GOL_DARAH")),
            "STAT_HBKEL": _label("STAT_HBKEL", record.get("STAT_HBKEL")),
            "NAMA_LGKP_IBU": record.get("NAMA_LGKP_IBU"),
            "NAMA_LGKP_AYAH": record.get("NAMA_LGKP_AYAH"),
            "EKTP_STATUS": "SUDAH REKAM" if recorded else "BELUM REKAM",
        }
        for key in ("ALAMAT", "NO_RT", "NO_RW", "DUSUN", "KODE_POS", *NUMBERED[2:6], *NAMED[:4]):
            content[key] = _text(record.get(key))
        return content

    def verify(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """CALL_VERIFY_BY_ELEMEN: for each element sent, whether it agrees with the record."""
        threshold = self._threshold(body)
        if threshold is None:
            return {"RESPON": BAD_PARAMETERS}
        record = self._record(body.get("NIK"))
        if record is None:
            return {"RESPON": NOT_FOUND}
        answer: dict[str, Any] = {"NIK": SESUAI}
        for element in VERIFIABLE:
            sent = body.get(element)
            if sent is None or not str(sent).strip():
                continue
            answer[element] = self._compare(element, str(sent), record, threshold)
        return answer

    @staticmethod
    def _threshold(body: Mapping[str, Any]) -> int | None:
        raw = body.get("TRESHOLD", body.get("THRESHOLD"))
        if isinstance(raw, bool) or raw is None:
            return None
        text = str(raw).strip()
        if not text.isdigit() or not 0 <= int(text) <= 100:
            return None
        return int(text)

    @staticmethod
    def _compare(element: str, sent: str, record: Mapping[str, Any], threshold: int) -> str:
        stored = record.get(element)
        if element in FUZZY:
            score = similarity(sent, str(stored or ""))
            return f"{SESUAI if score >= threshold else TIDAK_SESUAI} ({score})"
        if element == "TGL_LHR":
            same = _parse_date(sent) == stored
        elif element in CODED:
            label = _label(element, stored) or ""
            same = _folded(sent) == _folded(label) or (sent.strip().isdigit() and int(sent) == stored)
        elif element in NUMBERED:
            same = sent.strip().isdigit() and stored is not None and int(sent) == int(str(stored))
        else:
            same = _folded(sent) == _folded(str(stored or ""))
        return SESUAI if same else TIDAK_SESUAI
