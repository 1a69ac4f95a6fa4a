"""The demo driver's sequencing and error handling, against a scripted gateway (httpx.MockTransport)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from siakgate.cli.demo import main
from siakgate.demo import (
    DEMO_PASSPHRASE,
    DEMO_REGENCY,
    DEMO_SEKCAM_PASSPHRASE,
    PLANS,
    DemoError,
    DemoUnavailableError,
    SiakFamilies,
    new_family,
    run_demo,
)
from siakgate.domain import KartuKeluarga

BASE = "http://gateway.test"
TOKEN = "tok-demo-123"
_T, _S = "MENUNGGU_TTE", "DIPROSES_SIAK"
FLOWS: dict[str, list[str]] = {
    "lumajang-bca": [
        "MENUNGGU_KELENGKAPAN",
        _S,
        "MENUNGGU_KONFIRMASI_PEMOHON",
        _S,
        "MENUNGGU_VERIFIKASI",
        _S,
        _T,
        _S,
        "MENUNGGU_CETAK",
        _S,
        "MENUNGGU_PENYERAHAN",
        "SELESAI",
    ],
    "dinas-loket-antrian": [
        "MENUNGGU_KELENGKAPAN",
        _S,
        _S,
        "MENUNGGU_VERIFIKASI",
        _S,
        _T,
        _S,
        "MENUNGGU_CETAK",
        _S,
        "MENUNGGU_PENYERAHAN",
        "SELESAI",
    ],
    "loket-desa": [
        "MENUNGGU_KELENGKAPAN",
        "MENUNGGU_KELENGKAPAN",
        _S,
        "MENUNGGU_KELENGKAPAN",
        _S,
        "MENUNGGU_VERIFIKASI",
        _S,
        _T,
        _S,
        "MENUNGGU_CETAK",
        _S,
        "MENUNGGU_PENYERAHAN",
        "SELESAI",
    ],
    "bantul-wa-cetak-mandiri": [
        "MENUNGGU_KELENGKAPAN",
        _S,
        "MENUNGGU_VERIFIKASI",
        _S,
        _T,
        _S,
        "MENUNGGU_PENYERAHAN",
        _S,
        "SELESAI",
    ],
    "kecamatan-sumbersuko": [
        "MENUNGGU_KELENGKAPAN",
        "MENUNGGU_KELENGKAPAN",
        _S,
        "MENUNGGU_VERIFIKASI",
        _S,
        "MENUNGGU_PENGANTAR",
        _T,
        _S,
        "MENUNGGU_CETAK",
        _S,
        "MENUNGGU_PENYERAHAN",
        "SELESAI",
    ],
}
ACTION_OF = {
    "MENUNGGU_KELENGKAPAN": "complete",
    "MENUNGGU_KONFIRMASI_PEMOHON": "confirm",
    "MENUNGGU_VERIFIKASI": "approve",
    "MENUNGGU_CETAK": "printed",
    "MENUNGGU_PENYERAHAN": "delivered",
}
MISSING = {
    "lumajang-bca": ["SURAT_PENGANTAR_DESA", "BUKU_NIKAH", "KK_LAMA_ASLI"],
    "dinas-loket-antrian": ["BUKU_NIKAH"],
    "loket-desa": ["SURAT_KEHILANGAN_POLISI", "DOKUMEN_KEPENDUDUKAN_ANGGOTA"],
    "bantul-wa-cetak-mandiri": ["FORMULIR_PERUBAHAN_DATA", "BUKTI_PERUBAHAN_DATA"],
    "kecamatan-sumbersuko": ["SURAT_PENGANTAR_DESA", "BUKU_NIKAH", "KK_LAMA_ASLI"],
}


def _problem(status: int, code: str, detail: str) -> httpx.Response:
    body = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


class FakeGateway:
    """A scripted gateway: each application walks its profile's list of states; automatic states pass on read."""

    def __init__(self, flows: dict[str, list[str]] = FLOWS) -> None:
        self.flows = flows
        self.apps: dict[str, dict[str, Any]] = {}
        self.creates: list[tuple[str | None, dict[str, Any]]] = []
        self.uploads: list[tuple[str, str, bytes]] = []
        self.actions: list[tuple[str, str]] = []
        self.batches: list[tuple[list[str], dict[str, Any]]] = []
        self.collections: list[tuple[list[str], dict[str, Any]]] = []
        self.batch_error: str | None = None

    def view(self, app_id: str) -> dict[str, Any]:
        app = self.apps[app_id]
        return {
            "id": app_id,
            "profile_id": app["profile"],
            "state": app["flow"][app["i"]],
            "current_step_id": f"step-{app['i']}",
            "current_step_name": f"Langkah {app['i']}",
            "missing_requirements": sorted(app["missing"]),
            "return_reason": None,
            "last_error_code": None,
        }

    def advance(self, app_id: str) -> None:
        self.apps[app_id]["i"] += 1

    def state(self, app_id: str) -> str:
        app = self.apps[app_id]
        return str(app["flow"][app["i"]])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path == "/healthz":
            return httpx.Response(200, json={"status": "ok"})
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _problem(401, "TOKEN_TIDAK_VALID", "Token tidak valid.")
        if method == "POST" and path == "/v1/applications":
            body = json.loads(request.content)
            self.creates.append((request.headers.get("idempotency-key"), body))
            app_id = f"app-{len(self.apps) + 1}"
            profile = body["profile_id"]
            self.apps[app_id] = {
                "profile": profile,
                "flow": self.flows[profile],
                "i": 0,
                "missing": set(MISSING[profile]),
            }
            return httpx.Response(201, json=self.view(app_id))
        match = re.fullmatch(r"/v1/applications/([^/]+)(/.*)?", path)
        if match:
            app_id, rest = match.group(1), match.group(2) or ""
            if rest == "" and method == "GET":
                if self.state(app_id) == _S:
                    self.advance(app_id)  # the worker ran the automatic step
                    return httpx.Response(200, json={**self.view(app_id), "state": _S})
                return httpx.Response(200, json=self.view(app_id))
            if rest == "/documents" and method == "POST":
                content = request.content
                code = re.search(rb'name="requirement"\r\n\r\n([A-Z_]+)\r\n', content)
                assert code is not None
                payload = content.split(b"\r\n\r\n")[2]
                self.uploads.append((app_id, code.group(1).decode(), payload))
                self.apps[app_id]["missing"].discard(code.group(1).decode())
                return httpx.Response(201, json={"kind": code.group(1).decode()})
            if rest.startswith("/actions/"):
                action = rest.removeprefix("/actions/")
                if ACTION_OF.get(self.state(app_id)) != action:
                    return _problem(409, "TINDAKAN_TIDAK_DIIZINKAN", f"{action} pada {self.state(app_id)}")
                if action == "complete" and self.apps[app_id]["missing"]:
                    return _problem(409, "BERKAS_BELUM_LENGKAP", "Berkas belum lengkap.")
                self.actions.append((app_id, action))
                self.advance(app_id)
                return httpx.Response(200, json=self.view(app_id))
            if rest == "/timeline":
                entry = {"step_id": "s", "action": "complete", "actor": "demo", "role": "KASI"}
                entry |= {"at": "2026-08-18T03:00:00Z", "standard_minutes": 5.0, "actual_minutes": 0.1}
                return httpx.Response(200, json=[entry])
            if rest == "/documents/SIGNED_KK":
                return httpx.Response(200, content=b"%PDF-1.7 signed " + app_id.encode())
        if method == "POST" and path == "/v1/collections":
            ids = json.loads(request.content)["application_ids"]
            assert all(self.state(i) == "MENUNGGU_PENGANTAR" for i in ids)
            self.collections.append((ids, {}))
            return httpx.Response(201, json={"id": "col-1", "number": "470/001"})
        if method == "POST" and path == "/v1/collections/col-1/sign":
            self.collections[-1][1]["sign"] = json.loads(request.content)
            return httpx.Response(200, json={"id": "col-1"})
        if method == "POST" and path == "/v1/collections/col-1/submit":
            for app_id in self.collections[-1][0]:
                self.advance(app_id)
            return httpx.Response(200, json={"id": "col-1"})
        if method == "POST" and path == "/v1/signing-batches":
            ids = json.loads(request.content)["application_ids"]
            if any(self.state(i) != _T for i in ids):
                return _problem(409, "TINDAKAN_TIDAK_DIIZINKAN", "bukan MENUNGGU_TTE")
            self.batches.append((ids, {}))
            return httpx.Response(201, json={"id": "batch-1", "items": []})
        if method == "POST" and path == "/v1/signing-batches/batch-1/sign":
            ids, seen = self.batches[-1]
            seen["body"] = json.loads(request.content)
            items = []
            for app_id in ids:
                if self.batch_error is None:
                    self.advance(app_id)
                items.append({"application_id": app_id, "state": "SIGNED", "error_code": self.batch_error})
            return httpx.Response(200, json={"id": "batch-1", "items": items})
        return httpx.Response(404, json={"code": "TIDAK_DITEMUKAN", "detail": f"{method} {path}"})


