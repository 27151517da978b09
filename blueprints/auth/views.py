"""Log in, log out, change password, API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from blueprints.auth.forms import ChangePasswordForm, LoginForm, TokenForm
from blueprints.common import commit, show_domain_error, web_actor
from scm.extensions import db, limiter, login_manager
from scm.models import ApiToken, utcnow
from scm.services.kernel import accounts
from scm.services.kernel.errors import DomainError


@login_manager.user_loader
def load_user(token: str):  # type: ignore[no-untyped-def]
    user = accounts.load_session_user(db.session, token)
    if user is not None:
        user.session_token = token
    return user


def _login_limit() -> str:
    return current_app.config["SCM_LOGIN_RATE_LIMIT"]


def _home_for(user) -> str:  # type: ignore[no-untyped-def]
    return url_for("portal.home") if user.role == "supplier" else url_for("main.dashboard")


def _safe_next(target: str) -> str | None:
    """A same-site path to go to after login, or None. Browsers drop tabs and newlines and read a
    backslash as a slash, so "/<tab>/evil.com" would otherwise leave the site."""
    if not target or any(char in target for char in "\t\r\n\\"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@limiter.limit(_login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session, form.email.data, form.password.data, now=utcnow())
        except accounts.LoginRefused as refused:
            db.session.commit()  # a refused login still counts towards the account's back-off
            flash(refused.message, "error")
            return render_template("auth/login.html", form=form), 401
        token = commit(lambda: accounts.start_session(db.session, user, user_agent=request.user_agent.string))
        session.clear()  # a fresh session (and CSRF secret) at every login
        user.session_token = token
        login_user(user)
        return redirect(_safe_next(request.args.get("next", "")) or _home_for(user))
    return render_template("auth/login.html", form=form)


@login_required
def logout():  # type: ignore[no-untyped-def]
    token = current_user.session_token
    commit(lambda: accounts.end_session(db.session, token, now=utcnow()))
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@login_required
def account():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            commit(lambda: accounts.change_own_password(
                db.session, current_user, form.current_password.data, form.new_password.data,
                actor=web_actor(), now=utcnow()))
        except DomainError as error:
            show_domain_error(error, form)
        else:
            logout_user()
            session.clear()
            flash("Password changed. Every session was ended; log in with the new password.", "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/account.html", form=form, token_form=TokenForm(), tokens=_tokens()), (
        422 if form.errors else 200)


def _tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id)
                                   .order_by(ApiToken.id.desc())))


@login_required
def create_token():  # type: ignore[no-untyped-def]
    form = TokenForm()
    if not form.validate_on_submit():
        flash("Give the token a name.", "error")
        return redirect(url_for("auth.account"))
    _token, clear = commit(lambda: accounts.create_api_token(db.session, current_user, form.name.data,
                                                             actor=web_actor()))
    return render_template("auth/token_created.html", clear=clear, name=form.name.data)


@login_required
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    try:
        commit(lambda: accounts.revoke_api_token(db.session, token_id, owner=current_user,
                                                 actor=web_actor(), now=utcnow()))
        flash("Token revoked.", "info")
    except DomainError as error:
        show_domain_error(error)
    return redirect(url_for("auth.account"))
