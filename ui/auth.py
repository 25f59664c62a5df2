"""The login gate. streamlit-authenticator draws the form and keeps the cookie;
Opsdesk supplies what it lacks: users in the database, lockout, equal timing for
unknown names, and server-side sessions that logout, a password change or
disabling a user end at once (a copied cookie no longer logs in).
"""

from __future__ import annotations

from typing import Any

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.models import AuthenticationModel
from streamlit_authenticator.models.cookie_model import CookieModel
from streamlit_authenticator.utilities import LoginError

from core import auth
from core.actor import Actor
from core.config import cookie_key, get_settings
from core.errors import LoginRefused, SessionEnded
from ui.context import ACTOR_KEY, md, t
from ui.language import language_switch

TOKEN_KEY = "opsdesk.token"
LOGOUT_KEY = "opsdesk.logout_requested"
NOTICE_KEY = "opsdesk.login_notice"
ARMED_KEY = "opsdesk.login_armed"


def _remember(credentials: dict[str, Any], actor: Actor) -> None:
    """The library looks users up in its credentials dict; give it just the one who logged in."""
    credentials["usernames"][actor.username] = {
        "name": actor.display_name,
        "email": "",
        "roles": sorted(actor.roles),
        "password": "",  # never used: Opsdesk checks passwords itself
    }


class _DatabaseAuthModel(AuthenticationModel):
    def check_credentials(self, username: str, password: str) -> bool:
        login = auth.log_in(username, password)  # raises LoginRefused with the reason to show
        st.session_state[TOKEN_KEY] = login.token
        st.session_state[ACTOR_KEY] = login.actor
        _remember(self.credentials, login.actor)
        return True


class _ServerSessionCookieModel(CookieModel):
    credentials: dict[str, Any]

    def get_cookie(self) -> Any:
        token = super().get_cookie()
        if not token:
            return token
        try:
            actor = auth.resume(token.get("sid"))
        except SessionEnded:
            return None
        if actor.username != token.get("username"):
            return None
        st.session_state[TOKEN_KEY] = token["sid"]
        st.session_state[ACTOR_KEY] = actor
        _remember(self.credentials, actor)
        return token

    def _token_encode(self) -> str:
        payload = {
            "username": st.session_state["username"],
            "exp_date": self.exp_date,
            "sid": st.session_state.get(TOKEN_KEY),
        }
        return jwt.encode(payload, self.cookie_key, algorithm="HS256")


def authenticator() -> stauth.Authenticate:
    settings = get_settings()
    credentials: dict[str, Any] = {"usernames": {}}
    authenticate = stauth.Authenticate(
        credentials,
        cookie_name=settings.cookie_name,
        cookie_key=cookie_key(settings),
        cookie_expiry_days=settings.session_days,
        auto_hash=False,
        login_sleep_time=0,
    )
    # The library builds its models itself and offers no way to pass our own; swap their classes.
    authenticate.authentication_controller.authentication_model.__class__ = _DatabaseAuthModel
    cookie_model = authenticate.cookie_controller.cookie_model
    cookie_model.__class__ = _ServerSessionCookieModel
    cookie_model.credentials = credentials  # type: ignore[attr-defined]
    return authenticate


def _forget() -> None:
    for key in (TOKEN_KEY, ACTOR_KEY):
        st.session_state.pop(key, None)


def gate(authenticate: stauth.Authenticate) -> Actor | None:
    """The signed-in actor, fresh from the store, or None (then only the login may run)."""
    if st.session_state.pop(LOGOUT_KEY, False) and st.session_state.get("authentication_status"):
        authenticate.logout(location="unrendered")
        _forget()
        return None
    authenticate.login(location="unrendered")  # re-authenticates from the cookie on a reload
    if not st.session_state.get("authentication_status"):
        _forget()
        return None
    try:
        actor = auth.resume(st.session_state.get(TOKEN_KEY))
    except SessionEnded as ended:
        st.session_state[NOTICE_KEY] = ended.message
        authenticate.logout(location="unrendered")
        _forget()
        return None
    st.session_state[ACTOR_KEY] = actor
    return actor


def request_logout() -> None:
    """Button callback: end the session in the store now; the gate clears the browser next."""
    auth.log_out(st.session_state.get(TOKEN_KEY), st.session_state.get(ACTOR_KEY))
    st.session_state[LOGOUT_KEY] = True


def login_view(authenticate: stauth.Authenticate) -> None:
    st.title(get_settings().company_name)
    language_switch()
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice is not None:
        st.info(md(notice))
    fields = {"Form name": t("Log in"), "Username": t("Username"), "Password": t("Password"), "Login": t("Log in")}
    try:
        authenticate.login(location="main", fields=fields, key="login")
    except LoginRefused as refused:
        st.error(md(refused.message))
    except LoginError as error:
        st.error(str(error))
    st.page_link(
        "pages/public/track.py", label=t("Check an order's status without logging in"), icon=":material/travel_explore:"
    )
    if st.session_state.get("authentication_status"):
        st.success(t("Signed in. Opening Opsdesk…"))
        _open_app_shortly()


def _open_app_shortly() -> None:
    """Rerun into the app once the browser has stored the login cookie.

    Rerunning at once would drop the cookie component before the browser ran it;
    the component usually triggers the rerun itself, this is the fallback.
    """
    st.session_state[ARMED_KEY] = False

    @st.fragment(run_every=1.5)
    def _tick() -> None:
        if st.session_state.get(ARMED_KEY):
            st.rerun(scope="app")
        st.session_state[ARMED_KEY] = True

    _tick()
