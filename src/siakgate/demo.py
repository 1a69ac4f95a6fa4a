"""``siakgate demo --out DIR``: one application per service profile, through a running gateway, over HTTP.

The demo does what the calling systems do (the WhatsApp desk, the counter, the village counter, the
kecamatan office, the Kepala Dinas's signing workstation), with ONE API token that holds every role:
``make run`` prints such a token (``SIAKGATE_DEMO_TOKEN``). For each packaged profile it creates an
application (with an ``Idempotency-Key``), uploads a small generated PDF or JPEG for every requirement
the gateway says is missing, performs each person's action as the application reaches it, waits for
the automatic steps (polling ``GET /v1/applications/{id}``), gathers the kecamatan's application
under a cover letter signed by the Sekcam, signs every application waiting for the TTE in one
signing batch with the Kepala Dinas's passphrase, downloads each signed KK into DIR and writes
``DIR/summary.json`` (profile, case type, final state, PDF file name, each step's time).

Family data: new-KK cases get an invented young couple whose NIKs carry random serials (a collision
with SIAK's population is unlikely, and a repeated run makes new people). Cases on an existing KK
(lost, data change) take a family from mock SIAK: ``GET /_admin/sample?region=3508`` for a No. KK,
then SIAK's ``CariKeluarga`` (with the development SIAK credentials) for its address and data.

Whose families: the demo plays ONE Dinas, Kab. Lumajang (:data:`DEMO_REGENCY`), because a KK is signed
by the Kepala Dinas of its own regency and the gateway refuses any other (WILAYAH_DI_LUAR_KEWENANGAN,
:mod:`siakgate.signing.jurisdiction`). The only Kepala Dinas the test PKI and mock BSrE know is
Lumajang's (``O=Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang``), and the development
gateway is bound to 3508. So every profile's application is a Lumajang family: the five service
standards are ways of working one Dinas runs side by side (its WhatsApp desk, its counter, its village
counters, its kecamatan), whichever office first wrote them down. A Kab. Bandung application would need
a Bandung Kepala Dinas's certificate and a gateway bound to 3204; ``run_demo(regency=...)`` changes
which regency's families are used for such a setup.

The passphrases default to mock BSrE's test fixtures (``mock_bsre/signers.yaml``); ``--passphrase-env``
names an environment variable to read another from. They are sent in the signing request's body only,
never printed. Nothing personal is printed either: application ids, states and step names only.

Exit codes: 0 done; 1 a flow did not complete; 2 the services are not reachable or the options are
wrong (with a message in Bahasa Indonesia). The command's options are parsed in :mod:`siakgate.cli.demo`;
this module is the driver (:func:`run_demo`).
"""

from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import anyio
import httpx

from siakgate.clock import Clock, monotonic
from siakgate.domain import (
    DOCUMENTS,
    Agama,
    CaseType,
    GolonganDarah,
    JenisKelamin,
    KartuKeluarga,
    Kewarganegaraan,
    Member,
    Pekerjaan,
    Pendidikan,
    StatusHubungan,
    StatusPerkawinan,
)
from siakgate.errors import DemoError, DemoUnavailableError, TransientError

__all__ = [
    "DEMO_PASSPHRASE",
    "DEMO_REGENCY",
    "DEMO_SEKCAM_PASSPHRASE",
    "PLANS",
    "DemoError",
    "DemoUnavailableError",
    "FamilySource",
    "Plan",
    "SiakFamilies",
    "new_family",
    "run_demo",
]

DEFAULT_GATEWAY = "http://127.0.0.1:8000"
DEFAULT_SIAK = "http://127.0.0.1:8081"
TOKEN_ENV = "SIAKGATE_DEMO_TOKEN"  # noqa: S105 - the name of a variable, not a secret
DEMO_PASSPHRASE = "kepala-dinas-uji-123"  # noqa: S105 - mock BSrE test fixture (mock_bsre/signers.yaml)
DEMO_SEKCAM_PASSPHRASE = "sekcam-uji-789"  # noqa: S105 - mock BSrE test fixture (mock_bsre/signers.yaml)
DEMO_REGENCY = "3508"
"""Kab. Lumajang: the regency of the Kepala Dinas the demo signs with (the development gateway's jurisdiction)."""

COLLECTIONS = "/v1/collections"
"""``POST`` {application_ids}; then ``POST .../{id}/sign`` {passphrase}, ``POST .../{id}/submit``."""


