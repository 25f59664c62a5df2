"""Home: a greeting and the way to each of the person's pages."""

import streamlit as st

from ui.context import current_actor, t
from ui.navigation import visible_specs
from ui.text import escape_markdown

actor = current_actor()
st.title(t("Welcome, {name}", name=escape_markdown(actor.display_name)))
st.write(t("What would you like to do?"))
for spec in visible_specs(actor):
    if not spec.hidden and not spec.default:
        st.page_link(spec.script, label=t(spec.title), icon=spec.icon)
