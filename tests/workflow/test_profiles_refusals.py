"""A profile that does not make sense is refused at load, with the file, the field and the problem named."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from siakgate.errors import ProfileError
from siakgate.workflow.profiles import PACKAGED_DIR, load_profile_file, load_profiles

Data = dict[str, Any]


def _base() -> Data:
    data: Data = yaml.safe_load((PACKAGED_DIR / "lumajang-bca.yaml").read_text(encoding="utf-8"))
    data["id"] = "uji-dinas"
    return data


def _step(data: Data, step_id: str) -> Data:
    return next(step for step in data["steps"] if step["id"] == step_id)


def _move(data: Data, step_id: str, to: int) -> None:
    steps = data["steps"]
    steps.insert(to, steps.pop(steps.index(_step(data, step_id))))


def _set(path: str, value: object) -> Callable[[Data], None]:
    def apply(data: Data) -> None:
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return apply


def _drop_sign(data: Data) -> None:
    data["steps"] = [s for s in data["steps"] if s["kind"] != "sign"]


def _verify_after_sign(data: Data) -> None:
    _move(data, "verifikasi", len(data["steps"]) - 1)


def _print_before_sign(data: Data) -> None:
    _move(data, "cetak-kk", 1)


def _draft_before_entry(data: Data) -> None:
    _move(data, "draft-kk", 0)


def _duplicate_step_id(data: Data) -> None:
    _step(data, "verifikasi")["id"] = "periksa-berkas"


def _cover_letter_without_batch(data: Data) -> None:
    data["steps"].insert(
        6, {"id": "pengantar", "name": "Pengantar", "kind": "cover_letter", "role": "SEKCAM", "standard_minutes": 5}
    )


CASES: list[tuple[str, Callable[[Data], None], list[str]]] = [
    ("unknown role", _set("steps.0.role", "KEPALA_DESA"), ["steps[0] 'periksa-berkas'.role", "'KEPALA_DESA'"]),
    ("unknown kind", _set("steps.1.kind", "entri"), ["steps[1] 'entri-data'.kind", "'entri'"]),
    ("unknown case type", _set("case_types.0", "KK_BARU"), ["case_types[0]", "'KK_BARU'"]),
    (
        "unknown requirement code",
        _set("requirements.HILANG", ["SURAT_KEHILANGAN_POLISI", "FOTO_RUMAH"]),
        ["requirements.HILANG[1]", "'FOTO_RUMAH'", "tidak dikenal"],
    ),
    ("duplicate step ids", _duplicate_step_id, ["'periksa-berkas'.id", "sudah dipakai"]),
    ("no SIGN step", _drop_sign, ["steps:", "tepat satu langkah sign (ada 0)"]),
    ("VERIFY after SIGN", _verify_after_sign, ["steps[5] 'tte'", "sign tidak boleh sebelum langkah verify"]),
    ("PRINT before SIGN", _print_before_sign, ["steps[1] 'cetak-kk'", "print tidak boleh sebelum langkah sign"]),
    (
        "SIAK_DRAFT before SIAK_ENTRY",
        _draft_before_entry,
        ["steps[0] 'draft-kk'", "siak_draft tidak boleh sebelum langkah siak_entry"],
    ),
    ("negative minutes", _set("steps.2.standard_minutes", -1), ["steps[2] 'draft-kk'.standard_minutes", "minimal 0"]),
    ("service_days < 1", _set("service_days", 0), ["service_days", "minimal 1"]),
    (
        "notify key without template",
        _set("steps.2.notify", "draft_siap"),
        ["steps[2] 'draft-kk'.notify", "'draft_siap'", "tidak ada di notifications"],
    ),
    (
        "unknown placeholder",
        _set("notifications.siap_diambil", "KK {nama_kepala_keluarga} siap"),
        ["notifications.siap_diambil", "{nama_kepala_keluarga}", "tidak dikenal"],
    ),
    (
        "a NIK in a template",
        _set("notifications.siap_diambil", "KK untuk NIK 3508011203990001 siap"),
        ["notifications.siap_diambil", "16 digit"],
    ),
    ("broken placeholder", _set("notifications.siap_diambil", "KK {nomor_permohonan siap"), ["siap_diambil"]),
    ("SIGN by someone else", _set("steps.6.role", "KASI"), ["steps[6] 'tte'.role", "KEPALA_DINAS"]),
    ("APPLICANT_CONFIRM by an officer", _set("steps.3.role", "OPERATOR_WA"), ["'konfirmasi-pemohon'.role"]),
    ("batch without cover letter", _set("batch_collection", True), ["batch_collection", "cover_letter"]),
    ("cover letter without batch", _cover_letter_without_batch, ["batch_collection", "cover_letter"]),
    ("unknown field", _set("biaya", "gratis"), ["biaya", "kolom tidak dikenal"]),
    ("missing field", lambda d: d.pop("delivery"), ["delivery", "wajib diisi"]),
    ("unknown delivery", _set("delivery", "DRONE"), ["delivery", "'DRONE'"]),
    (
        "case type without requirements",
        lambda d: d["requirements"].pop("HILANG"),
        ["requirements", "HILANG tidak ada"],
    ),
    (
        "requirements for a case type not served",
        _set("requirements.RUSAK", ["KK_LAMA_ASLI"]),
        ["requirements.RUSAK", "tidak ada di case_types"],
    ),
    ("unknown seed", _set("seed", "009"), ["seed", "'009'"]),
    ("seed written as a number", _set("seed", 0), ["seed"]),
    ("bad step id format", _set("steps.0.id", "Periksa Berkas"), ["steps[0]", ".id", "format"]),
]


@pytest.mark.parametrize(("mutate", "expected"), [(m, e) for _, m, e in CASES], ids=[c[0] for c in CASES])
def test_a_broken_profile_is_refused_naming_file_and_field(
    tmp_path: Path, mutate: Callable[[Data], None], expected: list[str]
) -> None:
    data = copy.deepcopy(_base())
    mutate(data)
    path = tmp_path / "uji-dinas.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profiles(tmp_path)
    message = info.value.message
    assert str(path) in message
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert info.value.code == "PROFIL_LAYANAN_TIDAK_VALID"


def test_the_base_of_these_cases_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "uji-dinas.yaml"
    path.write_text(yaml.safe_dump(_base(), allow_unicode=True), encoding="utf-8")
    assert load_profile_file(path).id == "uji-dinas"


def test_an_id_other_than_the_file_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lain.yaml"
    path.write_text(yaml.safe_dump(_base(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"lain\.yaml tidak valid: id: id 'uji-dinas' harus sama"):
        load_profiles(tmp_path)


def test_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    text = yaml.safe_dump(_base(), allow_unicode=True)
    (tmp_path / "uji-dinas.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "uji-dinas.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"uji-dinas\.yml: id 'uji-dinas' sudah dipakai oleh .*uji-dinas\.yaml"):
        load_profiles(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("id: [unclosed\n", "YAML tidak dapat dibaca"), ("- a\n- b\n", "harus berupa mapping"), ("", "mapping")],
)
def test_unreadable_yaml_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "rusak.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=expected) as info:
        load_profiles(tmp_path)
    assert str(path) in info.value.message


def test_not_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="tidak ada atau bukan direktori"):
        load_profiles(tmp_path / "tidak-ada")


def test_one_bad_file_refuses_the_whole_load(tmp_path: Path) -> None:
    good = _base()
    good["id"] = "a-baik"
    (tmp_path / "a-baik.yaml").write_text(yaml.safe_dump(good), encoding="utf-8")
    bad = _base()
    bad["service_days"] = 0
    (tmp_path / "uji-dinas.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(ProfileError, match="uji-dinas"):
        load_profiles(tmp_path)


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    data = _base()
    _drop_sign(data)
    data["notifications"]["siap_diambil"] = "{nama}"
    path = tmp_path / "uji-dinas.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profiles(tmp_path)
    assert "langkah sign" in info.value.message
    assert "{nama}" in info.value.message
