"""Administrative regions of the synthetic population: provinces, regencies, kecamatan,
desa/kelurahan.

Codes and names are the Kemendagri region codes (``PP.KK.CC.DDDD``, Kepmendagri on region codes, as
published in the open ``cahyadsn/wilayah`` data set): a village code starting with ``1`` is a
*kelurahan* (urban ward), ``2`` a *desa* (village). They are real so that the NIKs and No. KKs the
mock hands out have real area prefixes, and a developer looking at a draft KK sees a place that
exists. Postal codes are one plausible code per kecamatan (real ones vary per village; the mock
does not need that precision).

Besides the codes, each kecamatan carries what the population generator needs to look plausible
there: the cultural mix that picks names (``jawa``, ``sunda``, ``madura``), the religion mix
(Senduro's Tengger community is largely Hindu; Klaten and Kota Malang have larger Christian
minorities) and whether it is urban. Weights are relative and only used for sampling. Everything is
immutable tuples so iteration order is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PROVINCES",
    "District",
    "Place",
    "Province",
    "Regency",
    "Village",
    "all_places",
]

# Religion mixes, (AGAMA code, weight): 1 Islam, 2 Kristen, 3 Katholik, 4 Hindu, 5 Budha,
# 6 Khonghucu, 7 Kepercayaan.
_RURAL_JAVA = ((1, 960), (2, 18), (3, 14), (4, 2), (5, 3), (6, 1), (7, 2))
_TOWN_JAVA = ((1, 900), (2, 45), (3, 35), (4, 3), (5, 10), (6, 4), (7, 3))
_KLATEN = ((1, 880), (2, 55), (3, 55), (4, 3), (5, 4), (6, 1), (7, 2))
_TENGGER = ((1, 780), (2, 10), (3, 5), (4, 200), (5, 3), (6, 0), (7, 2))
_SUNDA = ((1, 975), (2, 12), (3, 6), (4, 1), (5, 4), (6, 1), (7, 1))


@dataclass(frozen=True)
class Village:
    """A desa (code ``2xxx``) or kelurahan (code ``1xxx``)."""

    code: str
    name: str

    @property
    def is_kelurahan(self) -> bool:
        return self.code.startswith("1")


@dataclass(frozen=True)
class District:
    """A kecamatan, with the sampling hints the generator uses there."""

    code: str
    name: str
    postal_code: str
    villages: tuple[Village, ...]
    weight: int
    cultures: tuple[tuple[str, int], ...]
    religions: tuple[tuple[int, int], ...]
    urban: bool = False


@dataclass(frozen=True)
class Regency:
    """A kabupaten or kota; ``name`` is what SIAK prints (``LUMAJANG``, ``KOTA MALANG``)."""

    code: str
    name: str
    birthplace: str
    nearby_birthplaces: tuple[str, ...]
    districts: tuple[District, ...]


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    regencies: tuple[Regency, ...]


@dataclass(frozen=True)
class Place:
    """One kecamatan with its regency and province: the unit families and NIKs are sampled from."""

    province: Province
    regency: Regency
    district: District

    @property
    def area_code(self) -> str:
        """The 6-digit ``PPKKCC`` prefix of NIK and No. KK."""
        return self.province.code + self.regency.code + self.district.code


def _villages(*pairs: tuple[str, str]) -> tuple[Village, ...]:
    return tuple(Village(code, name) for code, name in pairs)


_JAWA = (("jawa", 1),)

PROVINCES: tuple[Province, ...] = (
    Province(
        "35",
        "JAWA TIMUR",
        (
            Regency(
                "08",
                "LUMAJANG",
                "LUMAJANG",
                ("JEMBER", "PROBOLINGGO", "MALANG", "SURABAYA", "PASURUAN"),
                (
                    District(
                        "10",
                        "LUMAJANG",
                        "67316",
                        _villages(
                            ("1003", "CITRODIWANGSAN"),
                            ("1004", "DITOTRUNAN"),
                            ("1005", "JOGOTRUNAN"),
                            ("1009", "JOGOYUDAN"),
                            ("1010", "ROGOTRUNAN"),
                            ("1011", "TOMPOKERSAN"),
                            ("1012", "KEPUHARJO"),
                            ("2001", "BANJARWARU"),
                            ("2002", "LABRUK LOR"),
                            ("2006", "DENOK"),
                            ("2007", "BLUKON"),
                            ("2008", "BORENG"),
                        ),
                        weight=16,
                        cultures=(("jawa", 80), ("madura", 20)),
                        religions=_TOWN_JAVA,
                        urban=True,
                    ),
                    District(
                        "21",
                        "SUMBERSUKO",
                        "67316",
                        _villages(
                            ("2001", "SUMBERSUKO"),
                            ("2002", "KEBONSARI"),
                            ("2003", "GRATI"),
                            ("2004", "LABRUK KIDUL"),
                            ("2005", "MOJOSARI"),
                            ("2006", "SENTUL"),
                            ("2007", "PURWOSONO"),
                            ("2008", "PETAHUNAN"),
                        ),
                        weight=12,
                        cultures=(("jawa", 65), ("madura", 35)),
                        religions=_RURAL_JAVA,
                    ),
                    District(
                        "12",
                        "SENDURO",
                        "67361",
                        _villages(
                            ("2001", "PURWOREJO"),
                            ("2004", "SENDURO"),
                            ("2005", "BURNO"),
                            ("2008", "BEDAYU"),
                            ("2011", "ARGOSARI"),
                            ("2012", "RANUPANI"),
                        ),
                        weight=6,
                        cultures=_JAWA,
                        religions=_TENGGER,
                    ),
                    District(
                        "04",
                        "PASIRIAN",
                        "67372",
                        _villages(
                            ("2001", "GONDORUSO"),
                            ("2003", "BADES"),
                            ("2005", "SELOK AWAR-AWAR"),
                            ("2007", "MADUREJO"),
                            ("2008", "PASIRIAN"),
                            ("2009", "SEMEMU"),
                        ),
                        weight=6,
                        cultures=(("jawa", 60), ("madura", 40)),
                        religions=_RURAL_JAVA,
                    ),
                ),
            ),
            Regency(
                "73",
                "KOTA MALANG",
                "MALANG",
                ("SURABAYA", "BLITAR", "KEDIRI", "PASURUAN", "BATU"),
                (
                    District(
                        "02",
                        "KLOJEN",
                        "65111",
                        _villages(
                            ("1001", "KLOJEN"),
                            ("1002", "RAMPALCELAKET"),
                            ("1004", "KIDULDALEM"),
                            ("1007", "KAUMAN"),
                            ("1008", "ORO-ORO DOWO"),
                            ("1010", "GADING KASRI"),
                        ),
                        weight=5,
                        cultures=(("jawa", 90), ("madura", 10)),
                        religions=((1, 800), (2, 90), (3, 70), (4, 5), (5, 25), (6, 8), (7, 2)),
                        urban=True,
                    ),
                    District(
                        "05",
                        "LOWOKWARU",
                        "65141",
                        _villages(
                            ("1002", "MERJOSARI"),
                            ("1003", "TLOGOMAS"),
                            ("1004", "DINOYO"),
                            ("1005", "SUMBERSARI"),
                            ("1009", "MOJOLANGU"),
                            ("1011", "LOWOKWARU"),
                        ),
                        weight=5,
                        cultures=(("jawa", 90), ("madura", 10)),
                        religions=((1, 860), (2, 65), (3, 45), (4, 4), (5, 14), (6, 4), (7, 2)),
                        urban=True,
                    ),
                ),
            ),
        ),
    ),
    Province(
        "34",
        "DI YOGYAKARTA",
        (
            Regency(
                "02",
                "BANTUL",
                "BANTUL",
                ("YOGYAKARTA", "SLEMAN", "KULON PROGO", "KLATEN", "GUNUNGKIDUL"),
                (
                    District(
                        "08",
                        "BANTUL",
                        "55711",
                        _villages(
                            ("2001", "PALBAPANG"),
                            ("2002", "RINGINHARJO"),
                            ("2003", "BANTUL"),
                            ("2004", "TRIRENGGO"),
                            ("2005", "SABDODADI"),
                        ),
                        weight=8,
                        cultures=_JAWA,
                        religions=_TOWN_JAVA,
                    ),
                    District(
                        "15",
                        "SEWON",
                        "55185",
                        _villages(
                            ("2001", "PENDOWOHARJO"),
                            ("2002", "TIMBULHARJO"),
                            ("2003", "BANGUNHARJO"),
                            ("2004", "PANGGUNGHARJO"),
                        ),
                        weight=8,
                        cultures=_JAWA,
                        religions=_TOWN_JAVA,
                    ),
                    District(
                        "16",
                        "KASIHAN",
                        "55184",
                        _villages(
                            ("2001", "BANGUNJIWO"),
                            ("2002", "TIRTONIRMOLO"),
                            ("2003", "TAMANTIRTO"),
                            ("2004", "NGESTIHARJO"),
                        ),
                        weight=7,
                        cultures=_JAWA,
                        religions=_TOWN_JAVA,
                    ),
                    District(
                        "10",
                        "IMOGIRI",
                        "55782",
                        _villages(
                            ("2001", "SELOPAMIORO"),
                            ("2002", "SRIHARJO"),
                            ("2003", "WUKIRSARI"),
                            ("2004", "KEBONAGUNG"),
                            ("2008", "IMOGIRI"),
                        ),
                        weight=5,
                        cultures=_JAWA,
                        religions=_RURAL_JAVA,
                    ),
                ),
            ),
        ),
    ),
    Province(
        "33",
        "JAWA TENGAH",
        (
            Regency(
                "10",
                "KLATEN",
                "KLATEN",
                ("SURAKARTA", "BOYOLALI", "SUKOHARJO", "YOGYAKARTA", "WONOGIRI"),
                (
                    District(
                        "01",
                        "PRAMBANAN",
                        "57454",
                        _villages(
                            ("2001", "SENGON"),
                            ("2003", "KOTESAN"),
                            ("2006", "TLOGO"),
                            ("2007", "TAJI"),
                            ("2010", "KEMUDO"),
                            ("2014", "BRAJAN"),
                        ),
                        weight=5,
                        cultures=_JAWA,
                        religions=_KLATEN,
                    ),
                    District(
                        "25",
                        "KLATEN TENGAH",
                        "57411",
                        _villages(
                            ("1001", "BARENG"),
                            ("1002", "KABUPATEN"),
                            ("1003", "KLATEN"),
                            ("1004", "TONGGALAN"),
                            ("2005", "SEMANGKAK"),
                            ("2009", "GUMULAN"),
                        ),
                        weight=5,
                        cultures=_JAWA,
                        religions=_KLATEN,
                        urban=True,
                    ),
                ),
            ),
        ),
    ),
    Province(
        "32",
        "JAWA BARAT",
        (
            Regency(
                "04",
                "BANDUNG",
                "BANDUNG",
                ("GARUT", "SUMEDANG", "CIANJUR", "TASIKMALAYA", "JAKARTA"),
                (
                    District(
                        "05",
                        "CILEUNYI",
                        "40622",
                        _villages(
                            ("2001", "CILEUNYI KULON"),
                            ("2002", "CILEUNYI WETAN"),
                            ("2003", "CIMEKAR"),
                            ("2004", "CINUNUK"),
                            ("2005", "CIBIRU HILIR"),
                            ("2006", "CIBIRU WETAN"),
                        ),
                        weight=6,
                        cultures=(("sunda", 90), ("jawa", 10)),
                        religions=_SUNDA,
                        urban=True,
                    ),
                    District(
                        "37",
                        "SOREANG",
                        "40911",
                        _villages(
                            ("2001", "SOREANG"),
                            ("2002", "SADU"),
                            ("2004", "PANYIRAPAN"),
                            ("2010", "SUKAJADI"),
                            ("2011", "PAMEKARAN"),
                            ("2019", "CINGCIN"),
                        ),
                        weight=5,
                        cultures=(("sunda", 95), ("jawa", 5)),
                        religions=_SUNDA,
                    ),
                    District(
                        "15",
                        "PANGALENGAN",
                        "40378",
                        _villages(
                            ("2001", "PANGALENGAN"),
                            ("2002", "MARGALUYU"),
                            ("2003", "WARNASARI"),
                            ("2005", "LAMAJANG"),
                            ("2006", "MARGAMUKTI"),
                            ("2009", "SUKALUYU"),
                        ),
                        weight=4,
                        cultures=(("sunda", 97), ("jawa", 3)),
                        religions=_SUNDA,
                    ),
                ),
            ),
        ),
    ),
)


def all_places() -> tuple[Place, ...]:
    """Every kecamatan with its regency and province, in the fixed order listed above."""
    return tuple(
        Place(province, regency, district)
        for province in PROVINCES
        for regency in province.regencies
        for district in regency.districts
    )
