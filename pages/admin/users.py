"""Users: find an account, or create one with its roles and a first password."""

import streamlit as st

from core.entities.users import USERS
from core.services import users
from ui import forms
from ui.context import current_actor, md, t
from ui.feedback import flash, show_flash
from ui.navigation import page_script
from ui.tables import first_page, paged_table

actor = current_actor()
st.title(t("Users"))
show_flash("users")

FORM = "users.new"
created = forms.result(FORM)
if created is not None:
    forms.reset(FORM, USERS)
    st.session_state.pop(f"{FORM}.password", None)
    flash("users", md("Created {name}.", name=created["username"]))
    st.rerun()


def _password() -> None:
    st.text_input(
        t("First password *"),
        type="password",
        key=f"{FORM}.password",
        help=t("At least 8 characters. Tell it to the person; they can change it under My profile."),
    )
    problem = st.session_state.get(f"{FORM}.errors", {}).get("password")
    if problem:
        st.error(md(problem), icon=":material/error:")


with st.expander(t("New user"), icon=":material/person_add:", expanded=bool(st.session_state.get(f"{FORM}.errors"))):
    forms.load_once(FORM, USERS, {})
    forms.entity_form(
        FORM,
        USERS,
        lambda values, _confirmed: users.create_user(
            actor=actor, values=values, password=st.session_state.get(f"{FORM}.password") or ""
        ),
        submit_label=t("Create user"),
        extra=_password,
    )

query = st.text_input(
    t("Search"),
    key="users.list.query",
    type="search",
    on_change=first_page,
    args=("users.list",),
    placeholder=t("Username, name or email"),
)
_page, chosen = paged_table(
    "users.list",
    lambda number, size: users.search_users(actor=actor, query=query, page=number, page_size=size),
    USERS.list_fields,
)
if chosen is not None:
    st.switch_page(page_script("user"), query_params={"id": str(chosen["id"])})
