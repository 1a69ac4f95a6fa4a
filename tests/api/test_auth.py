"""Bearer tokens: missing, unknown and revoked are 401; role and region are the workflow's (403/404)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from api_kit import Api
from sqlalchemy import select

from siakgate.api.tokens import TokenError, add_token, authenticate, hash_token, list_tokens, revoke_token
from siakgate.clock import Clock
from siakgate.store.db import Database
from siakgate.store.models import ApiToken

NOW = Clock()
"""Token times: the tests' clock is the system's."""

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sgt_tidak-dikenal"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["missing", "unknown", "not-bearer"],
)
def test_no_valid_token_is_401(api: Api, headers: dict[str, str]) -> None:
    response = api.client.get("/v1/applications", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "TOKEN_TIDAK_VALID"


def test_a_revoked_token_is_401(api: Api) -> None:
    headers = api.token("PETUGAS_LOKET", name="loket-1")
    assert api.client.get("/v1/applications", headers=headers).status_code == 200
    asyncio.run(revoke_token(api.db, "loket-1", now=NOW()))
    response = api.client.get("/v1/applications", headers=headers)
    assert response.status_code == 401
    assert "dicabut" in response.json()["detail"]


def test_tokens_are_stored_hashed(database: Database) -> None:
    token = asyncio.run(add_token(database, "wa-desk", ["operator_wa", "PEMOHON"], "3508", now=NOW()))
    assert token.startswith("sgt_")
    assert len(token) > 40
    with database.unit_of_work(read_only=True) as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.sha256 == hash_token(token) != token
        assert token not in repr(vars(row))
    actor = asyncio.run(authenticate(database, f"Bearer {token}"))
    assert actor.name == "wa-desk"
    assert actor.roles == frozenset({"OPERATOR_WA", "PEMOHON"})
    assert actor.region_prefix == "3508"


@pytest.mark.parametrize(
    ("roles", "region", "message"),
    [(["TUKANG_SULAP"], "", "Peran tidak dikenal"), ([], "", "sedikitnya satu peran"), (["KASI"], "35081", "Awalan")],
)
def test_bad_tokens_are_refused_and_nothing_is_stored(
    database: Database, roles: list[str], region: str, message: str
) -> None:
    with pytest.raises(TokenError, match=message):
        asyncio.run(add_token(database, "x", roles, region, now=NOW()))
    assert asyncio.run(list_tokens(database)) == []


def test_tokens_command_adds_lists_and_revokes(database_url: str, tmp_path: Path) -> None:
    env = {"SIAKGATE_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}

    def siakgate(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "siakgate", "tokens", *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )

    added = siakgate("add", "desa-1", "--role", "OPERATOR_DESA", "--region", "3508200001")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert token.startswith("sgt_")
    listed = siakgate("list")
    assert "desa-1\tOPERATOR_DESA\t3508200001\taktif" in listed.stdout
    assert token not in listed.stdout
    again = siakgate("add", "desa-1", "--role", "KASI")
    assert again.returncode == 2
    assert "sudah ada" in again.stderr
    assert siakgate("revoke", "desa-1").returncode == 0
    assert "dicabut" in siakgate("list").stdout
    unknown = siakgate("add", "x", "--role", "RAJA")
    assert unknown.returncode == 2
    assert "Peran tidak dikenal" in unknown.stderr
