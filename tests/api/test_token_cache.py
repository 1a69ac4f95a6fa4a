"""The gateway's token cache: a valid token is not looked up again within the TTL; a revocation in this process
ends it at once, one elsewhere within the TTL; unknown and revoked tokens are never cached."""

from __future__ import annotations

import asyncio

import pytest
from api_kit import Api
from sqlalchemy import update

from siakgate.api.tokens import (
    TOKEN_CACHE_SECONDS,
    TokenCache,
    UnauthenticatedError,
    add_token,
    authenticate,
    revoke_token,
)
from siakgate.clock import Clock
from siakgate.store.db import Database
from siakgate.store.models import ApiToken

NOW = Clock()


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _revoke_behind_the_cache(db: Database, name: str) -> None:
    """What another process's ``siakgate tokens revoke`` does to this process: the row changes, nothing else."""
    with db.unit_of_work() as session:
        session.execute(update(ApiToken).where(ApiToken.name == name).values(revoked_at=NOW()))


def test_the_ttl_is_brief() -> None:
    assert 0 < TOKEN_CACHE_SECONDS <= 10


def test_a_cached_token_needs_no_lookup_until_the_ttl_ends(database: Database) -> None:
    clock = FakeMonotonic()
    cache = TokenCache(database, ttl=5, monotonic=clock)
    token = asyncio.run(add_token(database, "loket-1", ["PETUGAS_LOKET"], "3508", now=NOW()))
    header = f"Bearer {token}"
    actor = asyncio.run(authenticate(database, header, cache=cache))
    assert (actor.name, actor.region_prefix) == ("loket-1", "3508")

    _revoke_behind_the_cache(database, "loket-1")
    clock.now += 4.9
    assert asyncio.run(authenticate(database, header, cache=cache)) == actor  # within the TTL: cached
    clock.now += 0.2
    with pytest.raises(UnauthenticatedError, match="dicabut"):
        asyncio.run(authenticate(database, header, cache=cache))
    with pytest.raises(UnauthenticatedError, match="dicabut"):  # and a revoked token is not cached
        asyncio.run(authenticate(database, header, cache=cache))


def test_a_revocation_in_this_process_clears_every_cache_of_the_database_at_once(database: Database) -> None:
    clock = FakeMonotonic()
    cache = TokenCache(database, ttl=60, monotonic=clock)
    token = asyncio.run(add_token(database, "loket-2", ["PETUGAS_LOKET"], now=NOW()))
    other = asyncio.run(add_token(database, "loket-3", ["PETUGAS_LOKET"], now=NOW()))
    asyncio.run(authenticate(database, f"Bearer {token}", cache=cache))
    asyncio.run(authenticate(database, f"Bearer {other}", cache=cache))
    # Another Database object on the same database (as the CLI or a test holds): the cache hears of it.
    second = Database.create(database.engine.url)
    try:
        asyncio.run(revoke_token(second, "loket-2", now=NOW()))
    finally:
        second.dispose()
    with pytest.raises(UnauthenticatedError, match="dicabut"):
        asyncio.run(authenticate(database, f"Bearer {token}", cache=cache))
    _revoke_behind_the_cache(database, "loket-3")
    assert asyncio.run(authenticate(database, f"Bearer {other}", cache=cache)).name == "loket-3"  # still cached


def test_unknown_tokens_are_not_cached(database: Database) -> None:
    cache = TokenCache(database, ttl=60)
    for _ in range(2):
        with pytest.raises(UnauthenticatedError, match="tidak dikenal"):
            asyncio.run(authenticate(database, "Bearer sgt_tidak-dikenal", cache=cache))
    assert cache.get("anything") is None


def test_a_lookup_that_began_before_a_revocation_is_not_cached(database: Database) -> None:
    cache = TokenCache(database, ttl=60)
    token = asyncio.run(add_token(database, "loket-4", ["PETUGAS_LOKET"], now=NOW()))
    actor = asyncio.run(authenticate(database, f"Bearer {token}"))
    generation = cache.generation
    cache.forget("loket-4")  # the revocation lands between the lookup and its caching
    cache.put("digest", actor, generation)
    assert cache.get("digest") is None


def test_the_gateway_refuses_a_token_revoked_through_the_cli_path_at_once(api: Api) -> None:
    headers = api.token("PETUGAS_LOKET", name="loket-5")
    for _ in range(3):  # cached by now
        assert api.client.get("/v1/applications", headers=headers).status_code == 200
    asyncio.run(revoke_token(api.db, "loket-5", now=NOW()))
    response = api.client.get("/v1/applications", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_TIDAK_VALID"
