"""Log in, log out, change password, API tokens.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.auth import views

bp = Blueprint("auth", __name__)
ROUTES = (
    ('/login', views.login, ('GET', 'POST')),
    ('/logout', views.logout, ('POST',)),
    ('/account', views.account, ('GET', 'POST')),
    ('/account/tokens', views.create_token, ('POST',)),
    ('/account/tokens/<int:token_id>/revoke', views.revoke_token, ('POST',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