@dataclass(frozen=True, slots=True)
class Plan:
    """One demo application: which profile, which case, and where a new family lives."""

    profile_id: str
    case_type: CaseType
    region_code: str | None = None
    """10 digits for a new family; None: an existing family's own region (a family of the demo's regency)."""


PLANS: tuple[Plan, ...] = (
    Plan("lumajang-bca", CaseType.KK_BARU_MENIKAH, "3508101003"),  # Kec. Lumajang, Citrodiwangsan
    Plan("dinas-loket-antrian", CaseType.KK_BARU_MENIKAH, "3508101004"),  # Kec. Lumajang, Ditotrunan
    Plan("loket-desa", CaseType.HILANG),
    Plan("bantul-wa-cetak-mandiri", CaseType.PERUBAHAN_DATA),
    Plan("kecamatan-sumbersuko", CaseType.KK_BARU_MENIKAH, "3508212001"),  # Kec. Sumbersuko
)

_PLACES = {
    "3508101003": ("CITRODIWANGSAN", "LUMAJANG"),
    "3508101004": ("DITOTRUNAN", "LUMAJANG"),
    "3508212001": ("SUMBERSUKO", "SUMBERSUKO"),
}
_HUSBANDS = ("ADI PRASETYO", "BAYU NUGROHO", "DIMAS SAPUTRA", "EKO WIBOWO")
_WIVES = ("RINA LESTARI", "DEWI ANGGRAINI", "FITRI HANDAYANI", "NUR AINI")


def _nik(region: str, birth: date, serial: int, *, female: bool) -> str:
    day = birth.day + (40 if female else 0)
    return f"{region[:6]}{day:02d}{birth:%m%y}{serial:04d}"


def new_family(region_code: str, rng: random.Random, today: date) -> KartuKeluarga:
    """An invented couple married a month ago, living in ``region_code`` (one of the demo regions)."""
    village, district = _PLACES[region_code]
    born_him = date(rng.randint(1994, 2000), rng.randint(1, 12), rng.randint(1, 28))
    born_her = date(rng.randint(1995, 2001), rng.randint(1, 12), rng.randint(1, 28))
    serial = rng.randint(1000, 9998)
    married = today - timedelta(days=30)
    husband, wife = rng.choice(_HUSBANDS), rng.choice(_WIVES)
    common: dict[str, Any] = {
        "birth_place": "LUMAJANG",
        "religion": Agama.ISLAM,
        "blood_type": GolonganDarah.TIDAK_TAHU,
        "marital_status": StatusPerkawinan.KAWIN,
        "marriage_date": married,
        "citizenship": Kewarganegaraan.WNI,
    }
    head = Member(
        full_name=husband,
        nik=_nik(region_code, born_him, serial, female=False),
        sex=JenisKelamin.LAKI_LAKI,
        birth_date=born_him,
        education=Pendidikan.SLTA,
        occupation=Pekerjaan.WIRASWASTA,
        relationship=StatusHubungan.KEPALA_KELUARGA,
        father_name="SUGENG",
        mother_name="SUMIATI",
        **common,
    )
    spouse = Member(
        full_name=wife,
        nik=_nik(region_code, born_her, serial + 1, female=True),
        sex=JenisKelamin.PEREMPUAN,
        birth_date=born_her,
        education=Pendidikan.DIPLOMA_IV_S1,
        occupation=Pekerjaan.KARYAWAN_SWASTA,
        relationship=StatusHubungan.ISTRI,
        father_name="SLAMET",
        mother_name="PARTINI",
        **common,
    )
    return KartuKeluarga(
        no_kk=f"{region_code[:6]}{today:%d%m%y}{serial:04d}",  # SIAK numbers a new KK; not checked
        head_name=husband,
        address="JL. MELATI NO. 3",
        rt="001",
        rw="002",
        village=village,
        district=district,
        regency="LUMAJANG",
        postal_code="67316",
        province="JAWA TIMUR",
        province_code=region_code[:2],
        regency_code=region_code[2:4],
        district_code=region_code[4:6],
        village_code=region_code[6:],
        members=(head, spouse),
    )


def _changed(family: KartuKeluarga) -> KartuKeluarga:
    """``family`` after a change of data: the first member's occupation (a PERUBAHAN_DATA)."""
    first = family.members[0]
    occupation = Pekerjaan.PEDAGANG if first.occupation is not Pekerjaan.PEDAGANG else Pekerjaan.WIRASWASTA
    members = (first.model_copy(update={"occupation": occupation}), *family.members[1:])
    return family.model_copy(update={"members": members})


