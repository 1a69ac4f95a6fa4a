"""The five packaged service profiles are faithful to their seeds, and a Dinas's own profile is picked up."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from siakgate.domain import CaseType, case_profile, checklist
from siakgate.errors import WorkflowError
from siakgate.workflow.notifications import PLACEHOLDERS, Outcome, notices, render, template_problems
from siakgate.workflow.profiles import (
    PACKAGED_DIR,
    Channel,
    Delivery,
    Role,
    ServiceProfile,
    StepKind,
    load_profiles,
)

IDS = {
    "lumajang-bca": "000",
    "dinas-loket-antrian": "001",
    "loket-desa": "002",
    "bantul-wa-cetak-mandiri": "003",
    "kecamatan-sumbersuko": "004",
}


@pytest.fixture(scope="module")
def profiles() -> dict[str, ServiceProfile]:
    return load_profiles()


def _minutes_by_seed_step(profile: ServiceProfile) -> dict[str, float]:
    """The seed's step numbers -> the standard minutes of the steps implementing them (intake included)."""
    total: dict[str, float] = defaultdict(float)
    if profile.intake is not None and profile.intake.seed_step is not None:
        total[profile.intake.seed_step] += profile.intake.standard_minutes
    for step in profile.steps:
        if step.seed_step is not None:
            total[step.seed_step] += step.standard_minutes
    return dict(total)


def test_the_five_profiles_load_with_their_seeds(profiles: dict[str, ServiceProfile]) -> None:
    assert {pid: p.seed for pid, p in profiles.items()} == IDS


def test_seed_001_minutes_and_roles(profiles: dict[str, ServiceProfile]) -> None:
    p = profiles["dinas-loket-antrian"]
    assert _minutes_by_seed_step(p) == {"1": 5, "2": 5, "3": 5, "4": 5, "5": 5, "6": 3, "7": 2}
    assert [(s.kind, s.role) for s in p.steps if s.seed_step] == [
        (StepKind.CHECK, Role.PETUGAS_FO),
        (StepKind.SIAK_LOOKUP, Role.PETUGAS_LOKET),
        (StepKind.SIAK_ENTRY, Role.OPERATOR_SIAK),
        (StepKind.REQUEST_CERTIFICATION, Role.OPERATOR_SIAK),
        (StepKind.VERIFY, Role.KASI),
        (StepKind.SIGN, Role.KEPALA_DINAS),
        (StepKind.PRINT, Role.PETUGAS_CETAK),
        (StepKind.DELIVER, Role.PETUGAS_LOKET),
    ]
    assert p.channel is Channel.COUNTER
    assert p.queue_numbers
    assert not p.batch_collection
    assert p.delivery is Delivery.COLLECT_AT_COUNTER
    assert p.step("cek-data-siak").seed_step == "3"


def test_seed_003_minutes_and_roles(profiles: dict[str, ServiceProfile]) -> None:
    p = profiles["bantul-wa-cetak-mandiri"]
    by_step = _minutes_by_seed_step(p)
    assert by_step == {"1": 3, "2": 1, "3": 5, "4": 1, "5-6": 2, "7": 1, "8-9": 1, "10": 1}
    # the seed's ten numbers, 3,1,5,1,1,1,1,1,0,1, add up the same way
    assert sum(by_step.values()) == sum([3, 1, 5, 1, 1, 1, 1, 1, 0, 1])
    assert [s.kind for s in p.steps][-3:] == [StepKind.SIGN, StepKind.DELIVER, StepKind.ARCHIVE]
    assert p.step("arsip").role is Role.PETUGAS_CETAK
    assert p.step("verifikasi").role is Role.KASI
    assert p.delivery is Delivery.SELF_PRINT_PDF
    assert p.channel is Channel.WHATSAPP
    assert not any(s.kind is StepKind.PRINT for s in p.steps)  # the applicant prints


def test_seed_004_minutes_roles_and_batch(profiles: dict[str, ServiceProfile]) -> None:
    p = profiles["kecamatan-sumbersuko"]
    assert _minutes_by_seed_step(p) == {"1": 30, "2": 30, "3": 15, "4": 15, "5-6": 30}
    assert p.batch_collection
    assert p.channel is Channel.KECAMATAN
    roles = {s.seed_step: s.role for s in p.steps if s.seed_step}
    assert roles == {
        "1": Role.PETUGAS_FO,
        "2": Role.PETUGAS_BO,
        "3": Role.KASI_YANMUM,
        "4": Role.PETUGAS_BO,
        "5-6": Role.SEKCAM,
    }
    kinds = [s.kind for s in p.steps]
    assert kinds.index(StepKind.COVER_LETTER) < kinds.index(StepKind.SIGN)


