"""Deterministic synthetic population for mock SIAK: families (KK) keyed by SIAK element names.

``generate_population(seed, families)`` yields one dict per family. The same seed and count always
give the same output (only ``random.Random(seed)`` is used, no sets or hash order, no clock:
"today" is the fixed :data:`REFERENCE_DATE`). The rules the data keeps, because the gateway and its
tests rely on them:

* NIK = ``PPKKCC`` of the member's registration kecamatan (usually the family's; for some spouses,
  parents and relatives who moved in, another one) + ``DDMMYY`` of birth, day + 40 for women, +
  serial ``0001``..``9999``; No. KK = the family's ``PPKKCC`` + ``DDMMYY`` of data entry (not after
  TGL_KELUAR nor the reference date) + serial. Both are 16 digits and unique across the population.
* Exactly one Kepala Keluarga; Istri female, Suami male; spouses are Kawin with the same TGL_KWN,
  married after both turned 19; children born after that marriage (hence at least 19 years younger
  than both parents); nobody under 17 is married; TGL_KWN is set for Kawin members only.
* Parents' names agree: an Anak's NAMA_LGKP_AYAH/IBU are the head's and spouse's names (or the
  deceased or divorced parent's, who is not in the KK), a Cucu's those of the Anak and Menantu, an
  Orang Tua's or Mertua's own name is what the head or spouse lists as father or mother, a Famili
  Lain (a sibling of the head) shares the head's parents.
* A few WNA members (KEWARGANEGARAAN 2) with NO_PASPOR and NO_KITAP; everyone else has both None.

Family shapes: married couples with children (the majority), single-person households, widowed
heads (Cerai Mati), divorced heads (Cerai Hidup), a married child living in with spouse (Menantu)
and children (Cucu), heads' parents (Orang Tua) or parents-in-law (Mertua), siblings (Famili Lain),
a few household helpers (Pembantu).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from mock_siak import names
from mock_siak.population_attrs import (
    blood_type,
    dusun_name,
    education,
    occupation,
    street_address,
    weighted,
)
from mock_siak.regions import Place, Village, all_places

__all__ = ["REFERENCE_DATE", "generate_population"]

REFERENCE_DATE = date(2026, 11, 1)
"""The population's "today": no birth, marriage, data entry or issue date lies after it."""

_SIAK_START = date(2008, 1, 1)  # earliest data-entry date behind a No. KK
MALE, FEMALE = 1, 2
BELUM_KAWIN, KAWIN, CERAI_HIDUP, CERAI_MATI = 1, 2, 3, 4
KEPALA, SUAMI, ISTRI, ANAK, MENANTU, CUCU, ORANG_TUA, MERTUA, FAMILI_LAIN, PEMBANTU = range(1, 11)

_KINDS = (
    ("couple", 700),
    ("wife_head", 15),
    ("wna", 12),
    ("single", 75),
    ("widowed", 130),
    ("divorced", 68),
)