class FamilySource(Protocol):
    """Families already in SIAK, for cases on an existing KK."""

    async def existing(self, count: int) -> list[KartuKeluarga]: ...


class SiakFamilies:
    """Existing families of ``regency`` from mock SIAK: ``/_admin/sample?region=...`` then ``CariKeluarga``."""

    def __init__(
        self, siak_url: str, http: httpx.AsyncClient, *, username: str, password: str, regency: str = DEMO_REGENCY
    ) -> None:
        self.siak_url = siak_url.rstrip("/")
        self.http = http
        self.username = username
        self.password = password
        self.regency = regency

    async def existing(self, count: int) -> list[KartuKeluarga]:
        from siakgate.siak import SiakClient  # zeep is loaded only when an existing family is needed

        try:
            params: dict[str, str | int] = {"n": count, "region": self.regency}
            answer = await self.http.get(f"{self.siak_url}/_admin/sample", params=params)
            answer.raise_for_status()
            numbers = [item["NO_KK"] for item in answer.json()["families"]]
            siak = SiakClient(f"{self.siak_url}/siak", username=self.username, password=self.password, http=self.http)
            return [await siak.get_family(no_kk) for no_kk in numbers]
        except (httpx.HTTPError, TransientError, KeyError, ValueError) as exc:
            raise DemoUnavailableError(
                f"Mock SIAK di {self.siak_url} tidak dapat dipakai untuk mengambil keluarga contoh "
                f"({type(exc).__name__}). Jalankan `make run` lebih dulu, atau berikan --siak-url."
            ) from exc


def sample_pdf(title: str) -> bytes:
    """A one-page PDF standing for a scanned requirement (no personal data)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(72, 770, "DOKUMEN CONTOH - DEMO SIAKGATE")
    page.setFont("Helvetica", 11)
    page.drawString(72, 745, title[:90])
    page.showPage()
    page.save()
    return out.getvalue()


def sample_jpeg(title: str) -> bytes:
    """A small JPEG standing for a photographed requirement (no personal data)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 30), "DOKUMEN CONTOH - DEMO SIAKGATE", fill="black")
    draw.text((20, 70), title[:80], fill="black")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


PERSON_ACTIONS = {
    "MENUNGGU_KELENGKAPAN": "complete",
    "MENUNGGU_KONFIRMASI_PEMOHON": "confirm",
    "MENUNGGU_VERIFIKASI": "approve",
    "MENUNGGU_CETAK": "printed",
    "MENUNGGU_PENYERAHAN": "delivered",
}
"""The action each waiting state gets from the demo (the happy path)."""
ACTION_WORDS = {
    "complete": "berkas dinyatakan lengkap",
    "confirm": "dikonfirmasi pemohon",
    "approve": "disetujui",
    "printed": "KK dicetak",
    "delivered": "KK diserahkan",
}
"""What the demo's log says for each action (the operator reads Indonesian, not the API's action names)."""
FAILED_STATES = frozenset({"DIKEMBALIKAN", "DITOLAK", "GANGGUAN"})
DONE = "SELESAI"


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("title") or ""
        return f"HTTP {response.status_code} {body.get('code', '')}: {detail}".strip()
    return f"HTTP {response.status_code}"


@dataclass(slots=True)
class _App:
    plan: Plan
    id: str
    state: str = ""


