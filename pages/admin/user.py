"""One user: edit name, language and roles; reset the password; disable, enable or unlock."""

import streamlit as st

from core import formatting
from core.entities.users import USERS
from core.errors import NotFound
from core.services import audit, users
from ui.context import current_actor, query_id, t
from ui.entity_pages import detail_grid, edit_form, history_table
from ui.feedback import flash, show_flash, succeeded
from ui.navigation import link
from ui.text import escape_markdown

actor = current_actor()
link("users", t("Users"), icon=":material/arrow_back:")
user_id = query_id()
try:
    user = users.get_user(actor=actor, user_id=user_id) if user_id is not None else None
except NotFound:
    user = None
if user is None:
    st.error(t("No such user."))
    st.stop()

st.title(escape_markdown(f"{user['display_name']} ({user['username']})"))
show_flash("users")
if not user["active"]:
    st.warning(t("This account is disabled: it cannot log in."))
if user["locked_until"]:
    st.warning(t("Locked after failed logins until {when}.", when=formatting.moment(user["locked_until"])))
    unlock = st.button(t("Unlock now"), key="user.unlock")
    if unlock and succeeded(lambda: users.unlock_user(actor=actor, username=user["username"])):
        flash("users", t("Unlocked."))
        st.rerun()

details, edit, password, history = st.tabs([t("Details"), t("Edit"), t("Password"), t("History")])
with details:
    detail_grid(USERS, user, {})
    label = t("Enable account") if not user["active"] else t("Disable account")
    if st.button(label, key="user.toggle", icon=":material/block:"):
        change = users.enable_user if not user["active"] else users.disable_user
        if succeeded(lambda: change(actor=actor, user_id=user["id"], expected_version=user["version"])):
            flash("users", t("Saved."))
            st.rerun()

with edit:
    edit_form(
        USERS,
        user,
        lambda values, version, _confirmed: users.update_user(
            actor=actor, user_id=user["id"], values=values, expected_version=version
        ),
        options={},
    )

with password, st.form("user.password", clear_on_submit=True, enter_to_submit=False):
    new_password = st.text_input(t("New password"), type="password")
    st.caption(t("Every open session of this user ends; they log in again with the new password."))
    reset = st.form_submit_button(t("Reset password"))
    if reset and succeeded(lambda: users.reset_password(actor=actor, user_id=user["id"], new_password=new_password)):
        st.success(t("Password reset. Their open sessions have ended."))

with history:
    entries = audit.search_audit(
        actor=actor, where=audit.AuditFilter(entity="users", entity_id=str(user["id"])), page_size=200
    ).rows
    history_table(USERS, entries, {})
