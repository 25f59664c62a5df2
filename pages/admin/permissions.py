"""The permission matrix: which role may view, create, edit or delete in each module. Read-only."""

import pandas as pd
import streamlit as st

from core.permissions import ACTIONS, MODULES, ROLES
from core.services.permissions import permission_matrix
from ui.context import current_actor, t

actor = current_actor()
st.title(t("Permissions"))
st.caption(t("Each role sees only the pages its permissions allow, and every service checks the same matrix."))
rows = [
    {
        t("Module"): t(MODULES[row["module"]]),
        t("Action"): t(ACTIONS[row["action"]]),
        **{t(ROLES[role]): "✓" if row[role] else "" for role in ROLES},
    }
    for row in permission_matrix(actor=actor)
]
st.dataframe(pd.DataFrame(rows, dtype=object), hide_index=True, width="stretch", height="content")