class FakeFamilies:
    def __init__(self) -> None:
        self.asked: list[int] = []

    async def existing(self, count: int) -> list[KartuKeluarga]:
        self.asked.append(count)
        return [new_family("3508212001", random.Random(n), date(2025, 6, 1)) for n in range(count)]


def _run(gateway: Callable[[httpx.Request], httpx.Response], out: Path, **kwargs: Any) -> dict[str, Any]:
    lines: list[str] = []

    async def go() -> dict[str, Any]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(gateway)) as http:
            options: dict[str, Any] = {"families": FakeFamilies(), "poll_interval": 0, "seed": 7, "log": lines.append}
            options.update(kwargs)
            return await run_demo(BASE, TOKEN, out, http=http, **options)

    result: dict[str, Any] = anyio.run(go)
    result["_log"] = lines
    return result


def test_the_demo_drives_every_profile_to_a_signed_kk(tmp_path: Path) -> None:
    gateway = FakeGateway()
    summary = _run(gateway, tmp_path / "out")
    apps = summary["applications"]
    assert [a["profile"] for a in apps] == [plan.profile_id for plan in PLANS]
    assert all(a["final_state"] == "SELESAI" for a in apps)
    for item in apps:
        pdf = tmp_path / "out" / item["pdf"]
        assert pdf.read_bytes().startswith(b"%PDF")
        assert item["steps"][0]["standard_minutes"] == 5.0
    written = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert written["applications"] == apps
    # one idempotency key per application, all different
    keys = [key for key, _ in gateway.creates]
    assert all(keys)
    assert len(set(keys)) == len(keys)
    # every missing requirement uploaded once, as a real PDF or JPEG
    uploaded = sorted((gateway.apps[a]["profile"], code) for a, code, _ in gateway.uploads)
    assert uploaded == sorted((p, c) for p, codes in MISSING.items() for c in codes)
    assert all(data.startswith((b"%PDF", b"\xff\xd8")) for _, _, data in gateway.uploads)
    assert {data[:4] for _, _, data in gateway.uploads} == {b"%PDF", b"\xff\xd8\xff\xe0"}
    # one signing batch for all five, with the Kepala Dinas's passphrase; the Sekcam signs the cover letter
    assert len(gateway.batches) == 1
    assert sorted(gateway.batches[0][0]) == sorted(gateway.apps)
    assert gateway.batches[0][1]["body"] == {"passphrase": DEMO_PASSPHRASE}
    assert gateway.collections[0][1]["sign"] == {"passphrase": DEMO_SEKCAM_PASSPHRASE}
    assert [gateway.apps[i]["profile"] for i in gateway.collections[0][0]] == ["kecamatan-sumbersuko"]
    assert ("app-1", "confirm") in gateway.actions
    # the passphrases are never in the progress lines
    assert not any(DEMO_PASSPHRASE in line or DEMO_SEKCAM_PASSPHRASE in line for line in summary["_log"])
    # the progress lines say what happened in Indonesian, not the API's action names
    said = "\n".join(summary["_log"])
    for english in ("complete", "confirm", "approve", "printed", "delivered"):
        assert f": {english}" not in said
    assert ": disetujui" in said
    assert ": KK diserahkan" in said


