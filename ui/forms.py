"""The one form renderer: a create or edit form for any declared entity.

The service runs in the submit button's callback, before the page is drawn, so
each field's message appears right under it in the same run, and every value
the person typed stays in its field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from core.entities.refs import RefOption
from core.entities.spec import Entity, Field
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import Message
from core.services.records import PossibleDuplicate
from ui.context import language, md, t
from ui.text import escape_markdown

Action = Callable[[dict[str, Any], bool], Any]  # (values, duplicate confirmed) -> result


def _key(form: str, name: str) -> str:
    return f"{form}.{name}"


def load(form: str, entity: Entity, values: Mapping[str, Any]) -> None:
    """Put a record's values into the form's fields (first display, or after a save)."""
    for field in entity.form_fields:
        value = values.get(field.name, field.default)
        if field.kind in {"multichoice", "multiref"}:
            value = sorted(value or [])
        st.session_state[_key(form, field.name)] = _as_text(field, value)


def is_loaded(form: str, entity: Entity) -> bool:
    """Whether the form's fields hold values. Streamlit forgets a page's widget values when
    the person goes to another page, so a form must be filled again on their return."""
    return all(_key(form, field.name) in st.session_state for field in entity.form_fields)


def load_once(form: str, entity: Entity, values: Mapping[str, Any]) -> None:
    """Fill the form with `values` unless it already holds what the person is typing."""
    if not is_loaded(form, entity):
        load(form, entity, values)


def read(form: str, entity: Entity) -> dict[str, Any]:
    return {field.name: st.session_state.get(_key(form, field.name)) for field in entity.form_fields}


def reset(form: str, entity: Entity) -> None:
    for field in entity.form_fields:
        st.session_state.pop(_key(form, field.name), None)
    for name in ("errors", "notice", "duplicates"):
        st.session_state.pop(_key(form, name), None)


def result(form: str) -> Any:
    """What the last successful submit returned, once (then it is cleared)."""
    return st.session_state.pop(_key(form, "done"), None)


def run_action(form: str, collect: Callable[[], dict[str, Any]], action: Action, confirmed: bool) -> None:
    """Button callback: run the service with the form's values; keep its field errors, its
    refusal, its duplicate question or its result in the session for the page to show."""
    state = st.session_state
    state[_key(form, "errors")] = {}
    state.pop(_key(form, "notice"), None)
    state.pop(_key(form, "duplicates"), None)
    try:
        outcome = action(collect(), confirmed)
    except ValidationFailed as failed:
        state[_key(form, "errors")] = failed.errors
        state[_key(form, "notice")] = failed.message
    except PossibleDuplicate as duplicate:
        state[_key(form, "duplicates")] = duplicate.matches
    except OpsdeskError as error:
        state[_key(form, "notice")] = error.message
    else:
        state[_key(form, "done")] = outcome


def _label(field: Field) -> str:
    text = field.label.get(language())
    return f"{text} *" if field.required else text


def _pick(widget: Callable[..., Any], label: str, labels: Mapping[Any, str], key: str, help_text: str | None) -> None:
    """A choice among stored values shown by their labels; nothing is preselected."""
    extra = {"index": None} if widget is st.selectbox else {}
    widget(
        label,
        options=list(labels),
        format_func=labels.__getitem__,
        key=key,
        help=help_text,
        placeholder=t("Choose…"),
        **extra,
    )


def _widget(form: str, field: Field, options: Mapping[str, list[RefOption]]) -> None:
    key = _key(form, field.name)
    help_text = field.help.get(language()) if field.help else None
    label = _label(field)
    if field.kind in {"text", "phone", "email"}:
        kind = {"phone": "phone", "email": "email"}.get(field.kind, "default")
        extra: dict[str, Any] = {"validate": ""} if kind == "email" else {}
        placeholder = {"phone": t("e.g. 138 1234 5678 or 021-6123 4567"), "email": "name@example.com"}.get(field.kind)
        st.text_input(label, key=key, help=help_text, type=kind, placeholder=placeholder, **extra)
    elif field.kind == "longtext":
        st.text_area(label, key=key, help=help_text, height=90)
    elif field.kind == "choice":
        _pick(st.selectbox, label, {c.value: c.label.get(language()) for c in field.choices}, key, help_text)
    elif field.kind == "multichoice":
        _pick(st.multiselect, label, {c.value: c.label.get(language()) for c in field.choices}, key, help_text)
    elif field.kind in {"ref", "multiref"}:
        labels = {o.id: f"{o.label.get(language())} ({o.code})" for o in options.get(field.ref or "", [])}
        _pick(st.selectbox if field.kind == "ref" else st.multiselect, label, labels, key, help_text)
    elif field.kind == "bool":
        st.checkbox(label, key=key, help=help_text)
    elif field.kind == "date":
        st.date_input(label, key=key, help=help_text, value=None)
    else:  # int and decimal: typed as text so nothing is rounded before validation
        st.text_input(label, key=key, help=help_text)


def _as_text(field: Field, value: Any) -> Any:
    """Numbers sit in text boxes (so nothing is rounded before validation)."""
    return None if value is None else str(value) if field.kind in {"int", "decimal"} else value


def errors_of(form: str) -> dict[str, Message]:
    return st.session_state.get(_key(form, "errors"), {})


def error_under(message: Message | None) -> None:
    """A field's message, drawn right under it."""
    if message is not None:
        st.error(md(message), icon=":material/error:")


def field_grid(
    form: str,
    fields: tuple[Field, ...],
    options: Mapping[str, list[RefOption]],
    columns: int = 2,
    errors: Mapping[str, Message] | None = None,
) -> None:
    """The fields' widgets, each with its message under it (`errors`: the form's own, unless given)."""
    errors = errors_of(form) if errors is None else errors
    grid = st.columns(columns)
    for index, field in enumerate(fields):
        with grid[index % columns] if field.kind not in {"longtext"} else st.container():
            _widget(form, field, options)
            error_under(errors.get(field.name))


def show_notice(form: str) -> None:
    notice = st.session_state.get(_key(form, "notice"))
    if notice is not None:
        st.error(md(notice))


def entity_form(
    form: str,
    entity: Entity,
    action: Action,
    *,
    submit_label: str,
    options: Mapping[str, list[RefOption]] | None = None,
    fields: tuple[Field, ...] | None = None,
    columns: int = 2,
    extra: Callable[[], None] | None = None,
) -> None:
    """Draw the form; `action` gets the values when submitted (see module docstring)."""
    collect = lambda: read(form, entity)  # noqa: E731
    with st.form(form, enter_to_submit=False, border=True):
        field_grid(form, fields or entity.form_fields, options or {}, columns)
        if extra:
            extra()
        show_notice(form)
        st.form_submit_button(submit_label, type="primary", on_click=run_action, args=(form, collect, action, False))
    duplicate_prompt(form, entity, collect, action)


def duplicate_prompt(form: str, entity: Entity, collect: Callable[[], dict[str, Any]], action: Action) -> None:
    matches = st.session_state.get(_key(form, "duplicates"))
    if not matches:
        return
    lines = []
    for match in matches:
        fields = ", ".join(entity.field(name).label.get(language()) for name in match["matched"])
        code = match.get(entity.code_field or "id", match["id"])
        title = escape_markdown(str(match.get(entity.title_field, "")))
        lines.append(f"- {code} · {title} ({fields})")
    st.warning(t("Possible duplicate: these records share a phone or email.") + "\n\n" + "\n".join(lines))
    st.button(t("Save anyway"), key=_key(form, "confirm"), on_click=run_action, args=(form, collect, action, True))
