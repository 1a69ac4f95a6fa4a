"""State in SQLite: survives a restart, is generated only once, and is never half-written."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from siak_helpers import client_for, new_couple, new_request_id, running, small_config, stats

from mock_siak.app import open_store
from mock_siak.config import WIB
from mock_siak.store import Store, Tx


def test_state_survives_a_restart(tmp_path: Path) -> None:
    calls: list[int] = []

    def counting_population(seed: int, families: int) -> Any:
        from mock_siak.population import generate_population

        calls.append(families)
        return generate_population(seed, families)

    config = small_config(tmp_path, population=counting_population)
    data = new_couple()
    with running(config) as first, client_for(first) as client:
        answer = client.service.EntriDataKeluarga(
            CLIENT_REQUEST_ID="tetap-1", JENIS_PERMOHONAN="KK_BARU_MENIKAH", DATA_KELUARGA=data
        )
        client.service.AjukanSertifikasi(NO_PERMOHONAN=answer.NO_PERMOHONAN)
        counts = stats(first)
    with running(small_config(tmp_path, population=counting_population)) as second, client_for(second) as client:
        assert stats(second) == counts
        assert client.service.CariKeluarga(NO_KK=answer.NO_KK).NAMA_KEP == "SUAMI UJI"
        assert client.service.AmbilDraftKK(NO_PERMOHONAN=answer.NO_PERMOHONAN).STATUS == "DIAJUKAN"
        # the idempotency key survived too
        again = client.service.EntriDataKeluarga(
            CLIENT_REQUEST_ID="tetap-1", JENIS_PERMOHONAN="KK_BARU_MENIKAH", DATA_KELUARGA=data
        )
        assert (again.NO_PERMOHONAN, again.STATUS) == (answer.NO_PERMOHONAN, "DIAJUKAN")
    assert calls == [12]  # generated once, at the first start only


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = open_store(small_config(tmp_path))
    try:
        before = store.counts()
        no_kk = store.sample(1)[0]["NO_KK"]
        with store.tx() as tx:
            family = tx.family(no_kk)
        assert family is not None
        clash = {**family, "NO_KK": "3204152211260099"}  # same members, another KK: NIK primary key clash

        def half_written() -> None:
            with store.tx() as tx:
                _write_then_fail(tx, clash)

        with pytest.raises(sqlite3.IntegrityError):
            half_written()
        assert store.counts() == before
        with store.tx() as tx:
            assert tx.request("KK20261122999999") is None
            assert tx.family("3204152211260099") is None
    finally:
        store.close()


def _write_then_fail(tx: Tx, clash: dict[str, Any]) -> None:
    """Write a request row and a family header, then clash on the members' NIK primary keys."""
    tx.add_request(
        {
            "no_permohonan": "KK20261122999999",
            "client": "x",
            "client_request_id": "y",
            "request_hash": "z",
            "jenis": "RUSAK",
            "no_kk": clash["NO_KK"],
            "status": "DRAFT",
            "keluarga": "{}",
            "tgl_entri": "2026-11-22",
            "no_prop": "32",
            "no_kab": "04",
            "no_kec": "15",
            "no_kel": "2006",
            "nama_kep": "X",
        }
    )
    tx.put_family(clash)


def test_print_list_filters_by_certification_date(tmp_path: Path, sign_pdf: Callable[[bytes], bytes]) -> None:
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=WIB)]
    config = small_config(tmp_path, clock=lambda: now[0])
    numbers: dict[date, str] = {}
    with running(config) as service, client_for(service) as client:
        for day in (date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 9)):
            now[0] = datetime(day.year, day.month, day.day, 23, 30, tzinfo=WIB)  # late: UTC is the same day
            no = client.service.EntriDataKeluarga(
                CLIENT_REQUEST_ID=new_request_id(), JENIS_PERMOHONAN="KK_BARU_MENIKAH", DATA_KELUARGA=new_couple()
            ).NO_PERMOHONAN
            assert no.startswith(f"KK{day:%Y%m%d}")
            client.service.AjukanSertifikasi(NO_PERMOHONAN=no)
            client.service.SimpanVerifikasi(NO_PERMOHONAN=no, KEPUTUSAN="SETUJU", ID_VERIFIKATOR="k")
            draft = client.service.AmbilDraftKK(NO_PERMOHONAN=no).DRAFT_KK
            client.service.UnggahKKTertandatangan(NO_PERMOHONAN=no, KK_TERTANDATANGAN=sign_pdf(draft))
            numbers[day] = no

        def listed(**f: Any) -> list[str]:
            return [e.NO_PERMOHONAN for e in client.service.DaftarCetakKK(**f).ENTRI]

        assert listed() == list(numbers.values())
        assert listed(TGL_MULAI=date(2026, 3, 3)) == [numbers[date(2026, 3, 5)], numbers[date(2026, 3, 9)]]
        assert listed(TGL_SELESAI=date(2026, 3, 5)) == [numbers[date(2026, 3, 2)], numbers[date(2026, 3, 5)]]
        assert listed(TGL_MULAI=date(2026, 3, 5), TGL_SELESAI=date(2026, 3, 5)) == [numbers[date(2026, 3, 5)]]
        assert listed(TGL_MULAI=date(2026, 3, 10)) == []


def test_store_closes_cleanly(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.sqlite3")
    store.close()
    assert (tmp_path / "x.sqlite3").exists()