def test_new_and_existing_families_are_sent_as_each_case_needs(tmp_path: Path) -> None:
    gateway = FakeGateway()
    _run(gateway, tmp_path)
    bodies = {body["profile_id"]: body for _, body in gateway.creates}
    assert bodies["loket-desa"]["family"] is None
    assert re.fullmatch(r"\d{16}", bodies["loket-desa"]["no_kk"])
    assert bodies["bantul-wa-cetak-mandiri"]["family"] is not None  # PERUBAHAN_DATA: the changed data
    assert bodies["bantul-wa-cetak-mandiri"]["no_kk"] == bodies["bantul-wa-cetak-mandiri"]["family"]["no_kk"]
    new = bodies["kecamatan-sumbersuko"]
    assert new["no_kk"] is None
    assert new["region_code"] == "3508212001"
    assert {m["nik"][:6] for m in new["family"]["members"]} == {"350821"}
    assert bodies["loket-desa"]["region_code"] == "3508212001"  # the existing family's own region


def test_gateway_down_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(DemoUnavailableError, match=r"Gateway di http://gateway\.test tidak dapat dihubungi"):
        _run(down, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_main_fails_fast_with_exit_2_when_nothing_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--out", str(tmp_path / "out"), "--gateway", "http://127.0.0.1:9", "--token", TOKEN])
    assert code == 2
    err = capsys.readouterr().err
    assert "tidak dapat dihubungi" in err
    assert "make run" in err
    assert not (tmp_path / "out").exists()


def test_main_without_a_token_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIAKGATE_DEMO_TOKEN", raising=False)
    assert main(["--out", str(tmp_path)]) == 2
    assert "Token API tidak diberikan" in capsys.readouterr().err


def test_main_with_an_unset_passphrase_variable_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PASS_KADIS", raising=False)
    assert main(["--out", str(tmp_path), "--token", TOKEN, "--passphrase-env", "PASS_KADIS"]) == 2
    assert "PASS_KADIS" in capsys.readouterr().err


def test_main_rejects_unknown_options_with_exit_2(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path), "--bogus"]) == 2


