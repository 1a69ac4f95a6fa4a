"""Service profiles: the five service standards (``shared/seeds``) as data the one workflow engine runs.

A profile says how one office issues a KK: its channel, the case types it accepts and the mandatory
requirements of each, its steps in order (who performs each, in how many standard minutes), the
service time in working days, how the KK reaches the applicant, and which notifications go out
when. The packaged profiles live in ``siakgate/workflow/profiles/*.yaml``, one file per profile,
named after its id. A Dinas adds a profile, or adjusts a packaged one, by putting a YAML file in
its own directory (``load_profiles(extra_dir)``): a file whose id is a packaged id replaces that
profile; no code changes.

Why validate so much at load: a profile is configuration a person edits, and a mistake in it
(signing before verifying, printing before the TTE, a typo in a role) would otherwise show up as a
stuck application weeks later. :func:`load_profiles` refuses it at start-up with a
:class:`~siakgate.errors.ProfileError` naming the file, the field and the problem in Bahasa
Indonesia. The rules are in :func:`profile_problems`.

Kinds and roles: an automatic kind (SIAK calls, archiving) still names the role accountable for it,
as the seeds do ("Petugas SIAK mengentri data"). A seed step that the engine splits into several
kinds (seed 001 step 4 "entry data dan pengajuan dokumen untuk di verifikasi") keeps the seed's
number in ``seed_step`` on each part, and the parts' minutes add up to the seed's. Steps the seed
does not have (the TTE in seed 000, written before TTE) have no ``seed_step``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from siakgate.domain import DOCUMENTS, SEEDS, CaseType, case_profile
from siakgate.errors import ProfileError, WorkflowError
from siakgate.workflow.notifications import NoticeCondition, template_problems

__all__ = [
    "Channel",
    "ConditionalNotice",
    "Delivery",
    "Intake",
    "Role",
    "ServiceProfile",
    "Step",
    "StepKind",
    "load_profile_file",
    "load_profiles",
    "profile_problems",
]


class Role(StrEnum):
    """Who performs a step. A calling system's API token carries the roles it may act in."""

    PEMOHON = "PEMOHON"
    OPERATOR_WA = "OPERATOR_WA"
    PETUGAS_FO = "PETUGAS_FO"
    PETUGAS_LOKET = "PETUGAS_LOKET"
    OPERATOR_SIAK = "OPERATOR_SIAK"
    OPERATOR_DESA = "OPERATOR_DESA"
    PETUGAS_BO = "PETUGAS_BO"
    KASI = "KASI"
    KABID = "KABID"
    KASI_YANMUM = "KASI_YANMUM"
    KEPALA_DINAS = "KEPALA_DINAS"
    PETUGAS_CETAK = "PETUGAS_CETAK"
    SEKCAM = "SEKCAM"
    CAMAT = "CAMAT"
    SYSTEM = "SYSTEM"


class StepKind(StrEnum):
    """What a step does; the engine has one behaviour per kind."""

    CHECK = "check"
    """A person checks completeness: complete | incomplete(missing=[codes])."""
    SIAK_LOOKUP = "siak_lookup"
    """Automatic: CekDataPenduduk / CariKeluarga against SIAK (the counter, seed 001 step 3)."""
    SIAK_ENTRY = "siak_entry"
    """Automatic: EntriDataKeluarga. Dropped for cases without data entry (a lost or damaged KK)."""
    SIAK_DRAFT = "siak_draft"
    """Automatic: AmbilDraftKK; the draft PDF is stored as DRAFT_KK."""
    APPLICANT_CONFIRM = "applicant_confirm"
    """Waits for the applicant (through the calling system): confirm | correct(reason)."""
    REQUEST_CERTIFICATION = "request_certification"
    """Automatic: AjukanSertifikasi."""
    VERIFY = "verify"
    """A Kasi/Kabid: approve | reject(reason) -> SimpanVerifikasi."""
    SIGN = "sign"
    """The Kepala Dinas signs in a signing batch; then UnggahKKTertandatangan; stored as SIGNED_KK."""
    COVER_LETTER = "cover_letter"
    """Kecamatan: the Sekcam signs the batch's cover letter before the batch goes to the Kepala Dinas."""
    PRINT = "print"
    """A person prints: printed -> TandaiTercetak."""
    DELIVER = "deliver"
    """A person hands over, posts or sends the PDF: delivered."""
    ARCHIVE = "archive"
    """Automatic: the archive record."""


