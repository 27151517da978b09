"""Security properties users never see but rely on: headers, CSRF, secrets, hashes, cookies."""
from __future__ import annotations

import hashlib
import html
import re

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from scm.app import InsecureConfiguration, create_app
from scm.config import DEFAULT_SECRET_KEY
from scm.models import ApiToken, Item, User
from scm.services.kernel import accounts
from tests import factories as f

LONG_KEY = "k" * 48




def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def csrf_token(response) -> str:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    tag = re.search(r"<input[^>]*name=\"csrf_token\"[^>]*>", body)
    assert tag, "the form has no hidden csrf_token input"
    value = re.search(r"value=\"([^\"]+)\"", tag.group(0))
    assert value, tag.group(0)
    return html.unescape(value.group(1))


# ---------------------------------------------------------------- headers


def _assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("default-src") == ["'self'"]
    assert "script-src" in directives and "*" not in directives["script-src"]
    assert directives.get("object-src") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin",
                                                       "no-referrer")


def test_security_headers_on_html_pages(client, login_as):
    _assert_security_headers(client.get("/login"))
    login_as("viewer")
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and dashboard.mimetype == "text/html"
    _assert_security_headers(dashboard)
    _assert_security_headers(client.get("/no-such-page"))


def test_security_headers_on_api_responses(client, session):
    token = f.api_token(session, f.user(session, "viewer"))
    ok = client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.is_json
    _assert_security_headers(ok)
    _assert_security_headers(client.get("/api/v1/items"))  # the 401
    _assert_security_headers(client.get("/api/v1/openapi.json"))