def test_seeds_000_and_002_service_days_and_delivery(profiles: dict[str, ServiceProfile]) -> None:
    assert profiles["lumajang-bca"].service_days == 1
    assert profiles["lumajang-bca"].delivery is Delivery.COLLECT_EXCHANGE_ORIGINALS
    assert profiles["loket-desa"].service_days == 2
    assert profiles["loket-desa"].delivery is Delivery.PRINT_AT_VILLAGE
    assert profiles["loket-desa"].case_types == (CaseType.HILANG,)
    kinds = [s.kind for s in profiles["lumajang-bca"].steps]
    assert kinds.index(StepKind.SIAK_DRAFT) < kinds.index(StepKind.APPLICANT_CONFIRM) < kinds.index(StepKind.PRINT)


@pytest.mark.parametrize("profile_id", sorted(IDS))
def test_every_profile_signs_by_the_kepala_dinas_before_print_and_delivery(
    profiles: dict[str, ServiceProfile], profile_id: str
) -> None:
    steps = profiles[profile_id].steps
    signs = [i for i, s in enumerate(steps) if s.kind is StepKind.SIGN]
    assert len(signs) == 1
    assert steps[signs[0]].role is Role.KEPALA_DINAS
    later = {s.kind for s in steps[signs[0] + 1 :]}
    assert StepKind.DELIVER in later
    assert not {StepKind.VERIFY, StepKind.CHECK, StepKind.SIAK_ENTRY} & later
    assert all(s.kind not in {StepKind.PRINT, StepKind.DELIVER} for s in steps[: signs[0]])


@pytest.mark.parametrize(("profile_id", "seed"), sorted(IDS.items()))
def test_requirements_are_the_seed_checklists_mandatory_items(
    profiles: dict[str, ServiceProfile], profile_id: str, seed: str
) -> None:
    profile = profiles[profile_id]
    source = "000" if seed == "004" else seed  # 004 lists no requirements: the Lumajang checklist
    for case_type in profile.case_types:
        expected = {item.code for item in checklist(case_type, seed=source) if item.mandatory}
        assert set(profile.requirements[case_type]) == expected, case_type


@pytest.mark.parametrize(
    ("profile_id", "case_type", "has_entry"),
    [
        ("lumajang-bca", CaseType.HILANG, False),
        ("lumajang-bca", CaseType.KK_BARU_MENIKAH, True),
        ("loket-desa", CaseType.HILANG, False),
        ("bantul-wa-cetak-mandiri", CaseType.HILANG, False),
        ("bantul-wa-cetak-mandiri", CaseType.RUSAK, False),
        ("bantul-wa-cetak-mandiri", CaseType.PERUBAHAN_DATA, True),
        ("kecamatan-sumbersuko", CaseType.HILANG, False),
    ],
)
def test_steps_for_drops_data_entry_when_the_case_has_none(
    profiles: dict[str, ServiceProfile], profile_id: str, case_type: CaseType, has_entry: bool
) -> None:
    profile = profiles[profile_id]
    steps = profile.steps_for(case_type)
    assert any(s.kind is StepKind.SIAK_ENTRY for s in steps) is has_entry
    assert len(steps) == len(profile.steps) - (0 if has_entry else 1)
    assert case_profile(case_type).needs_data_entry is has_entry


def test_steps_for_refuses_a_case_type_the_service_does_not_handle(profiles: dict[str, ServiceProfile]) -> None:
    with pytest.raises(WorkflowError) as info:
        profiles["loket-desa"].steps_for(CaseType.KK_BARU_MENIKAH)
    assert info.value.code == "JENIS_PERMOHONAN_TIDAK_DILAYANI"
    assert "KK_BARU_MENIKAH" in info.value.message


