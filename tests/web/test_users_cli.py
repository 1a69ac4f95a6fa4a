"""``siakgate users add|list|disable|password``: passwords from the terminal or a named variable, never an argument."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from siakgate.cli import main
from siakgate.store.db import Database
from siakgate.web.accounts import list_users
from siakgate.web.config import WebConfig


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    monkeypatch.setenv("SIAKGATE_DATABASE_URL", database_url)
    monkeypatch.setenv("SIAKGATE_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("UJI_SANDI", "sandi-yang-cukup-panjang")
    return database_url


def _users(url: str) -> list[tuple[str, str, tuple[str, ...], str, bool]]:
    db = Database.create(url)
    try:
        return [(u.username, u.full_name, u.roles, u.region_prefix, u.active) for u in asyncio.run(list_users(db))]
    finally:
        db.dispose()


def test_add_list_and_disable(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    identity = ["--name", "Siti Rahayu", "--password-env", "UJI_SANDI"]
    code = main(["users", "add", "Kasi.Satu", "--role", "kasi", "--role", "KABID", "--region", "3508", *identity])
    assert code == 0
    assert "Akun 'kasi.satu' dibuat." in capsys.readouterr().out
    assert _users(env) == [("kasi.satu", "Siti Rahayu", ("KASI", "KABID"), "3508", True)]
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "kasi.satu\tSiti Rahayu\tKASI,KABID\t3508\taktif" in out
    assert "sandi" not in out
    assert main(["users", "disable", "kasi.satu"]) == 0
    assert _users(env)[0][4] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "kasi", "--role", "KASI", "--password-env", "TIDAK_ADA"], "TIDAK_ADA kosong"),
        (["users", "add", "kasi", "--role", "BUKAN_PERAN", "--password-env", "UJI_SANDI"], "Peran tidak dikenal"),
        (["users", "add", "kasi", "--role", "KASI", "--region", "35x", "--password-env", "UJI_SANDI"], "Awalan"),
        (["users", "add", "k", "--role", "KASI", "--password-env", "UJI_SANDI"], "Nama pengguna 3-64"),
        (["users", "add", "kasi", "--role", "KASI", "--password-env", "SANDI_PENDEK"], "paling sedikit 10"),
        (["users", "disable", "tidak-ada"], "Tidak ada akun"),
    ],
)
def test_refusals_write_nothing(
    env: str, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SANDI_PENDEK", "pendek")
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert _users(env) == []


def test_a_second_account_of_the_same_name_is_refused(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "add", "kasi", "--role", "KASI", "--password-env", "UJI_SANDI"]) == 0
    assert main(["users", "add", "KASI", "--role", "KABID", "--password-env", "UJI_SANDI"]) == 2
    assert "sudah ada" in capsys.readouterr().err
    assert _users(env) == [("kasi", "kasi", ("KASI",), "", True)]


def test_the_password_is_never_an_argument(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["users", "add", "kasi", "--role", "KASI", "--password", "sandi-yang-cukup-panjang"])
    assert exited.value.code == 2
    assert _users(env) == []


def test_without_a_terminal_and_without_password_env_the_command_says_how(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "add", "kasi", "--role", "KASI"]) == 2  # pytest's stdin is not a terminal
    assert "--password-env" in capsys.readouterr().err


def test_the_hash_is_argon2id(env: str) -> None:
    from sqlalchemy import select

    from siakgate.store.models_web import WebUser

    assert main(["users", "add", "kasi", "--role", "KASI", "--password-env", "UJI_SANDI"]) == 0
    db = Database.create(env)
    try:
        stored = asyncio.run(db.run(lambda s: s.scalar(select(WebUser.password_hash)), read_only=True))
    finally:
        db.dispose()
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert "sandi-yang-cukup-panjang" not in stored
    assert WebConfig().max_failures == 5


def _check(url: str, username: str, password: str) -> bool:
    from siakgate.web.accounts import SignInRefused, check_password

    db = Database.create(url)
    try:
        asyncio.run(check_password(db, username, password, WebConfig()))
    except SignInRefused:
        return False
    finally:
        db.dispose()
    return True


def test_password_resets_the_password_and_reenables_the_account(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What make run's banner tells a user who forgot a demo password: ``siakgate users password NAME``."""
    assert main(["users", "add", "kasi", "--role", "KASI", "--password-env", "UJI_SANDI"]) == 0
    assert main(["users", "disable", "kasi"]) == 0
    monkeypatch.setenv("SANDI_BARU", "sandi-baru-yang-panjang")
    assert main(["users", "password", "KASI", "--password-env", "SANDI_BARU"]) == 0
    assert "Kata sandi akun 'kasi' diganti" in capsys.readouterr().out
    assert _users(env)[0][4] is True
    assert _check(env, "kasi", "sandi-baru-yang-panjang")
    assert not _check(env, "kasi", "sandi-yang-cukup-panjang")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "password", "tidak-ada", "--password-env", "UJI_SANDI"], "Tidak ada akun"),
        (["users", "password", "kasi", "--password-env", "SANDI_PENDEK"], "paling sedikit 10"),
        (["users", "password", "kasi", "--password-env", "TIDAK_ADA"], "TIDAK_ADA kosong"),
    ],
)
def test_a_refused_password_change_keeps_the_old_one(
    env: str, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "add", "kasi", "--role", "KASI", "--password-env", "UJI_SANDI"]) == 0
    monkeypatch.setenv("SANDI_PENDEK", "pendek")
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert _check(env, "kasi", "sandi-yang-cukup-panjang")