class Delivery(StrEnum):
    """How the KK reaches the applicant."""

    COLLECT_EXCHANGE_ORIGINALS = "COLLECT_EXCHANGE_ORIGINALS"
    COLLECT_AT_COUNTER = "COLLECT_AT_COUNTER"
    SELF_PRINT_PDF = "SELF_PRINT_PDF"
    PRINT_AT_VILLAGE = "PRINT_AT_VILLAGE"
    POST = "POST"


class Channel(StrEnum):
    """Where applications come in."""

    WHATSAPP = "WHATSAPP"
    COUNTER = "COUNTER"
    VILLAGE_COUNTER = "VILLAGE_COUNTER"
    KECAMATAN = "KECAMATAN"


_SLUG = r"^[a-z0-9][a-z0-9_-]*$"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConditionalNotice(_Data):
    """A notice sent with a step's ``notify`` only when ``when`` holds for the application's case type."""

    template: str
    when: NoticeCondition


class Step(_Data):
    """One step of a profile."""

    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    """Bahasa Indonesia, as the officer knows the step."""
    kind: StepKind
    role: Role
    standard_minutes: float = Field(ge=0, allow_inf_nan=False)
    """The seed's mutu baku (its "waktu"), against which the timeline measures the actual time."""
    notify: str | None = None
    """Template key sent when the step ends forward (see :mod:`siakgate.workflow.notifications`)."""
    notify_back: str | None = None
    """Template key sent when the step sends the file back (incomplete, correct, reject)."""
    notify_extra: tuple[ConditionalNotice, ...] = ()
    seed_step: str | None = None
    """The seed's step number(s) this implements ("4", "5-6", "d"); None for steps the seed lacks."""


class Intake(_Data):
    """The seed's first step when it happens before the gateway sees the application.

    "Pemohon mengirim berkas melalui WA", "Pemohon mengambil nomor antrian": the calling system
    creates the application once it has the file, so no action is awaited; the engine may record
    the creation against these standard minutes.
    """

    name: str = Field(min_length=1)
    role: Role = Role.PEMOHON
    standard_minutes: float = Field(ge=0, allow_inf_nan=False)
    seed_step: str | None = None


