"""Where the archive keeps its copies: the seed's layered backups (server, hard disk, flash disk, other media).

Each location is a directory the gateway can write to — a server share, a mounted hard disk, a flash disk
mount point. Settings come from ``SIAKGATE_ARCHIVE_*`` (nested with ``__``)::

    SIAKGATE_ARCHIVE_LOCATIONS='[{"name": "server", "path": "/srv/arsip-kk"},
                                 {"name": "harddisk", "path": "/media/hdd-arsip"},
                                 {"name": "flashdisk", "path": "/media/flashdisk-arsip"}]'
    SIAKGATE_ARCHIVE_INTERVAL=5
    SIAKGATE_ARCHIVE_RENEW_MARGIN_DAYS=90

In development, with no locations configured, three directories under the gateway's ``state_dir``
stand for them (``<state_dir>/siakgate/archive/{server,harddisk,flashdisk}``). Outside development at
least two locations must be configured explicitly: copies on the same disk as the database are not a
backup. (The gateway's :class:`~siakgate.config.Settings` may carry an ``archive`` field of this type;
otherwise these are read from the environment.)
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from siakgate.config import Environment, Settings

__all__ = ["ArchiveLocation", "ArchiveSettings", "archive_settings", "locations_for"]

DEV_LOCATIONS = ("server", "harddisk", "flashdisk")


class ArchiveLocation(BaseModel):
    """One copy of the archive: a name for messages (``server``, ``flashdisk``) and a directory."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    path: Path


class ArchiveSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SIAKGATE_ARCHIVE_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    locations: list[ArchiveLocation] = Field(default_factory=list)
    """The archive's locations; empty means the development defaults under ``state_dir``."""
    interval: float = Field(default=2.0, gt=0)
    """Seconds between two passes of the replicator when there was nothing to do."""
    lease_seconds: float = Field(default=300.0, gt=0)
    """How long a claimed record belongs to one replicator (another takes it after a crash)."""
    renew_margin_days: int = Field(default=90, ge=1)
    """An archival form is renewed this long before its newest timestamp's TSA certificate expires."""
    renew_interval: float = Field(default=60.0, gt=0)
    """Seconds between two passes of the renewer when nothing was due (a pass that finds nothing is one
    indexed query; a newly signed KK gets its archival form within this time)."""

    @field_validator("locations")
    @classmethod
    def _distinct(cls, value: list[ArchiveLocation]) -> list[ArchiveLocation]:
        names = [location.name for location in value]
        paths = [location.path.expanduser().absolute() for location in value]
        if len(set(names)) != len(names) or len(set(paths)) != len(paths):
            raise ValueError("archive locations need distinct names and distinct paths")
        return value


def archive_settings(settings: Settings) -> ArchiveSettings:
    """The gateway's ``archive`` settings if it has them, else ``SIAKGATE_ARCHIVE_*`` from the environment."""
    configured = getattr(settings, "archive", None)
    return configured if isinstance(configured, ArchiveSettings) else ArchiveSettings()


def locations_for(settings: Settings, archive: ArchiveSettings) -> list[ArchiveLocation]:
    """The locations to use: configured ones, or the development defaults; refused when unsafe."""
    if archive.locations:
        return [ArchiveLocation(name=loc.name, path=loc.path.expanduser().absolute()) for loc in archive.locations]
    if settings.environment is not Environment.DEVELOPMENT:
        raise ValueError(
            "SIAKGATE_ARCHIVE_LOCATIONS wajib diisi di luar pengembangan (minimal dua lokasi cadangan berlapis)"
        )
    root = settings.state_dir / "siakgate" / "archive"
    return [ArchiveLocation(name=name, path=root / name) for name in DEV_LOCATIONS]