def test_missing_requirements_accepts_the_police_report_for_the_old_kk(profiles: dict[str, ServiceProfile]) -> None:
    profile = profiles["lumajang-bca"]
    assert profile.missing_requirements(CaseType.KK_BARU_MENIKAH, ["SURAT_PENGANTAR_DESA"]) == (
        "BUKU_NIKAH",
        "KK_LAMA_ASLI",
    )
    given = ["SURAT_PENGANTAR_DESA", "BUKU_NIKAH", "SURAT_KEHILANGAN_POLISI"]
    assert profile.missing_requirements(CaseType.KK_BARU_MENIKAH, given) == ()


@pytest.mark.parametrize("profile_id", sorted(IDS))
def test_templates_use_known_placeholders_only(profiles: dict[str, ServiceProfile], profile_id: str) -> None:
    for text in profiles[profile_id].notifications.values():
        assert template_problems(text) == []
        filled = render(text, dict.fromkeys(PLACEHOLDERS, "X"))
        assert "{" not in filled


def test_notices_per_outcome_and_case(profiles: dict[str, ServiceProfile]) -> None:
    bantul = profiles["bantul-wa-cetak-mandiri"]
    send = bantul.step("kirim-pdf")
    assert notices(send, Outcome.FORWARD, CaseType.PERUBAHAN_DATA) == (
        "pdf_kk_dikirim",
        "kembalikan_kk_lama",
        "pembaruan_ktp",
    )
    assert notices(send, Outcome.FORWARD, CaseType.HILANG) == ("pdf_kk_dikirim",)  # no old card to return
    assert notices(send, Outcome.FORWARD, CaseType.RUSAK) == ("pdf_kk_dikirim", "kembalikan_kk_lama")
    assert notices(bantul.step("buka-permohonan"), Outcome.BACK, CaseType.HILANG) == ("berkas_belum_lengkap",)
    assert "HVS A4 80 gram" in bantul.notifications["pdf_kk_dikirim"]
    desa = profiles["loket-desa"].step("validasi-kasi")
    assert notices(desa, Outcome.FORWARD, CaseType.HILANG) == ("berkas_diterima",)
    assert notices(desa, Outcome.BACK, CaseType.HILANG) == ("berkas_belum_lengkap",)
    assert "PT Pos" in profiles["loket-desa"].notifications["berkas_diterima"]
    bca = profiles["lumajang-bca"]
    assert notices(bca.step("draft-kk"), Outcome.FORWARD, CaseType.HILANG) == ("draft_dikirim",)
    assert notices(bca.step("cetak-kk"), Outcome.FORWARD, CaseType.HILANG) == ("siap_diambil",)
    values = {"nomor_permohonan": "A-1", "kekurangan": "Buku Nikah", "layanan": bca.name}
    text = render(bca.notifications["berkas_belum_lengkap"], values)
    assert "A-1" in text
    assert "Buku Nikah" in text
    assert "BCA" in text


def test_render_names_a_missing_value() -> None:
    with pytest.raises(KeyError, match="kekurangan"):
        render("Lengkapi: {kekurangan}", {"nomor_permohonan": "1"})


def _write(directory: Path, data: dict[str, object]) -> Path:
    path = directory / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_dinas_profile_is_picked_up_from_its_directory(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKAGED_DIR / "loket-desa.yaml").read_text(encoding="utf-8"))
    data.update(id="loket-kelurahan-kota", name="Loket Kelurahan Kota", seed=None, delivery="SELF_PRINT_PDF")
    _write(tmp_path, data)
    profiles = load_profiles(tmp_path)
    assert set(profiles) == set(IDS) | {"loket-kelurahan-kota"}
    assert profiles["loket-kelurahan-kota"].delivery is Delivery.SELF_PRINT_PDF
    assert profiles["loket-desa"].delivery is Delivery.PRINT_AT_VILLAGE  # the packaged one is untouched


def test_a_dinas_file_with_a_packaged_id_adjusts_that_profile(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKAGED_DIR / "loket-desa.yaml").read_text(encoding="utf-8"))
    data["service_days"] = 3
    _write(tmp_path, data)
    assert load_profiles(tmp_path)["loket-desa"].service_days == 3
    assert load_profiles()["loket-desa"].service_days == 2


def test_packaged_files_are_named_after_their_ids() -> None:
    assert sorted(p.stem for p in PACKAGED_DIR.glob("*.yaml")) == sorted(IDS)
