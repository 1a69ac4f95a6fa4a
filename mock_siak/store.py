"""Mock SIAK's state in SQLite: the population, the requests (with their idempotency keys), signed
KKs.

One connection, serialised by a lock; every operation runs in one ``BEGIN IMMEDIATE`` transaction
through :meth:`Store.tx`, so an operation that fails half-way leaves nothing behind. The population
is generated once, at the first start, and then kept: a restart on the same ``state_dir`` finds
every family and request again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mock_siak.records import (
    family_from_json,
    head_of,
    member_from_json,
    normalize_family,
    to_json,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keluarga (
    no_kk TEXT PRIMARY KEY,
    header TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS penduduk (
    nik TEXT PRIMARY KEY,
    no_kk TEXT NOT NULL REFERENCES keluarga(no_kk),
    urut INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS penduduk_no_kk ON penduduk(no_kk);
CREATE TABLE IF NOT EXISTS permohonan (
    no_permohonan TEXT PRIMARY KEY,
    client TEXT NOT NULL,
    client_request_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    jenis TEXT NOT NULL,
    no_kk TEXT NOT NULL,
    status TEXT NOT NULL,
    keluarga TEXT NOT NULL,
    tgl_entri TEXT NOT NULL,
    petugas_entri TEXT,
    diajukan_oleh TEXT,
    diajukan_pada TEXT,
    keputusan TEXT,
    alasan TEXT,
    verifikator TEXT,
    diverifikasi_pada TEXT,
    tgl_sertifikasi TEXT,
    tgl_sertifikasi_hari TEXT,
    jumlah_cetak INTEGER NOT NULL DEFAULT 0,
    dicetak_oleh TEXT,
    tercetak_pada TEXT,
    no_prop TEXT NOT NULL,
    no_kab TEXT NOT NULL,
    no_kec TEXT NOT NULL,
    no_kel TEXT NOT NULL,
    nama_kep TEXT NOT NULL,
    UNIQUE (client, client_request_id)
);
CREATE INDEX IF NOT EXISTS permohonan_cetak ON permohonan(status, tgl_sertifikasi_hari);
CREATE TABLE IF NOT EXISTS kk_tte (
    no_permohonan TEXT PRIMARY KEY REFERENCES permohonan(no_permohonan),
    pdf BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS urutan (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

HEADER_KEYS_EXCLUDED = ("ANGGOTA",)


class Tx:
    """The queries and changes of one transaction (obtained from :meth:`Store.tx`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- population
    # ---------------------------------------------------------------------------------

    def family(self, no_kk: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT header FROM keluarga WHERE no_kk = ?", (no_kk,)).fetchone()
        if row is None:
            return None
        header = family_from_json(row[0])
        rows = self.conn.execute("SELECT data FROM penduduk WHERE no_kk = ? ORDER BY urut", (no_kk,)).fetchall()
        header["ANGGOTA"] = [member_from_json(r[0]) for r in rows]
        return header

    def person(self, nik: str) -> tuple[str, dict[str, Any]] | None:
        row = self.conn.execute("SELECT no_kk, data FROM penduduk WHERE nik = ?", (nik,)).fetchone()
        return None if row is None else (row[0], member_from_json(row[1]))

    def families_of(self, niks: Iterable[str]) -> dict[str, str]:
        """NIK -> NO_KK for those of ``niks`` that belong to a family."""
        found: dict[str, str] = {}
        for nik in niks:
            row = self.conn.execute("SELECT no_kk FROM penduduk WHERE nik = ?", (nik,)).fetchone()
            if row is not None:
                found[nik] = row[0]
        return found

    def put_family(self, family: dict[str, Any]) -> None:
        """Insert or replace a family and its members (members no longer listed are removed)."""
        family = normalize_family(family)
        header = {k: v for k, v in family.items() if k not in HEADER_KEYS_EXCLUDED}
        no_kk = family["NO_KK"]
        self.conn.execute(
            "INSERT INTO keluarga (no_kk, header) VALUES (?, ?) "
            "ON CONFLICT(no_kk) DO UPDATE SET header = excluded.header",
            (no_kk, to_json(header)),
        )
        self.conn.execute("DELETE FROM penduduk WHERE no_kk = ?", (no_kk,))
        self.conn.executemany(
            "INSERT INTO penduduk (nik, no_kk, urut, data) VALUES (?, ?, ?, ?)",
            [(m["NIK"], no_kk, i, to_json(m)) for i, m in enumerate(family["ANGGOTA"])],
        )

    def remove_members(self, no_kk: str, niks: Iterable[str]) -> None:
        """Take members out of a family (they move elsewhere); a family left empty is removed."""
        for nik in niks:
            self.conn.execute("DELETE FROM penduduk WHERE nik = ? AND no_kk = ?", (nik, no_kk))
        family = self.family(no_kk)
        if family is not None and not family["ANGGOTA"]:
            self.conn.execute("DELETE FROM keluarga WHERE no_kk = ?", (no_kk,))
        elif family is not None:
            head = head_of(family["ANGGOTA"])
            family["NAMA_KEP"] = head["NAMA_LGKP"] if head else family["NAMA_KEP"]
            self.put_family(family)

    def set_issue_date(self, no_kk: str, issued: date) -> None:
        family = self.family(no_kk)
        if family is not None:
            family["TGL_KELUAR"] = issued
            self.put_family(family)

    def next_no_kk(self, area: str, entry_date: date) -> str:
        prefix = f"{area}{entry_date:%d%m%y}"
        row = self.conn.execute("SELECT MAX(no_kk) FROM keluarga WHERE no_kk LIKE ?", (prefix + "%",)).fetchone()
        serial = int(row[0][-4:]) + 1 if row[0] else 1
        if serial > 9999:
            raise RuntimeError("NO_KK serials exhausted for this area and day")
        return f"{prefix}{serial:04d}"

    def next_no_permohonan(self, entry_date: date) -> str:
        self.conn.execute(
            "INSERT INTO urutan (name, value) VALUES ('permohonan', 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1"
        )
        (value,) = self.conn.execute("SELECT value FROM urutan WHERE name = 'permohonan'").fetchone()
        return f"KK{entry_date:%Y%m%d}{value:06d}"

    # -- requests
    # -----------------------------------------------------------------------------------

    def request(self, no_permohonan: str) -> dict[str, Any] | None:
        cur = self.conn.execute("SELECT * FROM permohonan WHERE no_permohonan = ?", (no_permohonan,))
        return _row(cur)

    def request_by_client_id(self, client: str, client_request_id: str) -> dict[str, Any] | None:
        cur = self.conn.execute(
            "SELECT * FROM permohonan WHERE client = ? AND client_request_id = ?",
            (client, client_request_id),
        )
        return _row(cur)

    def add_request(self, values: dict[str, Any]) -> None:
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.conn.execute(
            f"INSERT INTO permohonan ({names}) VALUES ({marks})",  # noqa: S608 - our own column names
            tuple(values.values()),
        )

    def update_request(self, no_permohonan: str, expected_status: str, **changes: Any) -> None:
        """Change a request that is still in ``expected_status`` (guards against a concurrent change)."""
        sets = ", ".join(f"{k} = ?" for k in changes)
        cur = self.conn.execute(
            f"UPDATE permohonan SET {sets} WHERE no_permohonan = ? AND status = ?",  # noqa: S608
            (*changes.values(), no_permohonan, expected_status),
        )
        if cur.rowcount != 1:
            raise RuntimeError(f"request changed concurrently (expected status {expected_status})")

    def save_signed_pdf(self, no_permohonan: str, pdf: bytes) -> None:
        self.conn.execute("INSERT INTO kk_tte (no_permohonan, pdf) VALUES (?, ?)", (no_permohonan, pdf))

    def signed_pdf(self, no_permohonan: str) -> bytes | None:
        row = self.conn.execute("SELECT pdf FROM kk_tte WHERE no_permohonan = ?", (no_permohonan,)).fetchone()
        return None if row is None else bytes(row[0])

    def print_list(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        where = ["status IN ('TERSERTIFIKASI', 'TERCETAK')"]
        args: list[Any] = []
        if filters.get("TGL_MULAI"):
            where.append("tgl_sertifikasi_hari >= ?")
            args.append(filters["TGL_MULAI"].isoformat())
        if filters.get("TGL_SELESAI"):
            where.append("tgl_sertifikasi_hari <= ?")
            args.append(filters["TGL_SELESAI"].isoformat())
        for key in ("NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL"):
            if filters.get(key):
                where.append(f"{key.lower()} = ?")
                args.append(filters[key])
        if filters.get("STATUS_CETAK"):
            where.append("status = ?")
            args.append("TERCETAK" if filters["STATUS_CETAK"] == "SUDAH_DICETAK" else "TERSERTIFIKASI")
        cur = self.conn.execute(
            f"SELECT * FROM permohonan WHERE {' AND '.join(where)} "  # noqa: S608 - fixed fragments
            "ORDER BY tgl_sertifikasi, no_permohonan",
            args,
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _row(cur: sqlite3.Cursor) -> dict[str, Any] | None:
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._lock = threading.RLock()
        with self._lock:
            self._conn.executescript(SCHEMA)

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back (entirely) when it raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- population
    # ---------------------------------------------------------------------------------

    def populated(self) -> dict[str, str] | None:
        with self.tx() as tx:
            rows = tx.conn.execute("SELECT key, value FROM meta").fetchall()
        meta = dict(rows)
        return meta if "populated_at" in meta else None

    def populate(self, families: Iterable[dict[str, Any]], *, seed: int, count: int) -> int:
        """Load the generated population in one transaction (all or nothing); returns the family count."""
        loaded = 0
        with self.tx() as tx:
            for family in families:
                tx.put_family(family)
                loaded += 1
            tx.conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [
                    ("seed", str(seed)),
                    ("families", str(count)),
                    ("populated_at", datetime.now().astimezone().isoformat()),
                ],
            )
        return loaded

    def counts(self) -> dict[str, int]:
        with self.tx() as tx:
            c = tx.conn
            return {
                "families": c.execute("SELECT COUNT(*) FROM keluarga").fetchone()[0],
                "residents": c.execute("SELECT COUNT(*) FROM penduduk").fetchone()[0],
                "requests": c.execute("SELECT COUNT(*) FROM permohonan").fetchone()[0],
                "signed": c.execute("SELECT COUNT(*) FROM kk_tte").fetchone()[0],
            }

    def sample(self, n: int, region: str = "") -> list[dict[str, Any]]:
        """A few families (NO_KK and the NIKs) for demos and tests, in a stable order; ``region`` (digits)
        keeps those whose No. KK starts with it (its area code: ``3508`` is Kab. Lumajang)."""
        with self.tx() as tx:
            rows = tx.conn.execute(
                "SELECT no_kk FROM keluarga WHERE no_kk LIKE ? ORDER BY no_kk LIMIT ?", (region + "%", n)
            ).fetchall()
            out = []
            for (no_kk,) in rows:
                niks = tx.conn.execute("SELECT nik FROM penduduk WHERE no_kk = ? ORDER BY urut", (no_kk,)).fetchall()
                out.append({"NO_KK": no_kk, "NIK": [r[0] for r in niks]})
            return out
