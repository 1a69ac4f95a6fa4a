"""Sign-in, sign-out, lock-out, session expiry and CSRF of the workstation (HTTP level, both databases)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from web_kit import PASSWORD, Web

from siakgate.store.models_web import WebSession, WebUser

REFUSED = "Nama pengguna atau kata sandi salah, atau akun sedang dikunci."


def test_sign_in_lands_on_the_officers_queue_and_sign_out_ends_the_session(web: Web) -> None:
    web.user("kasi", "KASI", name="Siti Kasi")
    browser = web.browser()
    landing = browser.get("/ws/")
    assert landing.status_code == 303
    assert landing.headers["location"] == "/ws/masuk"
    page = browser.get("/ws/masuk")
    assert 'data-testid="login-form"' in page.text
    assert 'data-testid="login-password"' in page.text

    signed_in = browser.sign_in("kasi")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/ws/verifikasi"
    cookie = signed_in.headers["set-cookie"]
    assert "siakgate_ws=" in cookie
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # public_base_url is http:// in the tests
    token = browser.client.cookies["siakgate_ws"]
    stored = _sessions(web)
    assert len(stored) == 1
    assert token not in stored[0]  # only the token's hash is kept
    queue = browser.get("/ws/verifikasi")
    assert queue.status_code == 200
    assert 'data-user="kasi"' in queue.text
    assert "Siti Kasi" in queue.text
    assert 'data-testid="queue-empty"' in queue.text

    out = browser.form("/ws/keluar")
    assert out.status_code == 303
    assert out.headers["location"] == "/ws/masuk?pesan=keluar"
    assert _sessions(web) == []
    again = browser.get("/ws/verifikasi")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/ws/masuk")
    # The old cookie, replayed by someone who kept it, opens nothing either.
    thief = web.browser()
    thief.client.cookies.set("siakgate_ws", token)
    assert thief.get("/ws/verifikasi").status_code == 303


def test_a_secure_cookie_when_the_gateway_is_public_over_https(web: Web) -> None:
    web.user("kasi", "KASI")
    web.settings.public_base_url = "https://dukcapil.example"
    browser = web.browser()
    page = browser.get("/ws/masuk")
    assert "secure" in page.headers["set-cookie"].lower()
    pre = page.cookies["siakgate_ws_pre"]  # httpx keeps a Secure cookie from http:// but will not send it back
    signed_in = browser.post(
        "/ws/masuk",
        data={"username": "kasi", "password": PASSWORD, "csrf_token": pre},
        headers={"Cookie": f"siakgate_ws_pre={pre}"},
    )
    assert signed_in.status_code == 303
    assert "secure" in signed_in.headers["set-cookie"].lower()


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(web: Web) -> None:
    web.user("kasi", "KASI")
    browser = web.browser()
    wrong = browser.sign_in("kasi", "bukan-kata-sandinya")
    unknown = browser.sign_in("tidak-ada", "bukan-kata-sandinya")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert 'data-testid="error-banner"' in response.text
        assert REFUSED in response.text
        assert "siakgate_ws=" not in response.headers.get("set-cookie", "")
    assert wrong.text.replace('value="kasi"', "") == unknown.text.replace('value="tidak-ada"', "")
    assert _sessions(web) == []
    assert browser.get("/ws/verifikasi").status_code == 303


def test_five_failures_lock_the_account_for_fifteen_minutes_from_that_address(web: Web) -> None:
    web.user("kasi", "KASI")
    browser = web.browser()
    for _ in range(4):
        assert browser.sign_in("kasi", "salah-salah-salah").status_code == 401
    assert _user(web).failed_attempts == 4
    assert browser.sign_in("kasi", "salah-salah-salah").status_code == 401
    # Locked for this address (siakgate.web.throttle), not for everyone: one address is not enough.
    assert _user(web).locked_until is None
    # Locked: even the right password is refused, with the same message as a wrong one.
    locked = browser.sign_in("kasi", PASSWORD)
    assert locked.status_code == 401
    assert REFUSED in locked.text
    web.clock.advance(minutes=14, seconds=59)
    assert browser.sign_in("kasi", PASSWORD).status_code == 401
    web.clock.advance(seconds=2)
    opened = browser.sign_in("kasi", PASSWORD)
    assert opened.status_code == 303
    assert _user(web).failed_attempts == 0
    assert _user(web).locked_until is None


def test_a_success_resets_the_count_of_failures(web: Web) -> None:
    web.user("kasi", "KASI")
    browser = web.browser()
    for _ in range(4):
        browser.sign_in("kasi", "salah-salah-salah")
    assert browser.sign_in("kasi", PASSWORD).status_code == 303
    other = web.browser()
    for _ in range(4):
        other.sign_in("kasi", "salah-salah-salah")
    assert _user(web).locked_until is None


def test_a_disabled_account_cannot_sign_in_and_loses_its_sessions(web: Web) -> None:
    from siakgate.web.accounts import disable_user

    web.user("kasi", "KASI")
    browser = web.browser("kasi")
    asyncio.run(disable_user(web.db, "kasi"))
    assert browser.get("/ws/verifikasi").status_code == 303
    refused = web.browser().sign_in("kasi")
    assert refused.status_code == 401
    assert REFUSED in refused.text


def test_an_idle_session_and_an_old_session_expire(web: Web) -> None:
    web.user("kasi", "KASI")
    browser = web.browser("kasi")
    web.clock.advance(minutes=29)
    assert browser.get("/ws/verifikasi").status_code == 200  # used: the idle time starts again
    web.clock.advance(minutes=29)
    assert browser.get("/ws/verifikasi").status_code == 200
    web.clock.advance(minutes=31)
    expired = browser.get("/ws/verifikasi")
    assert expired.status_code == 303
    assert expired.headers["location"].startswith("/ws/masuk?pesan=sesi-berakhir")
    assert "Sesi Anda berakhir" in browser.get(expired.headers["location"]).text
    assert _sessions(web) == []
    # A session used all day still ends after ten hours.
    browser = web.browser("kasi")
    for _ in range(20):  # 580 minutes
        web.clock.advance(minutes=29)
        assert browser.get("/ws/riwayat").status_code == 200
    web.clock.advance(minutes=29)
    assert browser.get("/ws/riwayat").status_code == 303
    status = browser.get("/ws/tte/batch/x/status", headers={"Accept": "application/json"})
    assert status.status_code == 401
    assert status.json()["code"] == "SESI_BERAKHIR"


def test_state_changing_requests_without_the_sessions_csrf_token_are_refused(web: Web) -> None:
    web.user("kasi", "KASI")
    web.user("kabid", "KABID")
    browser = web.browser("kasi")
    other = web.browser("kabid")
    no_token = browser.post("/ws/keluar")
    assert no_token.status_code == 403
    assert 'data-testid="csrf-error"' in no_token.text
    forged = browser.post("/ws/keluar", data={"csrf_token": other.csrf()})
    assert forged.status_code == 403
    header = browser.post("/ws/keluar", headers={"X-CSRF-Token": "x" * 43, "Accept": "application/json"})
    assert header.status_code == 403
    assert header.json()["code"] == "CSRF_DITOLAK"
    assert len(_sessions(web)) == 2  # nothing was signed out
    assert browser.post("/ws/keluar", headers={"X-CSRF-Token": browser.csrf()}).status_code == 303
    # The sign-in form too: without the pre-session cookie's twin, nothing happens.
    stranger = web.browser()
    login = stranger.post("/ws/masuk", data={"username": "kasi", "password": PASSWORD, "csrf_token": "tebak"})
    assert login.status_code == 403
    assert 'data-testid="csrf-error"' in login.text
    assert len(_sessions(web)) == 1


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(web: Web) -> None:
    web.user("kasi", "KASI")
    browser = web.browser()
    first = browser.get("/ws/riwayat")
    assert first.headers["location"] == "/ws/masuk?pesan=perlu-masuk&lanjut=/ws/riwayat"
    page = browser.get(first.headers["location"])
    assert 'name="lanjut" value="/ws/riwayat"' in page.text
    token = browser.csrf("/ws/masuk")
    back = browser.post(
        "/ws/masuk", data={"username": "kasi", "password": PASSWORD, "csrf_token": token, "lanjut": "/ws/riwayat"}
    )
    assert back.headers["location"] == "/ws/riwayat"
    elsewhere = web.browser()
    token = elsewhere.csrf("/ws/masuk")
    away = elsewhere.post(
        "/ws/masuk", data={"username": "kasi", "password": PASSWORD, "csrf_token": token, "lanjut": "//evil.example/"}
    )
    assert away.headers["location"] == "/ws/verifikasi"


def _user(web: Web) -> WebUser:
    def read(session: object) -> WebUser:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        user = session.scalars(select(WebUser).where(WebUser.username == "kasi")).one()
        session.expunge(user)
        return user

    return asyncio.run(web.db.run(read, read_only=True))


def _sessions(web: Web) -> list[str]:
    def read(session: object) -> list[str]:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        return list(session.scalars(select(WebSession.id)))

    return asyncio.run(web.db.run(read, read_only=True))
