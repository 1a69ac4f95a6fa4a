"""The operations of mock SIAK, on parsed values, inside one transaction each.

Request state machine (NO_PERMOHONAN)::

    DRAFT --AjukanSertifikasi--> DIAJUKAN --SimpanVerifikasi SETUJU--> DIVERIFIKASI
                                          --SimpanVerifikasi TOLAK---> DITOLAK (final; enter a new request)
    DIVERIFIKASI --UnggahKKTertandatangan--> TERSERTIFIKASI (on the print list)
    TERSERTIFIKASI --TandaiTercetak--> TERCETAK --TandaiTercetak CETAK_ULANG=true--> TERCETAK (count + 1)

Any other transition is STATUS_TIDAK_SESUAI. EntriDataKeluarga applies the family data at once (as
SIAK's data entry does) and keeps a snapshot in the request, from which the draft KK is drawn.
"""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Callable
from datetime import date, datetime
from hashlib import sha256
from typing import Any

from mock_siak import errors as e
from mock_siak.cases import CASES
from mock_siak.config import WIB, DraftRenderer, SiakMockConfig
from mock_siak.errors import Masalah, SiakError, invalid
from mock_siak.records import (
    FAMILY_ORDER,
    KEPALA_KELUARGA,
    area_code,
    canonical_hash_input,
    family_from_json,
    head_of,
    normalize_family,
    to_json,
)
from mock_siak.rules import family_problems
from mock_siak.store import Store, Tx

log = logging.getLogger("mock_siak")

CEK_ELEMENTS = (
    "NO_KK",
    "NAMA_LGKP",
    "JENIS_KLMIN",
    "TMPT_LHR",
    "TGL_LHR",
    "NAMA_LGKP_IBU",
    "NAMA_LGKP_AYAH",
)


def _same_text(a: Any, b: Any) -> bool:
    return " ".join(str(a).split()).casefold() == " ".join(str(b).split()).casefold()


def _wire_family(family: dict[str, Any]) -> dict[str, Any]:
    return {k: family.get(k) for k in FAMILY_ORDER}


def signature_count(pdf: bytes) -> int:
    """How many signatures a PDF carries (pyHanko's reader); raises ValueError when it is no readable PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not pdf.startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return len(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises many kinds on broken input
        raise ValueError("unreadable PDF") from exc


def mentions_no_kk(pdf: bytes, no_kk: str) -> bool:
    """Whether the PDF's text carries this KK's number: a signed KK uploaded for the wrong request is refused."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return any(no_kk in (page.extract_text() or "") for page in reader.pages)


