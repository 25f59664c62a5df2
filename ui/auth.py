"""The login gate. streamlit-authenticator draws the form and keeps the cookie;
Opsdesk supplies what it lacks: users in the database, lockout, equal timing for
unknown names, and server-side sessions that logout, a password change or
disabling a user end at once (a copied cookie no longer logs in).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import extra_streamlit_components as stx
import jwt
import streamlit as st
import streamlit_authenticator as stauth
from extra_streamlit_components.CookieManager import _component_func as _cookie_component
from streamlit_authenticator.models import AuthenticationModel, cookie_model
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
REFUSED_KEY = "opsdesk.login_refused"
ARMED_KEY = "opsdesk.login_armed"
COOKIE_KEY = "opsdesk.cookie_to_write"


class _CookieWriter(stx.CookieManager):
    """The library's cookie manager without the component it draws at its creation, on every run, to
    read the browser's cookies. That component's first value reruns a new page load, and when it
    arrives before the browser has learnt which page the address names (a busy server), Streamlit
    opens the home page instead of the page asked for; its reruns could also drop the component
    writing the login cookie, or the login form's submit. Opsdesk reads the login cookie from the
    request (st.context.cookies, as the library's get_cookie does) and needs only to write and delete it.
    """

    def __init__(self, key: str = "init") -> None:
        self.cookie_manager = _cookie_component
        self.cookies = dict(st.context.cookies)

    def delete(self, cookie: str, key: str = "delete") -> None:
        self.cookie_manager(method="delete", cookie=cookie, key=key, default=False)
        self.cookies.pop(cookie, None)

    def write(self, cookie: str, value: str, options: dict[str, Any], key: str) -> bool:
        """Draw the component that stores the cookie; True once the browser has run it."""
        self._remove_extra_spacing()
        stored = self.cookie_manager(method="set", cookie=cookie, value=value, options=options, key=key, default=False)
        return bool(stored)


# The library creates its cookie manager as `stx.CookieManager()` inside its own constructor.
cookie_model.stx = SimpleNamespace(CookieManager=_CookieWriter)  # type: ignore[attr-defined]


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
        for key in (NOTICE_KEY, REFUSED_KEY):  # a new attempt: its own outcome is what counts now
            st.session_state.pop(key, None)
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

    def set_cookie(self) -> None:
        """The library's, plus Secure when the browser reached Opsdesk over HTTPS (served directly
        or through a proxy): the browser then never sends the login cookie over plain HTTP.

        The library draws the component that writes the cookie in the login's run only; any rerun
        before the browser has loaded it (a busy server) loses the cookie. Here the cookie is kept
        until the browser confirms it, and write_cookie draws the component in every run till then."""
        if self.cookie_expiry_days != 0:
            self.exp_date = self._set_exp_date()
            expires = datetime.now() + timedelta(days=self.cookie_expiry_days)
            options = {"path": "/", "expires": expires.isoformat(), "sameSite": "strict"}
            if (st.context.url or "").startswith("https://"):
                options["secure"] = True
            st.session_state[COOKIE_KEY] = {
                "cookie": self.cookie_name,
                "value": self._token_encode(),
                "options": options,
                # A key of its own per login: a component keeps its identity (and its value) by key.
                "key": f"opsdesk.cookie_writer.{secrets.token_hex(4)}",
            }
            _write_cookie(self.cookie_manager)

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
    for key in (TOKEN_KEY, ACTOR_KEY, COOKIE_KEY):
        st.session_state.pop(key, None)


def _write_cookie(manager: _CookieWriter) -> None:
    pending = st.session_state.get(COOKIE_KEY)
    if pending is not None and manager.write(**pending):
        st.session_state.pop(COOKIE_KEY, None)


def write_cookie(authenticate: stauth.Authenticate) -> None:
    """Draw the login cookie's component in every run until the browser reports it stored (its
    report reruns the app). Call it after st.navigation: a component's value that reaches the
    server before the browser knows the page it shows would open the home page."""
    _write_cookie(authenticate.cookie_controller.cookie_model.cookie_manager)


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
    for key in (NOTICE_KEY, REFUSED_KEY):
        st.session_state.pop(key, None)
    return actor


def request_logout() -> None:
    """Button callback: end the session in the store now; the gate clears the browser next."""
    auth.log_out(st.session_state.get(TOKEN_KEY), st.session_state.get(ACTOR_KEY))
    st.session_state[LOGOUT_KEY] = True


def login_view(authenticate: stauth.Authenticate) -> None:
    st.title(get_settings().company_name)
    language_switch()
    notice_slot = st.empty()
    fields = {"Form name": t("Log in"), "Username": t("Username"), "Password": t("Password"), "Login": t("Log in")}
    try:
        authenticate.login(location="main", fields=fields, key="login")
    except LoginRefused as refused:
        st.session_state[REFUSED_KEY] = refused.message
    except LoginError as error:
        st.session_state[REFUSED_KEY] = str(error)
    # Why the session ended, or why the login was refused, stays until the next attempt: a rerun
    # that follows (the cookie component's) must not take it away before it is read.
    refused = st.session_state.get(REFUSED_KEY)
    if refused is not None:
        st.error(refused if isinstance(refused, str) else md(refused))
    notice = st.session_state.get(NOTICE_KEY)
    if notice is not None:
        notice_slot.info(md(notice))
    st.page_link(
        "pages/public/track.py", label=t("Check an order's status without logging in"), icon=":material/travel_explore:"
    )
    if st.session_state.get("authentication_status"):
        st.success(t("Signed in. Opening Opsdesk…"))
        _open_app_shortly()


def _open_app_shortly() -> None:
    """Rerun into the app once the browser has stored the login cookie.

    The cookie component's report usually triggers the rerun itself; this is the fallback, safe
    because the app keeps drawing that component until the browser has run it (write_cookie).
    """
    st.session_state[ARMED_KEY] = False

    @st.fragment(run_every=1.5)
    def _tick() -> None:
        if st.session_state.get(ARMED_KEY):
            st.rerun(scope="app")
        st.session_state[ARMED_KEY] = True

    _tick()
