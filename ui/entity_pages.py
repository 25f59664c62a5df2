"""Generic pages for any declared entity: list and search, new, detail with edit and
history, and CSV import. A module's page files only say which entity they show."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.audit import ACTIONS
from core.entities.refs import RefOption
from core.entities.spec import Entity, Field
from core.errors import NotFound
from core.permissions import allowed
from core.services.records import EntityServices
from ui import contacts, forms
from ui.context import current_actor, language, md, query_id, t
from ui.downloads import download
from ui.feedback import flash, show_flash, succeeded
from ui.navigation import link, page_script
from ui.tables import display_value, first_page, paged_table
from ui.text import escape_markdown


def _can(entity: Entity, action: str) -> bool:
    return allowed(current_actor().roles, entity.module, action)


def title_of(entity: Entity, row: Mapping[str, Any]) -> str:
    code = row.get(entity.code_field) if entity.code_field else None
    title = str(row.get(entity.title_field, ""))
    return f"{code} · {title}" if code else title


def list_page(services: EntityServices, *, detail: str, new: str | None = None, importer: str | None = None) -> None:
    entity, actor = services.entity, current_actor()
    key = f"{entity.name}.list"
    st.title(t(entity.label))
    show_flash(entity.name)
    search, archived, actions = st.columns([4, 1.4, 2.6], vertical_alignment="bottom")
    query = search.text_input(
        t("Search"),
        key=f"{key}.query",
        type="search",
        on_change=first_page,
        args=(key,),
        placeholder=t("Name, phone, email or code"),
    )
    include_archived = (
        entity.archivable
        and _can(entity, "delete")
        and archived.toggle(t("Show archived"), key=f"{key}.archived", on_change=first_page, args=(key,))
    )
    with actions:
        buttons = st.container(horizontal=True)
        if new and _can(entity, "create"):
            link(new, t("New"), icon=":material/add:", where=buttons)
        if importer and _can(entity, "create"):
            link(importer, t("Import"), icon=":material/upload_file:", where=buttons)
        lang = language()
        with buttons:
            download(
                t("Export CSV"),
                lambda: services.export_csv(actor=actor, query=query, include_archived=include_archived, language=lang),
                entity.name,
                key=f"{key}.export",
            )
    options = services.options(actor=actor)
    _page, chosen = paged_table(
        key,
        lambda number, size: services.search(
            actor=actor, query=query, page=number, page_size=size, include_archived=include_archived
        ),
        entity.list_fields,
        options=options,
    )
    if chosen is not None:
        st.switch_page(page_script(detail), query_params={"id": str(chosen["id"])})


def new_page(services: EntityServices, *, detail: str) -> None:
    entity, actor = services.entity, current_actor()
    form = f"{entity.name}.new"
    st.title(t("New {what}", what=entity.singular))
    created = forms.result(form)
    if created is not None:
        forms.reset(form, entity)
        flash(entity.name, md("Saved {title}.", title=title_of(entity, created)))
        st.switch_page(page_script(detail), query_params={"id": str(created["id"])})
    forms.load_once(form, entity, {})
    forms.entity_form(
        form,
        entity,
        lambda values, confirmed: services.create(actor=actor, values=values, confirm_duplicate=confirmed),
        submit_label=t("Save"),
        options=services.options(actor=actor),
    )


def detail_page(
    services: EntityServices, *, back: str, extra_tabs: Mapping[str, Callable[[Mapping[str, Any]], None]] | None = None
) -> None:
    """A record's page; other modules add tabs of their own (a customer's orders)."""
    entity, actor = services.entity, current_actor()
    record_id = query_id()
    if record_id is None:
        st.error(t("No record chosen."))
        link(back, t("Back to the list"), icon=":material/arrow_back:")
        return
    try:
        row = services.get(actor=actor, record_id=record_id)
    except NotFound as missing:
        st.error(md(missing.message))
        link(back, t("Back to the list"), icon=":material/arrow_back:")
        return
    options = services.options(actor=actor, record_id=record_id)
    link(back, t(entity.label), icon=":material/arrow_back:")
    st.title(escape_markdown(title_of(entity, row)))
    show_flash(entity.name)
    if row.get("archived_at"):
        st.warning(t("Archived on {when}.", when=formatting.moment(row["archived_at"])))
    extra = {t(title): draw for title, draw in (extra_tabs or {}).items()}
    tabs = [t("Details"), *extra] + ([t("Edit")] if _can(entity, "edit") else []) + [t("History")]
    shown = dict(zip(tabs, st.tabs(tabs), strict=True))
    for title, draw in extra.items():
        with shown[title]:
            draw(row)
    with shown[t("Details")]:
        full = contacts.controls(row["id"], f"{entity.name}.details") if entity.masked_fields else None
        detail_grid(entity, {**row, **(full or {})}, options)
        if entity.archivable and _can(entity, "delete"):
            _archive_button(services, row)
    if t("Edit") in shown:
        with shown[t("Edit")]:
            _edit(services, row, options)
    with shown[t("History")]:
        history_table(entity, services.history(actor=actor, record_id=record_id), options)


def detail_grid(entity: Entity, row: Mapping[str, Any], options: Mapping[str, list[RefOption]]) -> None:
    columns = st.columns(2)
    for index, field in enumerate(entity.fields):
        value = display_value(field, row.get(field.name), options)
        text = escape_markdown(str(value)).replace("\n", "  \n") if value != "" else "—"
        columns[index % 2].markdown(f"**{escape_markdown(field.label.get(language()))}**  \n{text}")
    st.caption(t("Last changed {when}", when=formatting.moment(row.get("updated_at"))))


def _archive_button(services: EntityServices, row: Mapping[str, Any]) -> None:
    actor = current_actor()
    archived = bool(row.get("archived_at"))
    label = t("Restore") if archived else t("Archive")
    if st.button(label, key=f"{services.entity.name}.archive", icon=":material/inventory_2:"):
        change = services.restore if archived else services.archive
        if succeeded(lambda: change(actor=actor, record_id=row["id"], expected_version=row["version"])):
            flash(services.entity.name, t("Restored.") if archived else t("Archived."))
            st.rerun()


def _edit(services: EntityServices, row: Mapping[str, Any], options: Mapping[str, list[RefOption]]) -> None:
    """The edit form. Masked fields (a customer's contacts) are in it only once shown in full with
    "Show contacts" (an audited reveal); until then the form changes the other fields and keeps them."""
    entity, actor = services.entity, current_actor()
    form, fields, masked = f"{entity.name}.edit.{row['id']}", entity.edit_fields, entity.masked_fields
    full = contacts.controls(row["id"], f"{entity.name}.edit") if masked else None
    if masked and full is None:
        fields = tuple(f for f in fields if f.name not in masked)
        how = " " + t("Press Show contacts to change the phones or email.") if contacts.may_reveal() else ""
        st.caption(t("Phones and email are not in this form.") + how)
    elif full is not None:
        row, form = {**row, **full}, f"{form}.contacts"

    def save(values: dict[str, Any], version: int, confirmed: bool) -> dict[str, Any]:
        if masked and full is None:
            values = {name: value for name, value in values.items() if name not in masked}
        saved = services.update(
            actor=actor, record_id=row["id"], values=values, expected_version=version, confirm_duplicate=confirmed
        )
        if full is None:
            return saved
        contacts.remember(row["id"], values)
        return {**saved, **(contacts.revealed(row["id"]) or {})}

    edit_form(entity, row, save, options=options, fields=fields, form=form)


Save = Callable[[dict[str, Any], int, bool], dict[str, Any]]  # (values, version read, confirmed) -> saved row


def edit_form(
    entity: Entity,
    row: Mapping[str, Any],
    save: Save,
    *,
    options: Mapping[str, list[RefOption]],
    fields: tuple[Field, ...] | None = None,
    form: str | None = None,
) -> None:
    """Edit a stored record. The version read when the form opened goes with the save, so a save
    after someone else's is refused ("changed by X at T") instead of overwriting their work."""
    form = form or f"{entity.name}.edit.{row['id']}"
    version_key = f"{form}.version"
    saved = forms.result(form)
    if saved is not None:
        forms.load(form, entity, saved)
        st.session_state[version_key] = saved["version"]
        flash(entity.name, t("Saved."))
        st.rerun()
    if version_key not in st.session_state or not forms.is_loaded(form, entity):
        forms.load(form, entity, row)
        st.session_state[version_key] = row["version"]
    forms.entity_form(
        form,
        entity,
        lambda values, confirmed: save(values, st.session_state[version_key], confirmed),
        submit_label=t("Save changes"),
        options=options,
        fields=fields or entity.edit_fields,
    )
    if st.session_state[version_key] != row["version"]:
        st.info(t("Someone saved this record after you opened the form; saving will be refused."))
        if st.button(t("Discard my changes and load theirs"), key=f"{form}.reload"):
            forms.reset(form, entity)
            del st.session_state[version_key]
            st.rerun()


def history_table(entity: Entity, entries: list[dict[str, Any]], options: Mapping[str, list[RefOption]]) -> None:
    if not entries:
        st.info(t("No changes recorded yet."))
        return
    labels = {field.name: field.label.get(language()) for field in entity.fields}
    lines = []
    for entry in entries:
        action = ACTIONS[entry["action"]].get(language()) if entry["action"] in ACTIONS else entry["action"]
        changes = entry["changes"] or {"": [None, entry.get("detail")]}
        for name, (before, after) in changes.items():
            field = next((f for f in entity.fields if f.name == name), None)
            if field is not None and field.kind in {"ref", "choice"}:
                before, after = display_value(field, before, options), display_value(field, after, options)
            lines.append(
                {
                    t("When"): formatting.moment(entry["at"]),
                    t("Who"): entry["who"],
                    t("Action"): action,
                    t("Field"): labels.get(name, name),
                    t("Before"): _plain(before),
                    t("After"): _plain(after),
                }
            )
    st.dataframe(pd.DataFrame(lines, dtype=object), hide_index=True, width="stretch")


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