class ServiceProfile(_Data):
    """One office's service standard for issuing a KK."""

    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    seed: str | None = None
    """The seed number ("000".."004") it comes from; None for a Dinas's own profile."""
    channel: Channel
    case_types: tuple[CaseType, ...] = Field(min_length=1)
    requirements: dict[CaseType, tuple[str, ...]]
    """Mandatory requirement codes (:data:`siakgate.domain.DOCUMENTS`) per case type."""
    steps: tuple[Step, ...] = Field(min_length=1)
    service_days: int = Field(ge=1)
    delivery: Delivery
    notifications: dict[str, str] = Field(default_factory=dict)
    queue_numbers: bool = False
    batch_collection: bool = False
    intake: Intake | None = None

    def accepts(self, case_type: CaseType) -> bool:
        """Whether this service handles ``case_type``."""
        return case_type in self.case_types

    def steps_for(self, case_type: CaseType) -> tuple[Step, ...]:
        """The steps an application of ``case_type`` goes through.

        Drops SIAK_ENTRY when the case needs no data entry (seed 003: "KK hilang tidak ada kegiatan
        entri data"; a damaged card is reissued from SIAK's data too). Raises :class:`WorkflowError`
        (JENIS_PERMOHONAN_TIDAK_DILAYANI, HTTP 400) for a case type the service does not accept.
        """
        if not self.accepts(case_type):
            raise WorkflowError(
                f"Layanan {self.name!r} tidak melayani jenis permohonan {case_type.value}",
                code="JENIS_PERMOHONAN_TIDAK_DILAYANI",
            )
        if case_profile(case_type).needs_data_entry:
            return self.steps
        return tuple(step for step in self.steps if step.kind is not StepKind.SIAK_ENTRY)

    def step(self, step_id: str) -> Step:
        """The step with ``step_id`` (KeyError otherwise)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def missing_requirements(self, case_type: CaseType, provided: Iterable[str]) -> tuple[str, ...]:
        """The mandatory codes of ``case_type`` not in ``provided``.

        A code the domain allows to be replaced counts as given when its alternative is (an original
        old KK replaced by the police loss report, seed 000: "Jika KK asli hilang dilampiri surat
        kehilangan dari kepolisian").
        """
        given = frozenset(provided)
        domain = {item.code: item for item in case_profile(case_type).requirements}
        missing = []
        for code in self.requirements.get(case_type, ()):
            item = domain.get(code)
            satisfied = item.satisfied_by(given) if item is not None else code in given
            if not satisfied:
                missing.append(code)
        return tuple(missing)


# -- the rules a profile must follow ---------------------------------------------------------------

_K = StepKind
_ONE = (_K.SIGN, _K.SIAK_DRAFT, _K.REQUEST_CERTIFICATION)
_AT_MOST_ONE = (_K.SIAK_LOOKUP, _K.SIAK_ENTRY, _K.APPLICANT_CONFIRM, _K.COVER_LETTER, _K.PRINT, _K.ARCHIVE)
_AT_LEAST_ONE = (_K.CHECK, _K.VERIFY, _K.DELIVER)

_BEFORE: tuple[tuple[StepKind, StepKind], ...] = (
    (_K.SIAK_LOOKUP, _K.SIAK_ENTRY),  # look the applicant up before entering data
    (_K.SIAK_ENTRY, _K.SIAK_DRAFT),  # SIAK has no draft before the data is entered
    (_K.SIAK_ENTRY, _K.REQUEST_CERTIFICATION),
    (_K.REQUEST_CERTIFICATION, _K.VERIFY),  # SIAK: AjukanSertifikasi (DIAJUKAN) before SimpanVerifikasi
    (_K.SIAK_DRAFT, _K.APPLICANT_CONFIRM),  # the applicant confirms the draft
    (_K.CHECK, _K.SIGN),
    (_K.SIAK_DRAFT, _K.SIGN),
    (_K.APPLICANT_CONFIRM, _K.SIGN),
    (_K.VERIFY, _K.SIGN),  # the KK is signed only once verified
    (_K.VERIFY, _K.COVER_LETTER),
    (_K.COVER_LETTER, _K.SIGN),  # the Sekcam's cover letter goes with the batch to the Kepala Dinas
    (_K.SIGN, _K.PRINT),  # a KK is printed only from the certified print list
    (_K.SIGN, _K.DELIVER),
    (_K.SIGN, _K.ARCHIVE),
    (_K.PRINT, _K.DELIVER),
)
"""(a, b): every step of kind a comes before every step of kind b."""

_PEOPLE = frozenset(Role) - {Role.PEMOHON, Role.SYSTEM}
_ROLES: dict[StepKind, frozenset[Role]] = {
    _K.SIGN: frozenset({Role.KEPALA_DINAS}),  # a KK is valid with the Kepala Dinas's TTE
    _K.APPLICANT_CONFIRM: frozenset({Role.PEMOHON}),
    _K.VERIFY: frozenset({Role.KASI, Role.KABID, Role.KASI_YANMUM}),
    _K.COVER_LETTER: frozenset({Role.SEKCAM, Role.CAMAT}),
    _K.CHECK: _PEOPLE,
    _K.PRINT: _PEOPLE,
    _K.DELIVER: _PEOPLE,
}


def _names(items: Iterable[str]) -> str:
    return ", ".join(sorted(items))


def _requirement_problems(profile: ServiceProfile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    seen: set[CaseType] = set()
    for index, case_type in enumerate(profile.case_types):
        if case_type in seen:
            problems.append((f"case_types[{index}]", f"jenis permohonan {case_type.value} ditulis dua kali"))
        seen.add(case_type)
        if case_type not in profile.requirements:
            problems.append(("requirements", f"daftar persyaratan untuk {case_type.value} tidak ada"))
    for case_type, codes in profile.requirements.items():
        where = f"requirements.{case_type.value}"
        if case_type not in seen:
            problems.append((where, f"jenis permohonan {case_type.value} tidak ada di case_types"))
        if not codes:
            problems.append((where, "daftar persyaratan kosong"))
        for index, code in enumerate(codes):
            if code not in DOCUMENTS:
                problems.append((f"{where}[{index}]", f"kode persyaratan {code!r} tidak dikenal (lihat DOCUMENTS)"))
            elif codes.index(code) != index:
                problems.append((f"{where}[{index}]", f"kode persyaratan {code} ditulis dua kali"))
    return problems


def _step_problems(profile: ServiceProfile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    steps = profile.steps
    where = [f"steps[{index}] '{step.id}'" for index, step in enumerate(steps)]
    first: dict[str, int] = {}
    for index, step in enumerate(steps):
        if step.id in first:
            problems.append(
                (f"{where[index]}.id", f"id langkah {step.id!r} sudah dipakai oleh steps[{first[step.id]}]")
            )
        first.setdefault(step.id, index)
        allowed = _ROLES.get(step.kind)
        if allowed is not None and step.role not in allowed:
            problems.append(
                (
                    f"{where[index]}.role",
                    f"langkah {step.kind.value} tidak dapat dilakukan oleh {step.role.value} "
                    f"(yang boleh: {_names(allowed)})",
                )
            )
    count = {kind: sum(1 for step in steps if step.kind is kind) for kind in StepKind}
    for kind in _ONE:
        if count[kind] != 1:
            problems.append(("steps", f"harus ada tepat satu langkah {kind.value} (ada {count[kind]})"))
    for kind in _AT_MOST_ONE:
        if count[kind] > 1:
            problems.append(("steps", f"paling banyak satu langkah {kind.value} (ada {count[kind]})"))
    for kind in _AT_LEAST_ONE:
        if count[kind] == 0:
            problems.append(("steps", f"harus ada langkah {kind.value}"))
    for early, late in _BEFORE:
        for i, a in enumerate(steps):
            for j in range(i):
                if a.kind is early and steps[j].kind is late:
                    problems.append(
                        (
                            where[j],
                            f"langkah {late.value} tidak boleh sebelum langkah {early.value} ({where[i]})",
                        )
                    )
    if profile.batch_collection and count[_K.COVER_LETTER] == 0:
        problems.append(("batch_collection", "pengumpulan batch memerlukan langkah cover_letter (Sekcam)"))
    if count[_K.COVER_LETTER] and not profile.batch_collection:
        problems.append(("batch_collection", "langkah cover_letter hanya untuk profil dengan batch_collection: true"))
    return problems


def _notification_problems(profile: ServiceProfile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for index, step in enumerate(profile.steps):
        keys = [("notify", step.notify), ("notify_back", step.notify_back)]
        keys += [(f"notify_extra[{i}].template", extra.template) for i, extra in enumerate(step.notify_extra)]
        for field, key in keys:
            if key is not None and key not in profile.notifications:
                problems.append(
                    (f"steps[{index}] '{step.id}'.{field}", f"templat notifikasi {key!r} tidak ada di notifications")
                )
    for key, text in profile.notifications.items():
        problems.extend((f"notifications.{key}", problem) for problem in template_problems(text))
    return problems


def profile_problems(profile: ServiceProfile) -> list[tuple[str, str]]:
    """Every rule ``profile`` breaks, as (field, message in Bahasa Indonesia); empty when it makes sense."""
    problems: list[tuple[str, str]] = []
    if profile.seed is not None and profile.seed not in SEEDS:
        problems.append(("seed", f"seed {profile.seed!r} tidak dikenal (yang dikenal: {_names(SEEDS)})"))
    problems += _requirement_problems(profile)
    problems += _step_problems(profile)
    problems += _notification_problems(profile)
    return problems


# -- loading ---------------------------------------------------------------------------------------

PACKAGED_DIR = Path(__file__).with_name("profiles")
"""Where the packaged profiles are."""
_SUFFIXES = (".yaml", ".yml")


def _where(loc: tuple[int | str, ...], data: Any) -> str:
    """A pydantic location as ``steps[3] 'verifikasi'.role``: index, and the step's id when known."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" '{node['id']}'"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(berkas)"


def _explain(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "wajib diisi"
    if kind == "extra_forbidden":
        return "kolom tidak dikenal"
    if kind == "enum":
        return f"nilai {value!r} tidak dikenal; yang dikenal: {ctx.get('expected', '')}"
    if kind in {"greater_than_equal", "greater_than"}:
        bound = ctx.get("ge", ctx.get("gt"))
        return f"nilai {value!r} terlalu kecil (minimal {bound})"
    if kind == "string_pattern_mismatch":
        return f"{value!r} tidak sesuai format (huruf kecil, angka, '-' atau '_')"
    if kind in {"string_too_short", "too_short"}:
        return "tidak boleh kosong"
    if kind == "finite_number":
        return "harus angka terhingga"
    return f"nilai {value!r} tidak valid ({error['msg']})"


def load_profile_file(path: Path) -> ServiceProfile:
    """Read and check one profile file; :class:`ProfileError` names the file, the field and the problem."""
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProfileError(f"Profil layanan {name}: YAML tidak dapat dibaca: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"Profil layanan {name}: berkas tidak dapat dibaca: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"Profil layanan {name}: isi berkas harus berupa mapping YAML (kunci: nilai)")
    try:
        profile = ServiceProfile.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(f"{_where(err['loc'], data)}: {_explain(err)}" for err in exc.errors())
        raise ProfileError(f"Profil layanan {name} tidak valid: {details}") from exc
    problems = profile_problems(profile)
    stem = path.name.rsplit(".", 1)[0]
    if profile.id != stem:
        problems.insert(0, ("id", f"id {profile.id!r} harus sama dengan nama berkas ({stem!r})"))
    if problems:
        details = "; ".join(f"{where}: {what}" for where, what in problems)
        raise ProfileError(f"Profil layanan {name} tidak valid: {details}")
    return profile


def _profile_files(directory: Path) -> list[Path]:
    return sorted(
        (entry for entry in directory.iterdir() if entry.is_file() and entry.name.endswith(_SUFFIXES)),
        key=lambda entry: entry.name,
    )


def _load_dir(directory: Path) -> dict[str, ServiceProfile]:
    loaded: dict[str, ServiceProfile] = {}
    origin: dict[str, str] = {}
    for path in _profile_files(directory):
        profile = load_profile_file(path)
        if profile.id in loaded:
            raise ProfileError(
                f"Profil layanan {path}: id {profile.id!r} sudah dipakai oleh {origin[profile.id]} (id harus unik)"
            )
        loaded[profile.id] = profile
        origin[profile.id] = str(path)
    return loaded


def load_profiles(extra_dir: Path | None = None) -> dict[str, ServiceProfile]:
    """The packaged profiles, plus (and overridden by, id for id) those in ``extra_dir``.

    Raises :class:`ProfileError` for the first file that does not make sense, or when ``extra_dir``
    is not a directory. Nothing is half-loaded: the caller gets every profile or an error.
    """
    profiles = _load_dir(PACKAGED_DIR)
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise ProfileError(f"Direktori profil layanan {extra_dir} tidak ada atau bukan direktori")
        profiles.update(_load_dir(extra_dir))
    return profiles
