"""Plausible Indonesian personal names for the synthetic population.

Names depend on sex, generation, culture and religion. Why this much care: developers, and the
people who test with a printed draft KK, read these names; "Test User 1..n" hides layout problems
(long names, abbreviations like ``MOH.``) and looks nothing like the real thing. Names follow the
patterns of each group rather than any real person:

* Javanese: older people often carry one name (``SUPARMAN``, ``PAINEM``); people born 1965-1990 two
  (``AGUS SETIAWAN``, ``SRI WAHYUNI``); younger ones two or three (``DIMAS ADITYA PRATAMA``);
  children born after 2005 often Arabic-Islamic compounds (``MUHAMMAD ARKAN ALFARIZI``).
* Sundanese (Kabupaten Bandung): ``ASEP SUTISNA``, ``EUIS ROHAYATI``, ``ENDANG`` as a man's name.
* Madurese (parts of Lumajang): ``MOH. HOLIL``, ``SUNAMI``, ``ABD. ROHMAN``.
* Christians add a baptismal name (``YOHANES SUTRISNO``, ``MARIA SRI LESTARI``); some Christian
  families (Batak, Manado origin) and Chinese-Indonesian families carry a family name, which the
  children inherit.

Surnames are otherwise absent, as on Java. Names are upper case, as SIAK stores and prints them. In
the pools below ``_`` joins a multi-word part (``MOH._HOLIL``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = [
    "ForeignIdentity",
    "family_surname",
    "foreign_identity",
    "person_name",
]

MALE = 1
FEMALE = 2

Pool = dict[int, tuple[str, ...]]


def _pool(male: str, female: str) -> Pool:
    """Name parts per sex from space-separated words (``_`` stands for a space inside a part)."""
    return {
        MALE: tuple(w.replace("_", " ") for w in male.split()),
        FEMALE: tuple(w.replace("_", " ") for w in female.split()),
    }


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.replace("_", " ") for w in text.split())


# Javanese
_JAWA_OLD = _pool(
    "SUPARMAN SUGIYONO PAIMIN SAMIRAN TUKIMAN SUKARDI WAGIMAN SLAMET KARSO SUMARNO PARJO RAKIMAN"
    " SUWARNO SUTRISNO MARDI JUMADI KASIMAN SUYITNO SADIMAN PONIMAN KATIMIN NGADIMAN SUKIMAN",
    "SUMIATI PAINEM TUKINAH SARINAH SUPARMI WAGINEM SUMINAH KASIYEM SUKINAH PONIYEM MARSIAH"
    " SUWARNI SAMINI TUMINI SUPIYAH JUMINAH NGATINEM SUKARTI PARIYEM SUTINAH KARTINI",
)
_JAWA_FIRST = _pool(
    "AGUS BUDI EKO DWI TRI JOKO BAMBANG HERU ARIF DIDIK TEGUH HARI ANDI WAHYU BAYU YUDI SLAMET"
    " ENDRO BENI ARIS IWAN DANANG RUDI HENDRO",
    "SRI DWI ENDANG SITI TUTIK NUR ANIK YULI RINA ENI ERNA WIWIK LILIK DEWI RETNO TITIK ATIK UMI YAYUK NANIK",
)
_JAWA_LAST = _pool(
    "SETIAWAN PRASETYO SANTOSO WIBOWO SUSILO PURNOMO HARTONO KURNIAWAN SUPRIYANTO WIDODO HIDAYAT"
    " NUGROHO SAPUTRO SUSANTO RAHARJO WAHYUDI HARIYANTO SETIYONO PRIYANTO SULISTYO HERMAWAN",
    "LESTARI WAHYUNI RAHAYU ASTUTI HANDAYANI SULISTYOWATI SETYOWATI KURNIASIH PURWANTI SUSANTI"
    " RAHMAWATI WULANDARI MULYANI HIDAYATI NINGSIH FITRIANI PRATIWI ANGGRAENI SUPRIHATIN",
)
_YOUNG_FIRST = _pool(
    "ADITYA DIMAS RIZKY FAJAR ANDIKA BAGUS YOGA ILHAM REZA DENI GALIH ARDI FERDI YUSUF HENDRA RENDY BIMA SATRIA",
    "AYU PUTRI DEWI INDAH NOVITA DIAH FITRI RATNA WIDYA DIAN LINDA NINDY MEGA OKTA DESI RIZKA INTAN ANISA",
)
_YOUNG_LAST = _pool(
    "PRATAMA SAPUTRA RAMADHAN NUGRAHA WIJAYA FIRMANSYAH KURNIAWAN HIDAYAT MAULANA PERMANA"
    " SETIAWAN ARDIANSYAH PRASETYA WICAKSONO ADITAMA",
    "LESTARI PERMATASARI KUSUMAWARDANI SAFITRI RAHMAWATI ANGGRAINI WULANDARI PRATIWI NURAINI"
    " OKTAVIANI MAHARANI PUSPITASARI SARI AMALIA",
)
_KID_FIRST = _pool(
    "MUHAMMAD MOCH. AHMAD RAFA ARKAN FARHAN NAUFAL ZIDAN DAFFA ALFIAN AZKA RAFFI GIBRAN ATHAR",
    "AZZAHRA NAYLA KEISHA AQILA ALYA ZAHRA SALSABILA ANINDYA CALLISTA NAJWA KHANZA ADZKIA SHAKILA NADHIFA",
)
_KID_MID = _pool(
    "ARKAN ALFARIZI RAFFA DAFFA RIZQI AL_FATIH ZAYYAN ABIZAR FARIS ARSYAD HAFIZ",
    "PUTRI AULIA NUR ZAHRA SALSABILA AYU KIRANA QUEENSHA HUMAIRA",
)
_KID_LAST = _pool(
    "ALFARIZI RAMADHAN PRATAMA AL_GHIFARI MAULANA HAFIZ ARRAYAN ALFATIH SYAHPUTRA",
    "RAMADHANI AZZAHRA KHAIRUNNISA PUTRI NURAINI MAULIDA SALSABILA ZAHIRA",
)
# Islamic compounds, all generations
_ISLAM_FIRST = _pool("AHMAD MUHAMMAD MOH. ABDUL NUR MOCHAMAD M.", "SITI NUR UMI")
_ISLAM_LAST = _pool(
    "HASAN FAUZI HAKIM SYAIFUL ROSYID KHOLIL MUNIR ANWAR HUSAIN ZAINUDDIN ARIFIN ROHMAN SHOLEH MAKSUM IKHSAN",
    "AMINAH KHOTIMAH FATIMAH ROMLAH MUSLIMAH NURHAYATI MAISAROH ZUBAIDAH HALIMAH KHASANAH MUNAWAROH",
)
# Sundanese
_SUNDA_FIRST = _pool(
    "UJANG ASEP OMAN UDIN ENDANG DADANG CECEP ENTIS OTONG TATANG JAJANG ADE DEDE UCU AEP ENJANG YAYAN",
    "EUIS NENENG IIS IMAS YAYAH CUCU ENUNG TITIN ENTIN NINING EROH IJAH OOM ELIS TETI NENG",
)
_SUNDA_LAST = _pool(
    "SUTISNA SUPRIATNA HIDAYAT SOLIHIN KURNIA RUSTANDI SOPANDI MULYANA SUHERMAN GUNAWAN NURJAMAN SAEPUDIN RUHIMAT",
    "ROHAYATI KURNIASIH NURHASANAH MARYATI SUMIATI JUBAEDAH HERAWATI RAHAYU KOMALASARI NURAENI MARLIANI",
)
_SUNDA_YOUNG_FIRST = _pool(
    "RIZAL GILANG FIKRI YUDA RANGGA GANJAR IQBAL DENI AGUNG ELANG",
    "NENG RINA ANISA DEWI INTAN SRI RISMA WINDA TIARA GITA",
)
_SUNDA_YOUNG_LAST = _pool(
    "MAULANA PERMANA NUGRAHA SAPUTRA RAMDANI FIRDAUS SETIAWAN SOPIAN",
    "NURAENI KOMALASARI MARLIANI MULYANI FAUZIAH NURHALIMAH AGUSTINA",
)
# Madurese
_MADURA = _pool(
    "MATRAWI SUHAR MISNADI HOSNAN BUNASIR SAHRONI SAHWI MARSUKI SUHAIMI SUNARTO JUMALI MOH._HOLIL"
    " ABD._ROHMAN MOH._SALEH ABD._HAMID MOH._RIDWAN",
    "SUNAMI MUSRIFAH SITI_MARYAM HOSNIYAH SAMSIYAH MUNAWAROH SUTIYAH BUSRIYAH JUMRATUN MASRUROH SITI_AISYAH HOLIPAH",
)
# Christian baptismal names
_BAPTISMAL = _pool(
    "YOHANES STEFANUS PAULUS PETRUS ANTONIUS FRANSISKUS YOSEF MARKUS MATIUS ANDREAS BENEDIKTUS IGNATIUS GREGORIUS",
    "MARIA THERESIA CHATARINA AGNES ELISABETH VERONIKA MAGDALENA ANASTASIA MARGARETHA CHRISTINA YOHANA",
)
_CHRISTIAN_YOUNG = _pool(
    "YOSUA KEVIN DANIEL SAMUEL MIKHAEL GABRIEL JONATHAN NATANAEL TIMOTIUS",
    "GRACE ANGELINA NATALIA CLARA JESSICA FEBRIANA MONICA CELINE",
)
_CHRISTIAN_SURNAMES = _words("SIMANJUNTAK SIREGAR NAPITUPULU SIAHAAN HUTAPEA SITUMORANG MANURUNG WOWOR LUMENTUT")
# Chinese-Indonesian
_TIONGHOA_FIRST = _pool(
    "HENDRA SUSANTO BUDI WILLY HARTONO JOHAN FELIX KEVIN IRWAN WILLIAM VINCENT",
    "LINDA SUSAN LILIS MELIANA LIANA JESSICA MICHELLE WINDA VIVIAN CYNTHIA",
)
_TIONGHOA_SURNAMES = _words("WIJAYA GUNAWAN HALIM TANUWIJAYA SANTOSO KUSUMA SALIM TANOTO LIMANTO HARTANTO")


def _pick(rng: random.Random, pool: Pool, sex: int) -> str:
    return rng.choice(pool[sex])


def _javanese(rng: random.Random, sex: int, year: int) -> str:
    if year < 1965:
        roll = rng.random()
        if roll < 0.6:
            return _pick(rng, _JAWA_OLD, sex)
        if roll < 0.85:
            return f"{_pick(rng, _ISLAM_FIRST, sex)} {_pick(rng, _ISLAM_LAST, sex)}"
        return f"{_pick(rng, _JAWA_FIRST, sex)} {_pick(rng, _JAWA_OLD, sex)}"
    if year < 1990:
        roll = rng.random()
        if roll < 0.65:
            return f"{_pick(rng, _JAWA_FIRST, sex)} {_pick(rng, _JAWA_LAST, sex)}"
        if roll < 0.85:
            return f"{_pick(rng, _ISLAM_FIRST, sex)} {_pick(rng, _ISLAM_LAST, sex)}"
        return _pick(rng, _JAWA_LAST, sex) if sex == MALE else _pick(rng, _JAWA_OLD, sex)
    if year < 2005:
        name = f"{_pick(rng, _YOUNG_FIRST, sex)} {_pick(rng, _YOUNG_LAST, sex)}"
        if rng.random() < 0.25:
            name = f"{_pick(rng, _YOUNG_FIRST, sex)} {name}"
        return name
    parts = [_pick(rng, _KID_FIRST, sex)]
    if rng.random() < 0.7:
        parts.append(_pick(rng, _KID_MID, sex))
    parts.append(_pick(rng, _KID_LAST, sex))
    return " ".join(dict.fromkeys(parts))  # drop a repeated part, keep order


def _sundanese(rng: random.Random, sex: int, year: int) -> str:
    if year < 1990:
        if rng.random() < 0.2:
            return _pick(rng, _SUNDA_FIRST, sex)
        return f"{_pick(rng, _SUNDA_FIRST, sex)} {_pick(rng, _SUNDA_LAST, sex)}"
    if year < 2005:
        return f"{_pick(rng, _SUNDA_YOUNG_FIRST, sex)} {_pick(rng, _SUNDA_YOUNG_LAST, sex)}"
    return _javanese(rng, sex, year)  # children's names are national fashion now


def _madurese(rng: random.Random, sex: int, year: int) -> str:
    if year < 1990:
        return _pick(rng, _MADURA, sex)
    if rng.random() < 0.5:
        return f"{_pick(rng, _ISLAM_FIRST, sex)} {_pick(rng, _ISLAM_LAST, sex)}"
    return _javanese(rng, sex, year)


def person_name(
    rng: random.Random,
    *,
    sex: int,
    birth_year: int,
    culture: str,
    religion: int,
    surname: str | None = None,
) -> str:
    """A full name (NAMA_LGKP) for this sex, birth year, culture and religion (AGAMA code).

    ``surname`` is the family name passed from father to child in the families that use one.
    """
    if culture == "tionghoa":
        base = _pick(rng, _TIONGHOA_FIRST, sex)
        if surname is None and birth_year < 2005:
            base = f"{base} {rng.choice(_TIONGHOA_SURNAMES)}"
    elif culture == "sunda":
        base = _sundanese(rng, sex, birth_year)
    elif culture == "madura":
        base = _madurese(rng, sex, birth_year)
    else:
        base = _javanese(rng, sex, birth_year)
    if religion in (2, 3) and culture != "tionghoa":
        base = _christianise(rng, base, sex, birth_year)
    if surname:
        base = f"{base.split()[0]} {surname}" if len(base) > 24 else f"{base} {surname}"
    return base


def _christianise(rng: random.Random, base: str, sex: int, year: int) -> str:
    """Swap Arabic-Islamic name parts for a baptismal name, as Javanese Christians are named."""
    islamic = set(_ISLAM_FIRST[sex]) | set(_ISLAM_LAST[sex]) | set(_KID_FIRST[sex][:3])
    kept = [p for p in base.split() if p not in islamic]
    first = _pick(rng, _CHRISTIAN_YOUNG, sex) if year >= 1990 and rng.random() < 0.6 else _pick(rng, _BAPTISMAL, sex)
    return " ".join([first, *kept[:2]]) if kept else f"{first} {_pick(rng, _JAWA_LAST, sex)}"


def family_surname(rng: random.Random, *, culture: str, religion: int) -> str | None:
    """A family name for the few families with one (Chinese-Indonesian, some Batak/Manado)."""
    if culture == "tionghoa":
        return rng.choice(_TIONGHOA_SURNAMES)
    if religion in (2, 3) and rng.random() < 0.15:
        return rng.choice(_CHRISTIAN_SURNAMES)
    return None


# Foreigners (WNA family members holding a KITAP)
@dataclass(frozen=True)
class _Country:
    name: str
    passport_prefix: str
    birthplaces: tuple[str, ...]
    given: Pool
    surnames: tuple[str, ...]  # empty: patronymic naming (BIN/BINTI), no family name


_COUNTRIES = (
    _Country(
        "AUSTRALIA",
        "PA",
        _words("MELBOURNE SYDNEY PERTH"),
        _pool("JAMES MICHAEL DANIEL LIAM", "EMILY SARAH JESSICA OLIVIA"),
        _words("SMITH WILSON TAYLOR BROWN"),
    ),
    _Country(
        "BELANDA",
        "NX",
        _words("AMSTERDAM ROTTERDAM UTRECHT"),
        _pool("JAN PIETER DAAN SANDER", "ANNEKE SANNE FLEUR MARIEKE"),
        _words("DE_VRIES JANSEN BAKKER VISSER"),
    ),
    _Country(
        "JEPANG",
        "TR",
        _words("OSAKA TOKYO NAGOYA"),
        _pool("HIROSHI KENJI TAKUMI DAISUKE", "YUKI AYAKA HARUKA NAOMI"),
        _words("TANAKA SUZUKI SATO YAMAMOTO"),
    ),
    _Country(
        "MALAYSIA",
        "A",
        _words("KUALA_LUMPUR JOHOR_BAHRU IPOH"),
        _pool("AHMAD_FAIZAL MOHD_HAFIZ AZMAN", "NUR_AISYAH SITI_NORHAYATI FARAH"),
        (),
    ),
    _Country(
        "JERMAN",
        "C",
        _words("BERLIN HAMBURG MUENCHEN"),
        _pool("THOMAS MARKUS STEFAN LUKAS", "ANNA JULIA LAURA SABINE"),
        _words("MUELLER SCHMIDT WEBER FISCHER"),
    ),
)
_MALAY_FATHERS = _words("ABDULLAH ISMAIL OSMAN YUSOF HASSAN")


@dataclass(frozen=True)
class ForeignIdentity:
    """A WNA member: name, family name ("" for patronymic names), birthplace, nationality."""

    name: str
    surname: str
    birthplace: str
    country: str
    passport_prefix: str
    father: str
    mother: str


def _foreign_name(rng: random.Random, country: _Country, sex: int, surname: str, father: str) -> str:
    given = _pick(rng, country.given, sex)
    if surname:
        return f"{given} {surname}"
    return f"{given} {'BIN' if sex == MALE else 'BINTI'} {father}"


def foreign_identity(rng: random.Random, sex: int) -> ForeignIdentity:
    """A foreigner with parents' names; the family name (or patronym) comes from the father."""
    country = rng.choice(_COUNTRIES)
    surname = rng.choice(country.surnames) if country.surnames else ""
    grandfather = rng.choice(_MALAY_FATHERS)
    father = _foreign_name(rng, country, MALE, surname, grandfather)
    father_given = father.split(" BIN ")[0] if not surname else ""
    name = _foreign_name(rng, country, sex, surname, father_given)
    mother = _foreign_name(rng, country, FEMALE, surname, rng.choice(_MALAY_FATHERS))
    return ForeignIdentity(
        name,
        surname,
        rng.choice(country.birthplaces),
        country.name,
        country.passport_prefix,
        father,
        mother,
    )