class SiakService:
    def __init__(self, store: Store, config: SiakMockConfig, renderer: DraftRenderer) -> None:
        self.store = store
        self.config = config
        self.render = renderer
        self.clock: Callable[[], datetime] = config.clock
        self._ops: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
            "CariPenduduk": self.cari_penduduk,
            "CekDataPenduduk": self.cek_data_penduduk,
            "CariKeluarga": self.cari_keluarga,
            "EntriDataKeluarga": self.entri_data_keluarga,
            "AmbilDraftKK": self.ambil_draft_kk,
            "AjukanSertifikasi": self.ajukan_sertifikasi,
            "SimpanVerifikasi": self.simpan_verifikasi,
            "UnggahKKTertandatangan": self.unggah_kk_tertandatangan,
            "DaftarCetakKK": self.daftar_cetak_kk,
            "TandaiTercetak": self.tandai_tercetak,
        }

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(self._ops)

    def handle(self, operation: str, values: dict[str, Any], client: str) -> dict[str, Any]:
        """Run one operation; its answer's values in XSD order (the element is ``<operation>Response``)."""
        return self._ops[operation](values, client)

    def now(self) -> datetime:
        return self.clock().astimezone(WIB)

    # -- look-ups
    # -----------------------------------------------------------------------------------

    def cari_penduduk(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        with self.store.tx() as tx:
            found = tx.person(values["NIK"])
        if found is None:
            raise SiakError(e.NIK_TIDAK_DITEMUKAN, "NIK tidak ditemukan dalam database kependudukan.")
        no_kk, member = found
        return {"NO_KK": no_kk, "PENDUDUK": member}

    def cek_data_penduduk(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        asked = [k for k in CEK_ELEMENTS if k in values]
        if not asked:
            raise invalid(
                [Masalah("Isi minimal satu elemen data selain NIK untuk dicek.", None)],
                "Tidak ada data yang dicek.",
            )
        with self.store.tx() as tx:
            found = tx.person(values["NIK"])
        if found is None:
            raise SiakError(e.NIK_TIDAK_DITEMUKAN, "NIK tidak ditemukan dalam database kependudukan.")
        no_kk, member = found
        recorded = {**member, "NO_KK": no_kk}
        wrong = [k for k in asked if not _same_text(values[k], recorded.get(k) or "")]
        return {
            "NIK": values["NIK"],
            "HASIL": "TIDAK SESUAI" if wrong else "SESUAI",
            "ELEMEN_TIDAK_SESUAI": wrong,
        }

    def cari_keluarga(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        with self.store.tx() as tx:
            family = tx.family(values["NO_KK"])
        if family is None:
            raise SiakError(e.NO_KK_TIDAK_DITEMUKAN, "Nomor KK tidak ditemukan.")
        return {"KELUARGA": _wire_family(family)}

    # -- data entry
    # ---------------------------------------------------------------------------------

    def entri_data_keluarga(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        crid = values["CLIENT_REQUEST_ID"]
        content = {k: v for k, v in values.items() if k != "CLIENT_REQUEST_ID"}
        request_hash = sha256(canonical_hash_input(content).encode()).hexdigest()
        with self.store.tx() as tx:
            earlier = tx.request_by_client_id(client, crid)
            if earlier is not None:
                if earlier["request_hash"] != request_hash:
                    raise SiakError(
                        e.DUPLIKAT,
                        "CLIENT_REQUEST_ID sudah dipakai untuk permohonan dengan data yang berbeda.",
                        [
                            Masalah(
                                "Gunakan CLIENT_REQUEST_ID baru untuk data baru.",
                                "CLIENT_REQUEST_ID",
                            )
                        ],
                    )
                return {
                    "NO_PERMOHONAN": earlier["no_permohonan"],
                    "NO_KK": earlier["no_kk"],
                    "STATUS": earlier["status"],
                }
            return self._enter(tx, values, client, request_hash)

    def _enter(self, tx: Tx, values: dict[str, Any], client: str, request_hash: str) -> dict[str, Any]:
        jenis = values["JENIS_PERMOHONAN"]
        rule = CASES[jenis]
        no_kk: str | None = values.get("NO_KK")
        data = values.get("DATA_KELUARGA")
        problems: list[Masalah] = []
        for name, need, present in (
            ("NO_KK", rule.no_kk, no_kk),
            ("DATA_KELUARGA", rule.data, data),
        ):
            if need == "required" and present is None:
                problems.append(Masalah(f"{name} wajib diisi untuk {jenis}.", name))
            if need == "forbidden" and present is not None:
                reason = " (KK hilang diterbitkan ulang tanpa entri data)" if jenis == "HILANG" else ""
                problems.append(Masalah(f"{name} tidak boleh diisi untuk {jenis}{reason}.", name))
        if problems:
            raise invalid(problems)
        existing = tx.family(no_kk) if no_kk else None
        if no_kk and existing is None:
            raise SiakError(e.NO_KK_TIDAK_DITEMUKAN, "Nomor KK yang dirujuk tidak ditemukan.")
        now = self.now()
        today = now.date()
        if data is None:  # HILANG: the same family, reissued
            assert existing is not None
            family = existing
        else:
            family = normalize_family({**data, "NO_KK": no_kk})
            problems = family_problems(family, today)
            if problems:
                raise invalid(problems)
            self._move_members(tx, family, existing, rule.moves, jenis)
            if family["NO_KK"] is None:
                family["NO_KK"] = tx.next_no_kk(area_code(family), today)
            family["TGL_KELUAR"] = existing["TGL_KELUAR"] if existing else None
            tx.put_family(family)
        no_permohonan = tx.next_no_permohonan(today)
        snapshot = {**family, "TGL_KELUAR": None}
        head = head_of(family["ANGGOTA"])
        assert head is not None
        tx.add_request(
            {
                "no_permohonan": no_permohonan,
                "client": client,
                "client_request_id": values["CLIENT_REQUEST_ID"],
                "request_hash": request_hash,
                "jenis": jenis,
                "no_kk": family["NO_KK"],
                "status": "DRAFT",
                "keluarga": to_json(snapshot),
                "tgl_entri": today.isoformat(),
                "petugas_entri": values.get("PETUGAS"),
                "no_prop": family["NO_PROP"],
                "no_kab": family["NO_KAB"],
                "no_kec": family["NO_KEC"],
                "no_kel": family["NO_KEL"],
                "nama_kep": head["NAMA_LGKP"],
            }
        )
        log.info("request %s entered (%s)", no_permohonan, jenis)
        return {"NO_PERMOHONAN": no_permohonan, "NO_KK": family["NO_KK"], "STATUS": "DRAFT"}

    def _move_members(
        self,
        tx: Tx,
        family: dict[str, Any],
        existing: dict[str, Any] | None,
        moves: bool,
        jenis: str,
    ) -> None:
        """Take members that come from other families out of them, or refuse them as DUPLIKAT."""
        own = family["NO_KK"]
        elsewhere = {nik: kk for nik, kk in tx.families_of(m["NIK"] for m in family["ANGGOTA"]).items() if kk != own}
        if not elsewhere:
            return
        positions = {m["NIK"]: i for i, m in enumerate(family["ANGGOTA"], start=1)}
        if not moves:
            raise SiakError(
                e.DUPLIKAT,
                f"NIK sudah terdaftar pada KK lain; {jenis} tidak memindahkan anggota.",
                [
                    Masalah(f"Anggota ke-{positions[nik]}: NIK sudah terdaftar pada KK lain.", "NIK")
                    for nik in elsewhere
                ],
            )
        for old_kk in sorted(set(elsewhere.values())):
            leaving = [nik for nik, kk in elsewhere.items() if kk == old_kk]
            old = tx.family(old_kk)
            assert old is not None
            stays = [m for m in old["ANGGOTA"] if m["NIK"] not in leaving]
            head_leaves = any(m["STAT_HBKEL"] == KEPALA_KELUARGA for m in old["ANGGOTA"] if m["NIK"] in leaving)
            if head_leaves and stays:
                raise invalid(
                    [
                        Masalah(
                            "Kepala Keluarga pada KK asal tidak dapat pindah selama KK asal masih "
                            "memiliki anggota lain; ajukan perubahan KK asal terlebih dahulu.",
                            "STAT_HBKEL",
                        )
                    ]
                )
            tx.remove_members(old_kk, leaving)

    # -- the draft and the signing flow
    # -------------------------------------------------------------

    def _request(self, tx: Tx, no_permohonan: str) -> dict[str, Any]:
        request = tx.request(no_permohonan)
        if request is None:
            raise SiakError(e.PERMOHONAN_TIDAK_DITEMUKAN, "Nomor permohonan tidak ditemukan.")
        return request

    @staticmethod
    def _expect(request: dict[str, Any], *states: str) -> None:
        if request["status"] not in states:
            raise SiakError(
                e.STATUS_TIDAK_SESUAI,
                f"Permohonan berstatus {request['status']}; tindakan ini memerlukan status {' atau '.join(states)}.",
            )

    def ambil_draft_kk(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        with self.store.tx() as tx:
            request = self._request(tx, values["NO_PERMOHONAN"])
            signed = tx.signed_pdf(request["no_permohonan"])
        family = family_from_json(request["keluarga"])
        entered = date.fromisoformat(request["tgl_entri"])
        draft = self.render(
            family,
            no_permohonan=request["no_permohonan"],
            issued_on=entered,
            kepala_dinas_name=self.config.kepala_dinas_name,
            kepala_dinas_nip=self.config.kepala_dinas_nip,
            kab_name=_kab_title(family["KAB_NAME"]),
            draft=request["status"] in UNVERIFIED_STATES,
        )
        return {
            "NO_PERMOHONAN": request["no_permohonan"],
            "JENIS_PERMOHONAN": request["jenis"],
            "STATUS": request["status"],
            "TGL_ENTRI": entered,
            "KELUARGA": _wire_family(family),
            "DRAFT_KK": draft,
            "KK_TERTANDATANGAN": signed,
        }

    def _status(self, no_permohonan: str, status: str) -> dict[str, Any]:
        return {"NO_PERMOHONAN": no_permohonan, "STATUS": status}

    def ajukan_sertifikasi(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        with self.store.tx() as tx:
            request = self._request(tx, values["NO_PERMOHONAN"])
            self._expect(request, "DRAFT")
            tx.update_request(
                request["no_permohonan"],
                "DRAFT",
                status="DIAJUKAN",
                diajukan_oleh=values.get("PETUGAS") or client,
                diajukan_pada=self.now().isoformat(),
            )
        return self._status(request["no_permohonan"], "DIAJUKAN")

    def simpan_verifikasi(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        keputusan = values["KEPUTUSAN"]
        if keputusan == "TOLAK" and not values.get("ALASAN"):
            raise invalid([Masalah("ALASAN wajib diisi bila KEPUTUSAN TOLAK.", "ALASAN")])
        status = "DIVERIFIKASI" if keputusan == "SETUJU" else "DITOLAK"
        with self.store.tx() as tx:
            request = self._request(tx, values["NO_PERMOHONAN"])
            self._expect(request, "DIAJUKAN")
            tx.update_request(
                request["no_permohonan"],
                "DIAJUKAN",
                status=status,
                keputusan=keputusan,
                alasan=values.get("ALASAN"),
                verifikator=values["ID_VERIFIKATOR"],
                diverifikasi_pada=self.now().isoformat(),
            )
        return self._status(request["no_permohonan"], status)

    def unggah_kk_tertandatangan(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        pdf: bytes = values["KK_TERTANDATANGAN"]
        with self.store.tx() as tx:
            request = self._request(tx, values["NO_PERMOHONAN"])
            self._expect(request, "DIVERIFIKASI")
            try:
                signatures = signature_count(pdf)
            except ValueError as exc:
                raise invalid([Masalah("Berkas bukan PDF yang dapat dibaca.", "KK_TERTANDATANGAN")]) from exc
            if signatures < 1:
                raise invalid([Masalah("PDF tidak memuat tanda tangan elektronik.", "KK_TERTANDATANGAN")])
            if not mentions_no_kk(pdf, request["no_kk"]):
                raise invalid([Masalah("KK yang diunggah bukan KK untuk permohonan ini.", "KK_TERTANDATANGAN")])
            now = self.now().replace(microsecond=0)
            tx.save_signed_pdf(request["no_permohonan"], pdf)
            tx.update_request(
                request["no_permohonan"],
                "DIVERIFIKASI",
                status="TERSERTIFIKASI",
                tgl_sertifikasi=now.isoformat(),
                tgl_sertifikasi_hari=now.date().isoformat(),
            )
            tx.set_issue_date(request["no_kk"], now.date())
        return {
            "NO_PERMOHONAN": request["no_permohonan"],
            "STATUS": "TERSERTIFIKASI",
            "TGL_SERTIFIKASI": now,
        }

    def daftar_cetak_kk(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        problems: list[Masalah] = []
        start, end = values.get("TGL_MULAI"), values.get("TGL_SELESAI")
        if start and end and start > end:
            problems.append(Masalah("TGL_MULAI tidak boleh sesudah TGL_SELESAI.", "TGL_MULAI"))
        region = ("NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL")
        for parent, child in itertools.pairwise(region):
            if values.get(child) and not values.get(parent):
                problems.append(Masalah(f"{child} memerlukan {parent} (awalan wilayah).", child))
        if problems:
            raise invalid(problems)
        with self.store.tx() as tx:
            rows = tx.print_list(values)
        entries = [
            {
                "NO_PERMOHONAN": r["no_permohonan"],
                "NO_KK": r["no_kk"],
                "NAMA_KEP": r["nama_kep"],
                "NO_PROP": r["no_prop"],
                "NO_KAB": r["no_kab"],
                "NO_KEC": r["no_kec"],
                "NO_KEL": r["no_kel"],
                "TGL_SERTIFIKASI": datetime.fromisoformat(r["tgl_sertifikasi"]),
                "STATUS_CETAK": "SUDAH_DICETAK" if r["status"] == "TERCETAK" else "BELUM_DICETAK",
                "JUMLAH_CETAK": r["jumlah_cetak"],
            }
            for r in rows
        ]
        return {"JUMLAH": len(entries), "ENTRI": entries}

    def tandai_tercetak(self, values: dict[str, Any], client: str) -> dict[str, Any]:
        reprint = bool(values.get("CETAK_ULANG"))
        with self.store.tx() as tx:
            request = self._request(tx, values["NO_PERMOHONAN"])
            if request["status"] == "TERCETAK" and not reprint:
                raise SiakError(
                    e.STATUS_TIDAK_SESUAI,
                    "KK sudah dicetak; cetak ulang harus ditandai CETAK_ULANG=true.",
                )
            self._expect(request, "TERSERTIFIKASI", "TERCETAK")
            count = request["jumlah_cetak"] + 1
            tx.update_request(
                request["no_permohonan"],
                request["status"],
                status="TERCETAK",
                jumlah_cetak=count,
                dicetak_oleh=values.get("PETUGAS") or client,
                tercetak_pada=self.now().isoformat(),
            )
        return {
            "NO_PERMOHONAN": request["no_permohonan"],
            "STATUS": "TERCETAK",
            "JUMLAH_CETAK": count,
        }


# Before the verifier approves, SIAK's KK is a draft and says so; from approval on, it is the KK to be signed.
UNVERIFIED_STATES = frozenset({"DRAFT", "DIAJUKAN", "DITOLAK"})


def _kab_title(kab_name: str) -> str:
    """SIAK stores ``LUMAJANG`` for a kabupaten and ``KOTA MALANG`` for a kota; the KK prints the full title."""
    return kab_name if kab_name.startswith("KOTA ") else f"KABUPATEN {kab_name}"