def test_a_refused_token_is_reported(tmp_path: Path) -> None:
    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(FakeGateway())) as http:
            await run_demo(BASE, "wrong", tmp_path, http=http, families=FakeFamilies(), poll_interval=0)

    with pytest.raises(DemoUnavailableError, match="Token API ditolak"):
        anyio.run(go)


def test_an_application_that_stops_names_its_profile_and_state(tmp_path: Path) -> None:
    flows = {**FLOWS, "loket-desa": ["MENUNGGU_KELENGKAPAN", _S, "GANGGUAN"]}
    with pytest.raises(DemoError, match=r"\[loket-desa\] permohonan app-3 berhenti di GANGGUAN"):
        _run(FakeGateway(flows), tmp_path)
    assert not (tmp_path / "summary.json").exists()


def test_a_step_that_never_ends_times_out(tmp_path: Path) -> None:
    flows = {**FLOWS, "lumajang-bca": ["MENUNGGU_KELENGKAPAN", "DIPROSES_LAMA"]}
    with pytest.raises(DemoError, match=r"Waktu tunggu .* lumajang-bca=DIPROSES_LAMA"):
        _run(FakeGateway(flows), tmp_path, timeout=0.05, poll_interval=0.01)


def test_a_signing_failure_is_reported_per_application(tmp_path: Path) -> None:
    gateway = FakeGateway()
    gateway.batch_error = "PASSPHRASE_SALAH"
    with pytest.raises(DemoError, match="TTE batch batch-1 gagal untuk 5 permohonan: app-1: PASSPHRASE_SALAH"):
        _run(gateway, tmp_path)


def test_a_refused_request_shows_the_problem_code(tmp_path: Path) -> None:
    def refusing(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/applications":
            return _problem(422, "DATA_TIDAK_VALID", "Data tidak valid (1 masalah)")
        return FakeGateway()(request)

    with pytest.raises(DemoError, match="POST /v1/applications gagal: HTTP 422 DATA_TIDAK_VALID: Data tidak valid"):
        _run(refusing, tmp_path)


def test_siak_families_reads_existing_families_from_mock_siak(mock_siak: Any) -> None:
    async def go() -> list[KartuKeluarga]:
        async with httpx.AsyncClient(timeout=30) as http:
            source = SiakFamilies(mock_siak.url, http, username=mock_siak.username, password=mock_siak.password)
            return await source.existing(2)

    families = anyio.run(go)
    assert len(families) == 2
    for family in families:
        assert re.fullmatch(r"\d{16}", family.no_kk)
        assert re.fullmatch(
            r"\d{10}", family.province_code + family.regency_code + family.district_code + family.village_code
        )
        assert family.members
        # The signer's own regency (mock SIAK's first families by No. KK are Kab. Bandung's, 3204).
        assert family.province_code + family.regency_code == DEMO_REGENCY
        assert family.no_kk.startswith(DEMO_REGENCY)
    refused = httpx.get(f"{mock_siak.url}/_admin/sample", params={"n": 1, "region": "35AB"}, timeout=10)
    assert refused.status_code == 400


def test_every_demo_family_is_of_the_signers_regency() -> None:
    """The demo signs with the Lumajang Kepala Dinas (the only one the test PKI has): Lumajang families only."""
    assert DEMO_REGENCY == "3508"
    assert all(plan.region_code is None or plan.region_code.startswith(DEMO_REGENCY) for plan in PLANS)
    for plan in PLANS:
        if plan.region_code is not None:
            family = new_family(plan.region_code, random.Random(1), date(2025, 6, 1))
            assert family.province_code + family.regency_code == DEMO_REGENCY


class BandungFamilies(FakeFamilies):
    async def existing(self, count: int) -> list[KartuKeluarga]:
        families = await super().existing(count)
        return [kk.model_copy(update={"province_code": "32", "regency_code": "04"}) for kk in families]


def test_a_family_of_another_regency_stops_the_demo_before_anything_is_created(tmp_path: Path) -> None:
    gateway = FakeGateway()
    with pytest.raises(DemoUnavailableError, match=r"wilayah 3204.*WILAYAH_DI_LUAR_KEWENANGAN"):
        _run(gateway, tmp_path / "out", families=BandungFamilies())
    assert gateway.creates == []
    assert not (tmp_path / "out").exists()


def test_siak_families_unreachable_is_a_clear_error() -> None:
    async def go() -> None:
        async with httpx.AsyncClient(timeout=5) as http:
            await SiakFamilies("http://127.0.0.1:9", http, username="u", password="p").existing(1)

    with pytest.raises(DemoUnavailableError, match=r"Mock SIAK di http://127\.0\.0\.1:9"):
        anyio.run(go)