class _Demo:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        token: str,
        *,
        timeout: float,
        poll_interval: float,
        log: Callable[[str], None],
    ) -> None:
        self.http = http
        self.base = base_url.rstrip("/")
        self.auth = {"Authorization": f"Bearer {token}"}
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.log = log

    async def call(self, method: str, path: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        try:
            response = await self.http.request(method, f"{self.base}{path}", headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise DemoUnavailableError(
                f"Gateway di {self.base} tidak dapat dihubungi ({type(exc).__name__}). "
                "Jalankan `make run` lebih dulu, atau berikan --gateway."
            ) from exc
        if response.status_code not in expect:
            if response.status_code == 401:
                raise DemoUnavailableError(f"Token API ditolak gateway ({_problem(response)}); periksa --token.")
            raise DemoError(f"{method} {path} gagal: {_problem(response)}")
        return response

    async def create(self, plan: Plan, family: KartuKeluarga | None, no_kk: str | None, region: str, key: str) -> _App:
        body = {
            "profile_id": plan.profile_id,
            "case_type": plan.case_type.value,
            "region_code": region,
            "family": family.model_dump(mode="json") if family is not None else None,
            "no_kk": no_kk,
        }
        response = await self.call(
            "POST", "/v1/applications", json=body, headers={"Idempotency-Key": key}, expect=(200, 201)
        )
        view = response.json()
        app = _App(plan, view["id"], view["state"])
        self.log(f"[{plan.profile_id}] permohonan {app.id} dibuat ({plan.case_type.value})")
        for index, code in enumerate(view.get("missing_requirements") or ()):
            title = f"{code}: {DOCUMENTS.get(code, code)}"
            data, name, media = (
                (sample_pdf(title), f"{code.lower()}.pdf", "application/pdf")
                if index % 2 == 0
                else (sample_jpeg(title), f"{code.lower()}.jpg", "image/jpeg")
            )
            await self.call(
                "POST",
                f"/v1/applications/{app.id}/documents",
                data={"requirement": code},
                files={"file": (name, data, media)},
                expect=(200, 201),
            )
            self.log(f"[{plan.profile_id}] dokumen {code} diunggah")
        return app

    async def view(self, app: _App) -> dict[str, Any]:
        view: dict[str, Any] = (await self.call("GET", f"/v1/applications/{app.id}")).json()
        app.state = view["state"]
        return view

    async def collect(self, apps: list[_App], sekcam_passphrase: str) -> None:
        ids = [app.id for app in apps]
        created = (await self.call("POST", COLLECTIONS, json={"application_ids": ids}, expect=(200, 201))).json()
        cid = created["id"]
        await self.call("POST", f"{COLLECTIONS}/{cid}/sign", json={"passphrase": sekcam_passphrase})
        await self.call("POST", f"{COLLECTIONS}/{cid}/submit")
        self.log(f"pengantar {created.get('number', cid)} ditandatangani Sekcam dan diajukan ({len(ids)} permohonan)")

    async def sign(self, apps: list[_App], passphrase: str) -> None:
        ids = [app.id for app in apps]
        batch = (
            await self.call("POST", "/v1/signing-batches", json={"application_ids": ids}, expect=(200, 201))
        ).json()
        signed = (
            await self.call("POST", f"/v1/signing-batches/{batch['id']}/sign", json={"passphrase": passphrase})
        ).json()
        failed = [item for item in signed.get("items", []) if item.get("error_code")]
        if failed:
            reasons = "; ".join(
                f"{i['application_id']}: {i['error_code']} {i.get('error_message') or ''}" for i in failed
            )
            raise DemoError(f"TTE batch {batch['id']} gagal untuk {len(failed)} permohonan: {reasons}")
        self.log(f"batch TTE {batch['id']}: {len(ids)} KK ditandatangani Kepala Dinas")

    async def drive(self, apps: list[_App], passphrase: str, sekcam_passphrase: str) -> None:
        deadline = monotonic() + self.timeout
        while True:
            pending = [app for app in apps if app.state != DONE]
            if not pending:
                return
            acted = False
            for app in pending:
                view = await self.view(app)
                if app.state in FAILED_STATES:
                    why = view.get("return_reason") or view.get("last_error_code") or ""
                    raise DemoError(
                        f"[{app.plan.profile_id}] permohonan {app.id} berhenti di {app.state} {why}".strip()
                    )
                action = PERSON_ACTIONS.get(app.state)
                if action is not None:
                    step = view.get("current_step_name") or view.get("current_step_id")
                    await self.call("POST", f"/v1/applications/{app.id}/actions/{action}", json={})
                    self.log(f"[{app.plan.profile_id}] {step}: {ACTION_WORDS.get(action, action)}")
                    acted = True
            waiting = [app for app in pending if app.state == "MENUNGGU_PENGANTAR"]
            if waiting:
                await self.collect(waiting, sekcam_passphrase)
                acted = True
            elif all(app.state == "MENUNGGU_TTE" for app in pending):
                await self.sign(pending, passphrase)
                acted = True
            if not acted:
                if monotonic() > deadline:
                    states = ", ".join(f"{a.plan.profile_id}={a.state}" for a in pending)
                    raise DemoError(f"Waktu tunggu {self.timeout:.0f} detik habis; status terakhir: {states}")
                await anyio.sleep(self.poll_interval)

    async def finish(self, app: _App, out_dir: Path) -> dict[str, Any]:
        timeline = (await self.call("GET", f"/v1/applications/{app.id}/timeline")).json()
        pdf = (await self.call("GET", f"/v1/applications/{app.id}/documents/SIGNED_KK")).content
        name = f"kk-{app.plan.profile_id}.pdf"
        (out_dir / name).write_bytes(pdf)
        keys = ("step_id", "action", "actor", "role", "at", "standard_minutes", "actual_minutes", "outcome")
        return {
            "profile": app.plan.profile_id,
            "case_type": app.plan.case_type.value,
            "application_id": app.id,
            "final_state": app.state,
            "pdf": name,
            "steps": [{key: entry.get(key) for key in keys} for entry in timeline],
        }


def _same_regency(regency: str, plans: Sequence[Plan], existing: Sequence[KartuKeluarga]) -> None:
    """Refuse, before anything is created, a family the Kepala Dinas of ``regency`` would not sign."""
    regions = [plan.region_code for plan in plans if plan.region_code is not None]
    regions += [kk.province_code + kk.regency_code for kk in existing]
    outside = sorted({region[:4] for region in regions if not region.startswith(regency)})
    if outside:
        raise DemoUnavailableError(
            f"Keluarga contoh dari wilayah {', '.join(outside)}, padahal demo menandatangani dengan Kepala Dinas "
            f"wilayah {regency}: gateway akan menolaknya (WILAYAH_DI_LUAR_KEWENANGAN)."
        )


async def run_demo(
    base_url: str,
    token: str,
    out_dir: Path,
    *,
    http: httpx.AsyncClient | None = None,
    plans: Sequence[Plan] = PLANS,
    families: FamilySource | None = None,
    siak_url: str = DEFAULT_SIAK,
    passphrase: str = DEMO_PASSPHRASE,
    sekcam_passphrase: str = DEMO_SEKCAM_PASSPHRASE,
    timeout: float = 180.0,
    poll_interval: float = 0.5,
    seed: int | None = None,
    log: Callable[[str], None] = lambda _line: None,
    clock: Clock | None = None,
    regency: str = DEMO_REGENCY,
) -> dict[str, Any]:
    """Drive one application per plan to the end; write the signed KKs and ``summary.json`` into ``out_dir``.

    Raises :class:`DemoUnavailableError` when the gateway (or mock SIAK) is not reachable, or a family
    is not of ``regency`` (the signing Kepala Dinas's, which the gateway would refuse to sign otherwise),
    before anything is created, and :class:`DemoError` when a flow stops. ``summary.json`` is written
    last, so its presence means every application finished. ``clock`` dates the invented families (the
    command line passes its own; without one, the system's).
    """
    own = http is None
    client = http if http is not None else httpx.AsyncClient(timeout=30.0)
    try:
        demo = _Demo(client, base_url, token, timeout=timeout, poll_interval=poll_interval, log=log)
        await demo.call("GET", "/healthz")
        rng = random.Random(seed if seed is not None else time.time_ns())  # noqa: S311 - invented people, not secrets
        today = (clock or Clock()).today_wib()
        existing_needed = [plan for plan in plans if plan.region_code is None]
        source = families
        if source is None and existing_needed:
            from siakgate.config import Settings

            siak = Settings().siak
            source = SiakFamilies(
                siak_url, client, username=siak.username, password=siak.password.get_secret_value(), regency=regency
            )
        existing = await source.existing(len(existing_needed)) if source is not None and existing_needed else []
        if len(existing) < len(existing_needed):
            raise DemoUnavailableError("SIAK tidak memberikan cukup keluarga contoh untuk demo.")
        _same_regency(regency, plans, existing)
        run_id = f"{rng.getrandbits(32):08x}"
        apps = []
        for plan in plans:
            family: KartuKeluarga | None
            if plan.region_code is not None:
                family, no_kk, region = new_family(plan.region_code, rng, today), None, plan.region_code
            else:
                known = existing.pop(0)
                no_kk = known.no_kk
                region = known.province_code + known.regency_code + known.district_code + known.village_code
                family = _changed(known) if plan.case_type is CaseType.PERUBAHAN_DATA else None
            apps.append(await demo.create(plan, family, no_kk, region, key=f"demo-{run_id}-{plan.profile_id}"))
        await demo.drive(apps, passphrase, sekcam_passphrase)
        out_dir.mkdir(parents=True, exist_ok=True)
        results = [await demo.finish(app, out_dir) for app in apps]
        summary = {"gateway": base_url, "run": run_id, "applications": results}
        tmp = out_dir / "summary.json.tmp"
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(out_dir / "summary.json")
        return summary
    finally:
        if own:
            await client.aclose()
