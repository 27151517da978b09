"""Logging in and out: where people land, back-off, revocable sessions, open redirects, rate limit.

Only the tests about the login form itself log in through it (Argon2 is deliberately slow); the others
use `login_as`, which opens a real server-side session without the password round trip.
"""
from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from scm.models import User, UserSession, utcnow
from tests import factories as f

NEW_PASSWORD = "a brand new passphrase"




def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def post_login(client, email: str, password: str = f.PASSWORD, next_url: str | None = None):  # type: ignore
    url = "/login" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, data={"email": email, "password": password})


def location_path(response) -> str:  # type: ignore[no-untyped-def]
    return urlsplit(response.headers["Location"]).path


def is_login_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and location_path(response) == "/login"


def reload(session, user: User) -> User:  # type: ignore[no-untyped-def]
    session.expire_all()
    fresh = session.get(User, user.id)
    return fresh


def replay(app, cookie_value: str):  # type: ignore[no-untyped-def]
    """A brand-new browser that only has the captured session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie_value)
    return other


# ---------------------------------------------------------------- landing pages


@pytest.mark.parametrize("role, home", [("admin", "/dashboard"), ("buyer", "/dashboard"),
                                        ("warehouse", "/dashboard"), ("viewer", "/dashboard"),
                                        ("supplier", "/portal/")])
def test_login_lands_on_the_roles_home(client, session, role, home):
    user = f.user(session, role, email=f"{role}.home@example.com")
    session.commit()
    response = post_login(client, "  " + user.email.upper() + " ")  # email is matched case-insensitively
    assert response.status_code == 302, page_text(response)
    assert location_path(response) == home
    assert client.get(home).status_code == 200
    user = reload(session, user)
    assert user.last_login_at is not None and user.failed_logins == 0


def test_login_form_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    body = page_text(response)
    assert 'name="email"' in body and 'name="password"' in body


def test_logged_in_user_visiting_login_goes_home(client, login_as):
    login_as("viewer")
    response = client.get("/login")
    assert response.status_code == 302 and location_path(response) == "/dashboard"


def test_anonymous_root_goes_to_login_and_pages_remember_where_you_were(client):
    assert is_login_redirect(client.get("/"))
    response = client.get("/items?q=bolt")
    assert is_login_redirect(response)
    assert "next=" in response.headers["Location"]


# ---------------------------------------------------------------- refusals and back-off


def test_wrong_password_is_401_with_a_message_and_no_session(client, session):
    user = f.user(session, "buyer")
    session.commit()
    response = post_login(client, user.email, "not the password")
    assert response.status_code == 401
    assert "wrong email or password" in page_text(response)
    assert is_login_redirect(client.get("/dashboard"))
    assert reload(session, user).failed_logins == 1
    assert session.scalars(select(UserSession)).all() == []


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, session):
    user = f.user(session, "buyer")
    session.commit()
    wrong = post_login(client, user.email, "not the password")
    unknown = post_login(client, "nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 401

    def message(response) -> list[str]:  # type: ignore[no-untyped-def]
        return re.findall(r"wrong email or password|too many|try again", page_text(response))

    assert message(wrong) == message(unknown) == ["wrong email or password"]


def test_inactive_account_cannot_log_in(client, session):
    user = f.user(session, "buyer", active=False)
    session.commit()
    response = post_login(client, user.email)
    assert response.status_code == 401 and "wrong email or password" in page_text(response)
    assert is_login_redirect(client.get("/dashboard"))


def test_five_failures_lock_the_account_then_it_backs_off_and_recovers(client, session):
    user = f.user(session, "warehouse")
    session.commit()
    for attempt in range(1, 6):
        response = post_login(client, user.email, f"guess number {attempt}")
        assert response.status_code == 401
    user = reload(session, user)
    assert user.failed_logins == 5
    assert user.locked_until is not None and user.locked_until > utcnow()
    assert user.locked_until - utcnow() <= timedelta(seconds=31)

    refused = post_login(client, user.email)  # the right password, but too soon
    assert refused.status_code == 401
    wait = re.search(r"try again in (\d+) seconds", page_text(refused))
    assert wait, page_text(refused)
    assert 1 <= int(wait.group(1)) <= 31
    assert is_login_redirect(client.get("/dashboard"))

    user = reload(session, user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    accepted = post_login(client, user.email)
    assert accepted.status_code == 302 and location_path(accepted) == "/dashboard"
    user = reload(session, user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_back_off_doubles_after_each_further_failure(client, session):
    user = f.user(session, "viewer", failed_logins=5, locked_until=utcnow() - timedelta(seconds=1))
    session.commit()
    assert post_login(client, user.email, "still wrong").status_code == 401
    user = reload(session, user)
    assert user.failed_logins == 6
    assert timedelta(seconds=55) < user.locked_until - utcnow() <= timedelta(seconds=60)


# ---------------------------------------------------------------- sessions end for real


def test_a_cookie_captured_before_logout_is_refused_after_it(app, client, login_as):
    login_as("buyer")
    cookie = client.get_cookie("session").value
    assert replay(app, cookie).get("/dashboard").status_code == 200  # the copy works while logged in
    response = client.post("/logout")
    assert is_login_redirect(response)
    assert is_login_redirect(client.get("/dashboard"))
    assert is_login_redirect(replay(app, cookie).get("/dashboard"))


def test_logout_ends_only_that_session(app, client, session):
    user = f.user(session, "viewer")
    other = app.test_client()
    f.login(client, session, user)
    f.login(other, session, user)
    client.post("/logout")
    assert is_login_redirect(client.get("/dashboard"))
    assert other.get("/dashboard").status_code == 200


def test_logout_needs_post(client, login_as):
    login_as("viewer")
    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_password_change_ends_sessions_and_only_the_new_password_works(app, client, session):
    user = f.user(session, "buyer")
    elsewhere = app.test_client()
    f.login(client, session, user)
    f.login(elsewhere, session, user)
    cookie = client.get_cookie("session").value
    response = client.post("/account", data={"current_password": f.PASSWORD, "new_password": NEW_PASSWORD,
                                             "confirm": NEW_PASSWORD})
    assert is_login_redirect(response), page_text(response)
    assert is_login_redirect(replay(app, cookie).get("/dashboard"))
    assert is_login_redirect(elsewhere.get("/dashboard"))
    fresh = app.test_client()
    assert post_login(fresh, user.email, f.PASSWORD).status_code == 401
    assert location_path(post_login(fresh, user.email, NEW_PASSWORD)) == "/dashboard"


@pytest.mark.parametrize("data, field_message", [
    ({"current_password": "wrong wrong wrong", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
     "the current password is not right"),
    ({"current_password": f.PASSWORD, "new_password": NEW_PASSWORD, "confirm": "something else"},
     "the passwords differ"),
    ({"current_password": f.PASSWORD, "new_password": "short", "confirm": "short"}, "10"),
    pytest.param({"current_password": f.PASSWORD, "new_password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"},
                 "use a less repetitive password", id="repetitive"),
], ids=["wrong-current", "mismatch", "too-short", "repetitive"])
def test_password_change_refusals_keep_the_session_and_the_old_password(app, client, session, data,
                                                                        field_message):
    user = f.user(session, "buyer")
    f.login(client, session, user)
    old_hash = user.password_hash
    response = client.post("/account", data=data)
    assert response.status_code == 422
    assert field_message in page_text(response)
    assert client.get("/dashboard").status_code == 200
    assert reload(session, user).password_hash == old_hash


def test_a_repetitive_new_password_is_refused_with_its_reason(app, client, session):
    user = f.user(session, "buyer")
    f.login(client, session, user)
    old_hash = user.password_hash
    response = client.post("/account", data={"current_password": f.PASSWORD, "new_password": "abababababab",
                                             "confirm": "abababababab"})
    assert "use a less repetitive password" in page_text(response)
    assert reload(session, user).password_hash == old_hash
    assert client.get("/dashboard").status_code == 200


def _edit_user_form(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {"email": user.email, "name": user.name, "role": user.role,
                               "supplier_id": user.supplier_id or 0, "approval_limit": "0", "password": ""}
    if user.active:
        data["active"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_deactivating_a_user_ends_their_sessions_for_good(app, client, session, login_as):
    login_as("admin")
    victim = f.user(session, "buyer")
    their_browser = app.test_client()
    f.login(their_browser, session, victim)
    assert their_browser.get("/dashboard").status_code == 200

    response = client.post(f"/admin/users/{victim.id}", data=_edit_user_form(victim, active=None))
    assert response.status_code == 302, page_text(response)
    assert is_login_redirect(their_browser.get("/dashboard"))
    session.expire_all()
    assert all(s.revoked_at is not None for s in session.scalars(
        select(UserSession).where(UserSession.user_id == victim.id)))

    # Reactivating the account must not bring the old session back.
    victim = reload(session, victim)
    assert client.post(f"/admin/users/{victim.id}", data=_edit_user_form(victim, active="y")).status_code == 302
    assert is_login_redirect(their_browser.get("/dashboard"))


def test_changing_a_users_role_ends_their_sessions(app, client, session, login_as):
    login_as("admin")
    user = f.user(session, "buyer")
    their_browser = app.test_client()
    f.login(their_browser, session, user)
    response = client.post(f"/admin/users/{user.id}", data=_edit_user_form(user, role="viewer"))
    assert response.status_code == 302
    assert is_login_redirect(their_browser.get("/dashboard"))


# ---------------------------------------------------------------- open redirects


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "http://evil.com/items",
                                    "//evil.com/%2F..", "javascript:alert(1)"])
def test_login_does_not_follow_offsite_next(client, session, target):
    user = f.user(session, "viewer")
    session.commit()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path == "/dashboard", response.headers["Location"]


@pytest.mark.parametrize("target", [
    pytest.param("/\\evil.com", id="backslash"),
    pytest.param("/\\/evil.com", id="backslash-slash"),
    pytest.param("/\t/evil.com", id="tab"),
    pytest.param("/\n/evil.com", id="newline"),
])
def test_login_next_cannot_smuggle_a_host_past_browser_url_parsing(client, session, target):
    """Browsers read '/\\' as '//' and drop tabs; whatever Location we send must still be on-site."""
    user = f.user(session, "viewer")
    session.commit()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 302
    as_browser_reads_it = re.sub(r"[\t\r\n]", "", response.headers["Location"]).replace("\\", "/")
    assert urlsplit(as_browser_reads_it).netloc in ("", "localhost"), response.headers["Location"]


def test_login_follows_a_local_next(client, session):
    user = f.user(session, "viewer")
    session.commit()
    response = client.post("/login", query_string={"next": "/items?q=bolt"},
                           data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/items?q=bolt")


# ---------------------------------------------------------------- rate limit


def test_more_than_ten_login_posts_a_minute_from_one_ip_get_429(make_app, session):
    limited = make_app(RATELIMIT_ENABLED=True)
    browser = limited.test_client()
    for _ in range(10):  # an empty form is refused before any password check: cheap
        assert browser.post("/login", data={"email": "", "password": ""}).status_code == 200
    assert browser.post("/login", data={"email": "", "password": ""}).status_code == 429
    assert browser.get("/login").status_code == 200  # only POSTs are limited
    neighbour = limited.test_client()
    response = neighbour.post("/login", data={"email": "", "password": ""},
                              environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 200  # another IP has its own budget