def test_no_hsts_on_plain_http_development(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_client(make_app):  # type: ignore[no-untyped-def]
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def test_form_post_without_csrf_token_is_400_and_changes_nothing(csrf_client, session):
    f.login(csrf_client, session, f.user(session, "buyer"))
    response = csrf_client.post("/items/new", data={"sku": "CSRF-1", "name": "Forged", "uom": "ea",
                                                    "abc_class": "C", "active": "y"})
    assert response.status_code == 400
    assert "csrf" in page_text(response).lower()
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_form_post_with_a_wrong_csrf_token_is_400(csrf_client, session):
    f.login(csrf_client, session, f.user(session, "buyer"))
    response = csrf_client.post("/items/new", data={"csrf_token": "forged", "sku": "CSRF-1", "name": "Forged",
                                                    "uom": "ea", "abc_class": "C"})
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_form_post_with_the_pages_csrf_token_works(csrf_client, session):
    f.login(csrf_client, session, f.user(session, "buyer"))
    form = csrf_client.get("/items/new")
    assert form.status_code == 200
    response = csrf_client.post("/items/new", data={"csrf_token": csrf_token(form), "sku": "CSRF-1",
                                                    "name": "Genuine", "uom": "ea", "abc_class": "C",
                                                    "active": "y"})
    assert response.status_code == 302, page_text(response)
    assert session.scalar(select(Item.name).where(Item.sku == "CSRF-1")) == "Genuine"


def test_logout_and_login_forms_need_the_token_too(csrf_client, session):
    user = f.login(csrf_client, session, f.user(session, "buyer"))
    assert csrf_client.post("/logout").status_code == 400
    assert csrf_client.get("/dashboard").status_code == 200  # a forged logout did not log anyone out
    anonymous = csrf_client.application.test_client()
    assert anonymous.post("/login", data={"email": user.email, "password": f.PASSWORD}).status_code == 400


def test_api_needs_no_csrf_token_because_it_uses_bearer_tokens(csrf_client, session):
    token = f.api_token(session, f.user(session, "buyer"))
    response = csrf_client.post("/api/v1/items", json={"sku": "API-1", "name": "From a script"},
                                headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.json


# ---------------------------------------------------------------- secrets at start-up


@pytest.fixture
def clean_env(monkeypatch, database_url):  # type: ignore[no-untyped-def]
    for name in ("SCM_ENV", "SECRET_KEY", "SCM_SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)

    def build(**overrides: object) -> Flask:
        return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False, **overrides})

    return build


@pytest.mark.parametrize("key", [None, "", DEFAULT_SECRET_KEY, "short-but-not-default"],
                         ids=["unset", "empty", "default", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, clean_env, key):
    monkeypatch.setenv("SCM_ENV", "production")
    if key is not None:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(InsecureConfiguration):
        clean_env()


def test_production_flag_and_default_key_given_as_overrides_also_refuse(clean_env):
    with pytest.raises(InsecureConfiguration):
        clean_env(IS_PRODUCTION=True, SECRET_KEY=DEFAULT_SECRET_KEY)


def test_production_starts_with_a_long_key_and_secure_cookies(monkeypatch, clean_env):
    monkeypatch.setenv("SCM_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", LONG_KEY)
    production = clean_env()
    assert production.config["IS_PRODUCTION"] is True
    assert production.config["SECRET_KEY"] == LONG_KEY
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["WTF_CSRF_ENABLED"] is True
    response = production.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_may_use_the_default_key(clean_env):
    assert clean_env().config["SECRET_KEY"] == DEFAULT_SECRET_KEY


# ---------------------------------------------------------------- stored credentials


def test_passwords_are_stored_as_argon2id_never_in_clear(client, session, login_as):
    admin = login_as("admin")
    secret = "a clear passphrase nobody should see"
    response = client.post("/admin/users/new", data={"email": "new.person@example.com", "name": "New Person",
                                                     "role": "buyer", "supplier_id": "0",
                                                     "approval_limit": "0", "active": "y", "password": secret})
    assert response.status_code == 302, page_text(response)
    stored = session.scalar(select(User.password_hash).where(User.email == "new.person@example.com"))
    assert stored.startswith("$argon2id$")
    assert secret not in stored
    dump = " ".join(str(v) for row in session.execute(text("SELECT * FROM users")) for v in row)
    assert secret not in dump
    assert session.scalar(select(User.password_hash).where(User.id == admin.id)).startswith("$argon2id$")


def test_password_hashes_are_salted(session):
    first, second = accounts.hash_password("same password here"), accounts.hash_password("same password here")
    assert first != second and first.startswith("$argon2id$")


def test_api_tokens_are_stored_hashed_and_revocation_locks_them_out(client, session, login_as):
    login_as("buyer")
    created = client.post("/account/tokens", data={"name": "ERP sync"})
    assert created.status_code == 200
    found = re.search(r"scm_[A-Za-z0-9_\-]{20,}", page_text(created))
    assert found, "the clear token is shown once after creation"
    clear = found.group(0)

    row = session.scalar(select(ApiToken).where(ApiToken.name == "ERP sync"))
    assert row.token_hash == hashlib.sha256(clear.encode()).hexdigest()
    dump = " ".join(str(v) for r in session.execute(text("SELECT * FROM api_tokens")) for v in r)
    assert clear not in dump
    assert clear.startswith(row.prefix) and len(row.prefix) < len(clear) // 2

    api = client.application.test_client()
    assert api.get("/api/v1/items", headers={"Authorization": f"Bearer {clear}"}).status_code == 200
    account = client.get("/account")
    assert "ERP sync" in page_text(account) and clear not in page_text(account)

    revoked = client.post(f"/account/tokens/{row.id}/revoke")
    assert revoked.status_code == 302
    response = api.get("/api/v1/items", headers={"Authorization": f"Bearer {clear}"})
    assert response.status_code == 401 and response.json["error"] == "unauthorized"


def test_a_user_cannot_revoke_someone_elses_token(client, session, login_as):
    owner = f.user(session, "buyer")
    clear = f.api_token(session, owner)
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    login_as("warehouse")
    client.post(f"/account/tokens/{token_id}/revoke")
    assert session.scalar(select(ApiToken.revoked_at).where(ApiToken.id == token_id)) is None
    api = client.application.test_client()
    assert api.get("/api/v1/items", headers={"Authorization": f"Bearer {clear}"}).status_code == 200


# ---------------------------------------------------------------- cookies


def test_session_cookie_is_httponly_and_samesite_lax(client, session):
    user = f.user(session, "viewer")
    response = client.post("/login", data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes.get("samesite", "").lower() == "samesite=lax"
    assert "secure" not in attributes  # plain HTTP in development; production sets it (tested above)


def test_session_cookie_holds_no_user_id_only_a_revocable_token(client, session, login_as):
    user = login_as("viewer")
    with client.session_transaction() as flask_session:
        assert flask_session["_user_id"] == user.session_token
        assert flask_session["_user_id"] != str(user.id)