@dataclass
class _Person:
    name: str
    sex: int
    birth: date
    role: int
    area: str
    birthplace: str
    religion: int
    father: str
    mother: str
    status: int = BELUM_KAWIN
    married_on: date | None = None
    foreign: names.ForeignIdentity | None = None
    studying: bool = False


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _age(birth: date, on: date = REFERENCE_DATE) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class _Generator:
    """Holds the random stream and the NIK / No. KK serial counters for one population."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.places = all_places()
        self._place_weights = [(p, p.district.weight) for p in self.places]
        self._serials: dict[str, int] = {}

    # --- primitives -------------------------------------------------------------------------------
    def _date_between(self, low: date, high: date) -> date:
        if high <= low:
            return low
        return low + timedelta(days=self.rng.randint(0, (high - low).days))

    def _serial(self, prefix: str) -> str:
        serial = self._serials.get(prefix, 0) + 1
        if serial > 9999:
            raise RuntimeError(f"serial space exhausted for {prefix[:6]}")
        self._serials[prefix] = serial
        return f"{prefix}{serial:04d}"

    def _nik(self, person: _Person) -> str:
        day = person.birth.day + (40 if person.sex == FEMALE else 0)
        return self._serial(f"{person.area}{day:02d}{person.birth:%m%y}")

    def _no_kk(self, area: str, entered: date) -> str:
        # shares the NIK serial counter, so a No. KK never equals any NIK either
        return self._serial(f"{area}{entered:%d%m%y}")

    def _origin(self, home: Place, moved_in: float) -> Place:
        """A member's registration kecamatan: home, or with probability ``moved_in`` another one."""
        if self.rng.random() < moved_in:
            return self.rng.choice(self.places)
        return home

    def _birthplace(self, place: Place) -> str:
        regency = place.regency
        if self.rng.random() < 0.85:
            return regency.birthplace
        return self.rng.choice(regency.nearby_birthplaces)

    # --- people -----------------------------------------------------------------------------------
    def _person(self, ctx: _Family, *, sex: int, birth: date, role: int, moved_in: float = 0.0) -> _Person:
        origin = self._origin(ctx.place, moved_in)
        culture = ctx.culture
        if origin is not ctx.place and ctx.culture != "tionghoa":
            culture = weighted(self.rng, origin.district.cultures)
        name = names.person_name(self.rng, sex=sex, birth_year=birth.year, culture=culture, religion=ctx.religion)
        parent_year = birth.year - 27
        father = names.person_name(self.rng, sex=MALE, birth_year=parent_year, culture=culture, religion=ctx.religion)
        mother = names.person_name(self.rng, sex=FEMALE, birth_year=parent_year, culture=culture, religion=ctx.religion)
        return _Person(
            name,
            sex,
            birth,
            role,
            origin.area_code,
            self._birthplace(origin),
            ctx.religion,
            father,
            mother,
        )

    def _foreigner(self, ctx: _Family, *, sex: int, birth: date, role: int) -> _Person:
        identity = names.foreign_identity(self.rng, sex)
        return _Person(
            identity.name,
            sex,
            birth,
            role,
            ctx.place.area_code,
            identity.birthplace,
            ctx.religion,
            identity.father,
            identity.mother,
            foreign=identity,
        )

    def _child(self, ctx: _Family, father: _Person, mother: _Person, birth: date, role: int) -> _Person:
        sex = self.rng.choice((MALE, FEMALE))
        taken = {member.name for member in ctx.members}
        for _ in range(8):  # siblings never share a name
            name = names.person_name(
                self.rng, sex=sex, birth_year=birth.year, culture=ctx.culture, religion=ctx.religion
            )
            if name not in taken:
                break
        surname = ctx.surname if role == ANAK else None
        if father.foreign is not None and father.foreign.surname and self.rng.random() < 0.5:
            surname = father.foreign.surname
        if surname:
            name = f"{name.split()[0]} {surname}"
        elif ctx.culture == "jawa" and self.rng.random() < 0.08 and father.foreign is None:
            name = f"{name.split()[0]} {father.name.split()[-1]}"  # father's name as a second name
        origin = ctx.place if self.rng.random() < 0.92 else self._origin(ctx.place, 1.0)
        return _Person(
            name,
            sex,
            birth,
            role,
            origin.area_code,
            self._birthplace(origin),
            ctx.religion,
            father.name,
            mother.name,
        )

    def _marriage(self, birth_a: date, birth_b: date, latest: date) -> date | None:
        """A wedding date after both partners turned 19 (by 30 for the younger), else None."""
        younger = max(birth_a, birth_b)
        earliest = _add_years(younger, 19)
        latest_typical = min(_add_years(younger, 30), latest)
        if earliest > latest_typical:
            return None
        return self._date_between(earliest, latest_typical)

    def _births(self, mother: _Person, married: date) -> list[date]:
        """Children's birth dates: after the wedding, before the mother is 43 and before today."""
        year = mother.birth.year
        most = weighted(
            self.rng,
            ((2, 2), (3, 3), (4, 3), (5, 2), (6, 2)) if year < 1965 else ((0, 1), (1, 3), (2, 5), (3, 3), (4, 1)),
        )
        births: list[date] = []
        cursor = married + timedelta(days=self.rng.randint(280, 1100))
        last_allowed = min(_add_years(mother.birth, 43), REFERENCE_DATE - timedelta(days=1))
        while len(births) < most and cursor <= last_allowed:
            births.append(cursor)
            cursor += timedelta(days=self.rng.randint(540, 2300))
        return births

    # --- families ---------------------------------------------------------------------------------
    def family(self) -> dict[str, Any]:
        rng = self.rng
        place = weighted(rng, self._place_weights)
        village = rng.choice(place.district.villages)
        religion = weighted(rng, place.district.religions)
        culture = weighted(rng, place.district.cultures)
        if religion in (5, 6):
            culture = "tionghoa"
        ctx = _Family(
            place,
            village,
            culture,
            religion,
            names.family_surname(rng, culture=culture, religion=religion),
        )
        kind = weighted(rng, _KINDS)
        if kind == "single":
            self._single(ctx)
        elif kind in ("widowed", "divorced"):
            self._broken(ctx, widowed=kind == "widowed")
        else:
            self._couple(ctx, wife_head=kind == "wife_head", foreign=kind == "wna")
        self._extended(ctx)
        return self._render(ctx)

    def _single(self, ctx: _Family) -> None:
        sex = MALE if self.rng.random() < 0.6 else FEMALE
        birth = self._date_between(_add_years(REFERENCE_DATE, -50), _add_years(REFERENCE_DATE, -20))
        head = self._person(ctx, sex=sex, birth=birth, role=KEPALA, moved_in=0.35)
        ctx.members.append(head)
        ctx.formed = _add_years(birth, 19)

    def _adult_birth(self, low: int, mode: int, high: int) -> date:
        age = int(self.rng.triangular(low, high, mode))
        return _add_years(REFERENCE_DATE, -age) - timedelta(days=self.rng.randint(1, 364))

    def _couple(self, ctx: _Family, *, wife_head: bool, foreign: bool) -> None:
        rng = self.rng
        while True:
            husband_birth = self._adult_birth(22, 42, 82)
            wife_birth = husband_birth + timedelta(days=rng.randint(-400, 2600))
            married = self._marriage(husband_birth, wife_birth, REFERENCE_DATE - timedelta(days=30))
            if married is not None:
                break
        foreign_is_wife = foreign and (not wife_head) and rng.random() < 0.6
        if foreign and not foreign_is_wife:
            wife_head = True
        husband_role, wife_role = (SUAMI, KEPALA) if wife_head else (KEPALA, ISTRI)
        if foreign and not foreign_is_wife:
            husband = self._foreigner(ctx, sex=MALE, birth=husband_birth, role=husband_role)
        else:
            husband = self._person(ctx, sex=MALE, birth=husband_birth, role=husband_role, moved_in=0.15)
        if foreign_is_wife:
            wife = self._foreigner(ctx, sex=FEMALE, birth=wife_birth, role=wife_role)
        else:
            wife = self._person(ctx, sex=FEMALE, birth=wife_birth, role=wife_role, moved_in=0.3)
        if ctx.surname and not foreign:
            husband.name = f"{husband.name.split()[0]} {ctx.surname}"
        for partner in (husband, wife):
            partner.status, partner.married_on = KAWIN, married
        head, spouse = (wife, husband) if wife_head else (husband, wife)
        ctx.members += [head, spouse]
        ctx.formed = married
        self._children(ctx, husband, wife, married)

    def _broken(self, ctx: _Family, *, widowed: bool) -> None:
        """A widowed or divorced head; the other parent appears only as a child's AYAH or IBU."""
        rng = self.rng
        sex = FEMALE if rng.random() < (0.7 if widowed else 0.6) else MALE
        while True:
            birth = self._adult_birth(35, 66, 90) if widowed else self._adult_birth(25, 38, 62)
            other_birth = birth + timedelta(days=rng.randint(-2600, 400) if sex == FEMALE else rng.randint(-400, 2600))
            married = self._marriage(birth, other_birth, REFERENCE_DATE - timedelta(days=400))
            if married is not None:
                break
        head = self._person(ctx, sex=sex, birth=birth, role=KEPALA, moved_in=0.15)
        head.status = CERAI_MATI if widowed else CERAI_HIDUP
        other = self._person(ctx, sex=MALE if sex == FEMALE else FEMALE, birth=other_birth, role=0)
        ctx.members.append(head)
        ctx.formed = married
        father, mother = (head, other) if sex == MALE else (other, head)
        self._children(ctx, father, mother, married)

    def _children(self, ctx: _Family, father: _Person, mother: _Person, married: date) -> None:
        rng = self.rng
        married_child_done = False
        for birth in self._births(mother, married):
            child = self._child(ctx, father, mother, birth, ANAK)
            age = _age(birth)
            if age >= 23 and rng.random() < 0.75:
                continue  # grown up and moved out, in a KK of their own
            ctx.members.append(child)
            if 19 <= age <= 24 and rng.random() < 0.45:
                child.studying = True
            if age >= 22 and not married_child_done and rng.random() < 0.3:
                married_child_done = self._married_child(ctx, child)

    def _married_child(self, ctx: _Family, child: _Person) -> bool:
        """A married (or divorced) child living in with spouse (Menantu) and children (Cucu)."""
        rng = self.rng
        partner_birth = child.birth + timedelta(
            days=rng.randint(-1500, 1500) if child.sex == FEMALE else rng.randint(-1500, 700)
        )
        married = self._marriage(child.birth, partner_birth, REFERENCE_DATE - timedelta(days=60))
        if married is None or partner_birth >= REFERENCE_DATE:
            return False
        partner = self._person(
            ctx,
            sex=MALE if child.sex == FEMALE else FEMALE,
            birth=partner_birth,
            role=MENANTU,
            moved_in=0.5,
        )
        divorced = child.sex == FEMALE and rng.random() < 0.2
        father, mother = (child, partner) if child.sex == MALE else (partner, child)
        child.studying = False
        if divorced:
            child.status = CERAI_HIDUP
        else:
            for person in (child, partner):
                person.status, person.married_on = KAWIN, married
            ctx.members.append(partner)
        for birth in self._births(mother, married)[:3]:
            ctx.members.append(self._child(ctx, father, mother, birth, CUCU))
        return True

    def _extended(self, ctx: _Family) -> None:
        """Sometimes add the head's parent(s), a parent-in-law, a sibling, or a household helper."""
        rng = self.rng
        head = ctx.members[0]
        spouse = ctx.members[1] if len(ctx.members) > 1 and ctx.members[1].role in (SUAMI, ISTRI) else None
        if _age(head.birth) <= 58 and head.foreign is None and rng.random() < 0.08:
            self._parents_of(ctx, head, ORANG_TUA)
        elif spouse is not None and spouse.foreign is None and _age(spouse.birth) <= 58 and rng.random() < 0.05:
            self._parents_of(ctx, spouse, MERTUA)
        if head.foreign is None and rng.random() < 0.04:
            # a younger, unmarried sibling of the head: same parents, at least 17
            birth = min(head.birth + timedelta(days=rng.randint(400, 4000)), _add_years(REFERENCE_DATE, -17))
            if birth > head.birth + timedelta(days=300):
                sex = rng.choice((MALE, FEMALE))
                sibling = self._person(ctx, sex=sex, birth=birth, role=FAMILI_LAIN, moved_in=0.6)
                sibling.father, sibling.mother = head.father, head.mother
                ctx.members.append(sibling)
        if rng.random() < (0.03 if ctx.place.district.urban else 0.005):
            birth = self._adult_birth(20, 35, 55)
            ctx.members.append(self._person(ctx, sex=FEMALE, birth=birth, role=PEMBANTU, moved_in=0.8))

    def _parents_of(self, ctx: _Family, child: _Person, role: int) -> None:
        rng = self.rng
        mother_birth = _add_years(child.birth, -rng.randint(20, 36)) - timedelta(days=rng.randint(0, 300))
        father_birth = mother_birth - timedelta(days=rng.randint(0, 2500))
        if _age(father_birth) > 95:
            return
        father = self._person(ctx, sex=MALE, birth=father_birth, role=role, moved_in=0.5)
        mother = self._person(ctx, sex=FEMALE, birth=mother_birth, role=role, moved_in=0.0)
        mother.area, mother.birthplace = (
            (father.area, father.birthplace) if rng.random() < 0.7 else (mother.area, mother.birthplace)
        )
        father.name, mother.name = child.father, child.mother
        both = rng.random() < 0.25
        if both:
            married = self._marriage(father_birth, mother_birth, child.birth - timedelta(days=280))
            if married is None:
                both = False
            else:
                for person in (father, mother):
                    person.status, person.married_on = KAWIN, married
                ctx.members += [father, mother]
        if not both:
            survivor = mother if rng.random() < 0.75 else father
            survivor.status = CERAI_MATI
            ctx.members.append(survivor)

    # --- output -----------------------------------------------------------------------------------
    def _render(self, ctx: _Family) -> dict[str, Any]:
        rng = self.rng
        place, village = ctx.place, ctx.village
        order = (
            KEPALA,
            SUAMI,
            ISTRI,
            ANAK,
            MENANTU,
            CUCU,
            ORANG_TUA,
            MERTUA,
            FAMILI_LAIN,
            PEMBANTU,
        )
        members = sorted(ctx.members, key=lambda p: (order.index(p.role), p.birth))
        head = members[0]
        entered = self._date_between(max(ctx.formed, _SIAK_START), REFERENCE_DATE)
        events = [entered] + [p.birth for p in members] + [p.married_on for p in members if p.married_on]
        issued_low = max(events)
        issued = max(
            self._date_between(issued_low, REFERENCE_DATE),
            self._date_between(issued_low, REFERENCE_DATE),
        )
        if village.is_kelurahan:
            alamat, dusun = street_address(rng), None
        else:
            dusun = dusun_name(rng, ctx.culture)
            alamat = f"{'KP.' if ctx.culture == 'sunda' else 'DUSUN'} {dusun}"
        return {
            "NO_KK": self._no_kk(place.area_code, entered),
            "NAMA_KEP": head.name,
            "ALAMAT": alamat,
            "NO_RT": f"{rng.randint(1, 12):03d}",
            "NO_RW": f"{rng.randint(1, 9):03d}",
            "DUSUN": dusun,
            "KODE_POS": place.district.postal_code,
            "NO_PROP": place.province.code,
            "PROP_NAME": place.province.name,
            "NO_KAB": place.regency.code,
            "KAB_NAME": place.regency.name,
            "NO_KEC": place.district.code,
            "KEC_NAME": place.district.name,
            "NO_KEL": village.code,
            "KEL_NAME": village.name,
            "TGL_KELUAR": issued,
            "ANGGOTA": [self._member(p, ctx) for p in members],
        }

    def _member(self, person: _Person, ctx: _Family) -> dict[str, Any]:
        rng = self.rng
        age = _age(person.birth)
        level = education(rng, age, person.birth.year)
        if person.studying and level < 5:
            person.studying = False
        job = (
            23
            if person.role == PEMBANTU and age >= 19
            else occupation(
                rng,
                age=age,
                sex=person.sex,
                education_level=level,
                religion=person.religion,
                urban=ctx.place.district.urban,
                still_studying=person.studying,
            )
        )
        foreign = person.foreign
        return {
            "NIK": self._nik(person),
            "NAMA_LGKP": person.name,
            "JENIS_KLMIN": person.sex,
            "TMPT_LHR": person.birthplace,
            "TGL_LHR": person.birth,
            "AGAMA": person.religion,
            "PDDK_AKH": level,
            "JENIS_PKRJN": job,
            "GOL_DARAH": blood_type(rng),
            "STATUS_KAWIN": person.status,
            "TGL_KWN": person.married_on,
            "STAT_HBKEL": person.role,
            "KEWARGANEGARAAN": 2 if foreign else 1,
            "NO_PASPOR": f"{foreign.passport_prefix}{rng.randint(1000000, 9999999)}" if foreign else None,
            "NO_KITAP": _kitap_number(rng) if foreign else None,
            "NAMA_LGKP_AYAH": person.father,
            "NAMA_LGKP_IBU": person.mother,
        }


@dataclass
class _Family:
    place: Place
    village: Village
    culture: str
    religion: int
    surname: str | None
    members: list[_Person] = field(default_factory=list)
    formed: date = REFERENCE_DATE


def _letters(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(count))


def _kitap_number(rng: random.Random) -> str:
    """Shaped like an e-KITAP number: permit type, year, office letters, serial, check letters."""
    return f"2C{rng.randint(11, 26)}{_letters(rng, 2)}{rng.randint(1000, 9999)}-{_letters(rng, 2)}"


def generate_population(seed: int, families: int) -> Iterator[dict[str, Any]]:
    """Yield ``families`` family dicts (see the module docstring), identical for the same ``seed``.

    Dates are :class:`datetime.date`, codes the ints of ``codes.json``, absent strings None.
    Lazy: the caller may stop early, and memory stays flat for large counts.
    """
    if families < 0:
        raise ValueError("families must be >= 0")
    generator = _Generator(seed)
    for _ in range(families):
        yield generator.family()
