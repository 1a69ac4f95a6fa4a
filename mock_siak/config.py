"""Settings of mock SIAK: where its state lives, the synthetic population, who may call it, how it misbehaves."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from mock_common.faults import FaultConfig

#: Western Indonesia Time: the Dinas's working day, used for entry dates, print-list dates and NO_KK numbers.
WIB = timezone(timedelta(hours=7), "WIB")

PopulationSource = Callable[[int, int], Iterable[dict[str, Any]]]


class DraftRenderer(Protocol):
    """The signature of ``mock_siak.draft_pdf.render_draft_kk``."""

    def __call__(
        self,
        family: dict[str, Any],
        *,
        no_permohonan: str,
        issued_on: date,
        kepala_dinas_name: str,
        kepala_dinas_nip: str,
        kab_name: str,
        draft: bool = True,
    ) -> bytes: ...


def now_wib() -> datetime:
    return datetime.now(WIB)


@dataclass(frozen=True)
class DukcapilAccount:
    """One consumer of the Dukcapil REST service (:mod:`mock_siak.dukcapil_rest`): its ``user_id`` and
    ``password`` and, when not empty, the only ``ip_user`` values it may send (empty: any, but one is required).
    Development credentials of a mock, never real ones."""

    user_id: str
    password: str
    ip_users: tuple[str, ...] = ()


def _dukcapil_accounts() -> dict[str, DukcapilAccount]:
    return {"siakgate": DukcapilAccount("siakgate", "siakgate-dev")}


@dataclass
class SiakMockConfig:
    """Everything ``create_app`` needs.

    ``clients`` maps user names to passwords (WS-Security UsernameToken or HTTP Basic); they are development
    credentials of a mock, never real ones. ``population`` and ``draft_renderer`` default to the
    synthetic generator and the KK renderer of :mod:`mock_siak.population` /
    :mod:`mock_siak.draft_pdf`; tests may inject small stand-ins. ``clock`` is the business clock
    (entry dates, certification time); pin it in tests.
    """

    state_dir: Path
    families: int = 3000
    seed: int = 20261122
    clients: dict[str, str] = field(default_factory=lambda: {"siakgate": "siakgate-dev"})
    faults: FaultConfig = field(default_factory=FaultConfig)
    kepala_dinas_name: str = "Drs. Bambang Setiawan, M.Si."  # the kepala-dinas identity in certs/
    kepala_dinas_nip: str = "197205121998031001"
    max_body_bytes: int = 25 * 1024 * 1024
    clock: Callable[[], datetime] = now_wib
    population: PopulationSource | None = None
    draft_renderer: DraftRenderer | None = None
    dukcapil_accounts: dict[str, DukcapilAccount] = field(default_factory=_dukcapil_accounts)
    """Consumers of ``/dukcapil/get_json/<consumer>/...`` (the key is the consumer in the path)."""
    dukcapil_daily_quota: int | None = None
    """Calls per consumer per WIB day before ``Kuota Akses Hari ini telah Habis``; None: unlimited."""

    def __post_init__(self) -> None:
        self.state_dir = Path(self.state_dir)
        if self.families < 0:
            raise ValueError("families must be >= 0")
        if not self.clients:
            raise ValueError("at least one client (user name and password) is needed")

    @property
    def db_path(self) -> Path:
        return self.state_dir / "siak.sqlite3"
