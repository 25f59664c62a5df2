"""The order form, for a new order and for changing one: customer (existing or new), where
and when, lines from the catalogue, discount; the totals are computed by core as the clerk
types, and every message appears under its field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import streamlit as st

from core.clock import today
from core.entities.catalogue import unit_label
from core.entities.customers import CUSTOMERS
from core.formatting import money
from core.i18n import Bilingual
from core.order_rules import CHANNELS, INTAKE_FIELDS
from core.pricing import discount_limit
from core.services import orders, reference
from core.services.catalogue import catalogue
from core.services.customers import customers
from ui import contacts, forms
from ui.context import current_actor, language, t
from ui.text import escape_markdown

Save = Callable[[dict[str, Any], bool], Any]  # (collected form, duplicate confirmed) -> saved order

CHANNEL_LABELS = {
    "phone": Bilingual("Phone", "电话"),
    "web": Bilingual("Website", "网站"),
    "app": Bilingual("App", "App"),
    "walk_in": Bilingual("Walk-in", "到店"),
}
FIELDS = ("customer_id", *INTAKE_FIELDS)


def _k(form: str, name: str) -> str:
    return f"{form}.{name}"


def started(form: str) -> bool:
    """Whether the form holds all its values (Streamlit forgets widget values when the
    person changes page, and can drop some when a run is cut short by another)."""
    state = st.session_state
    lines = state.get(_k(form, "line_ids"))
    return (
        lines is not None
        and all(_k(form, name) in state for name in FIELDS)
        and all(_k(form, f"line.{i}.{part}") in state for i in lines for part in ("service_id", "quantity"))
    )


def start(form: str, values: dict[str, Any] | None = None, lines: list[dict[str, Any]] | None = None) -> None:
    """Fill whatever the form is missing: an order's values to change it, or the defaults."""
    state = st.session_state
    tomorrow = today() + timedelta(days=1)
    values = {
        "channel": "phone",
        "requested_date": tomorrow,
        "window_start": time(9),
        "window_end": time(12),
        "address": "",
        "notes": "",
        **(values or {}),
    }
    values["discount_pct"] = float(values.get("discount_pct") or 0)
    for name in FIELDS:
        state.setdefault(_k(form, name), values.get(name))
    state.setdefault(_k(form, "customer_mode"), "existing")
    lines = lines or [{"service_id": None, "quantity": 1.0}]
    ids = state.setdefault(_k(form, "line_ids"), list(range(len(lines))))
    for index in ids:
        line = lines[index] if index < len(lines) else {"service_id": None, "quantity": 1.0}
        state.setdefault(_k(form, f"line.{index}.service_id"), line.get("service_id"))
        state.setdefault(_k(form, f"line.{index}.quantity"), float(line.get("quantity") or 1))


def held(form: str, name: str) -> dict[str, Any]:
    """`value=` for a widget whose own default is not blank (a time input's is now, a date
    input's today, a number input's 0): the value the session holds for it.

    The browser shows a widget's default when it holds no value for it and the run that draws it
    sends none. That happens on a page reached by its address: the login cookie's component asks
    for a second run at once, and when it asks before the browser has drawn the first run's
    widgets it sends no values for them; the second run draws them with only their defaults
    (the value is sent only in the run that writes it). With the held value as the default the
    browser shows it either way, and nothing the person types is ever overwritten."""
    return {"value": st.session_state.get(_k(form, name))}


def clear(form: str) -> None:
    for key in [key for key in st.session_state if str(key).startswith(form + ".")]:
        del st.session_state[key]


def collect(form: str) -> dict[str, Any]:
    state = st.session_state
    values = {name: state.get(_k(form, name)) for name in FIELDS}
    lines = [
        {
            "service_id": state.get(_k(form, f"line.{i}.service_id")),
            "quantity": state.get(_k(form, f"line.{i}.quantity")),
        }
        for i in state.get(_k(form, "line_ids"), [])
    ]
    new_customer = None
    if state.get(_k(form, "customer_mode")) == "new":
        new_customer = forms.read(_k(form, "customer"), CUSTOMERS)
        values["customer_id"] = None
    return {"values": values, "lines": lines, "new_customer": new_customer}


def _add_line(form: str) -> None:
    ids = st.session_state[_k(form, "line_ids")]
    new = max(ids, default=-1) + 1
    ids.append(new)
    st.session_state[_k(form, f"line.{new}.service_id")] = None
    st.session_state[_k(form, f"line.{new}.quantity")] = 1.0


def _remove_line(form: str, line: int) -> None:
    st.session_state[_k(form, "line_ids")].remove(line)


def _customer_chosen(form: str) -> None:
    """Picking a customer proposes their address and area (the clerk may change them)."""
    chosen = st.session_state.get(_k(form, "customer_id"))
    if chosen:
        row = customers.get(actor=current_actor(), record_id=chosen)
        st.session_state[_k(form, "address")] = row["address"]
        st.session_state[_k(form, "area_id")] = row["area_id"]


def customer_picker(form: str, allow_new: bool, errors: dict[str, Any]) -> None:
    actor = current_actor()
    modes = {"existing": t("Existing customer"), "new": t("New customer")}
    if allow_new:
        st.segmented_control(
            t("Customer"),
            list(modes),
            format_func=modes.__getitem__,
            key=_k(form, "customer_mode"),
            label_visibility="collapsed",
        )
    if st.session_state.get(_k(form, "customer_mode")) == "new":
        sub = _k(form, "customer")
        forms.load_once(sub, CUSTOMERS, {})
        nested = {name.removeprefix("customer."): m for name, m in errors.items() if name.startswith("customer.")}
        forms.field_grid(sub, CUSTOMERS.form_fields, customers.options(actor=actor), errors=nested)
        return
    query = st.text_input(
        t("Find the customer"),
        key=_k(form, "customer_query"),
        type="search",
        placeholder=t("Name, phone, email or code"),
    )
    found = customers.search(actor=actor, query=query, page_size=20).rows
    chosen = st.session_state.get(_k(form, "customer_id"))
    if chosen and chosen not in {row["id"] for row in found}:
        found = [customers.get(actor=actor, record_id=chosen), *found]
    labels = {row["id"]: f"{row['code']} · {row['name']} · {row['phone']}" for row in found}
    st.selectbox(
        t("Customer *"),
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        key=_k(form, "customer_id"),
        placeholder=t("Choose…"),
        on_change=_customer_chosen,
        args=(form,),
    )
    forms.error_under(errors.get("customer_id"))
    contacts.contact_lines(st.session_state.get(_k(form, "customer_id")), _k(form, "contacts"))


def _where_and_when(form: str, errors: dict[str, Any]) -> None:
    actor = current_actor()
    areas = {o.id: o.label.get(language()) for o in reference.service_areas(actor=actor)}
    left, right = st.columns(2)
    with left:
        st.selectbox(
            t("Channel *"),
            list(CHANNELS),
            format_func={c: t(CHANNEL_LABELS[c]) for c in CHANNELS}.__getitem__,
            key=_k(form, "channel"),
        )
        forms.error_under(errors.get("channel"))
        st.text_input(t("Service address *"), key=_k(form, "address"))
        forms.error_under(errors.get("address"))
        st.selectbox(
            t("Service area *"),
            list(areas),
            format_func=areas.__getitem__,
            index=None,
            key=_k(form, "area_id"),
            placeholder=t("Choose…"),
        )
        forms.error_under(errors.get("area_id"))
    with right:
        # No lower bound here: core says when a date has passed, and an order being changed may keep its own.
        st.date_input(t("Requested date *"), key=_k(form, "requested_date"), **held(form, "requested_date"))
        forms.error_under(errors.get("requested_date"))
        begin, end = st.columns(2)
        begin.time_input(t("Window from *"), key=_k(form, "window_start"), step=1800, **held(form, "window_start"))
        end.time_input(t("to *"), key=_k(form, "window_end"), step=1800, **held(form, "window_end"))
        forms.error_under(errors.get("window_start") or errors.get("window_end"))


def lines_editor(form: str, errors: dict[str, Any]) -> list[dict[str, Any]]:
    actor = current_actor()
    offered = [row for row in catalogue.search(actor=actor, page_size=100).rows if row["active"]]
    labels = {
        row["id"]: f"{row['name_zh'] if language() == 'zh' else row['name_en']} · "
        f"{money(row['unit_price'])}/{unit_label(row['unit'], language())}"
        for row in offered
    }
    st.markdown(f"**{t('Services')}**")
    forms.error_under(errors.get("lines"))
    for position, line in enumerate(st.session_state[_k(form, "line_ids")]):
        service, quantity, remove = st.columns([5, 2, 1], vertical_alignment="bottom")
        service.selectbox(
            t("Service"),
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            key=_k(form, f"line.{line}.service_id"),
            placeholder=t("Choose…"),
        )
        quantity.number_input(
            t("Quantity"),
            key=_k(form, f"line.{line}.quantity"),
            step=1.0,
            format="%.2f",
            **held(form, f"line.{line}.quantity"),
        )
        remove.button(
            "✕",
            key=_k(form, f"line.{line}.remove"),
            on_click=_remove_line,
            args=(form, line),
            help=t("Remove this line"),
        )
        forms.error_under(errors.get(f"lines.{position}.service_id") or errors.get(f"lines.{position}.quantity"))
    st.button(t("Add a service"), key=_k(form, "add_line"), on_click=_add_line, args=(form,), icon=":material/add:")
    return collect(form)["lines"]


def _totals(form: str, lines: list[dict[str, Any]], errors: dict[str, Any]) -> None:
    actor = current_actor()
    st.number_input(
        t("Discount %"),
        key=_k(form, "discount_pct"),
        **held(form, "discount_pct"),
        min_value=0.0,
        max_value=100.0,
        step=1.0,
        help=t("Up to {limit}% without approval; above it a manager approves.", limit=discount_limit(actor.roles)),
    )
    forms.error_under(errors.get("discount_pct"))
    quote = orders.quote(actor=actor, lines=lines, discount_pct=st.session_state.get(_k(form, "discount_pct")))
    figures = quote["totals"]
    rows = [
        (t("Subtotal"), figures.subtotal),
        (t("Discount"), -figures.discount_amount),
        (t("Tax {rate}%", rate=figures.tax_rate * 100), figures.tax_amount),
        (t("Total"), figures.total),
    ]
    st.markdown("  \n".join(f"{label}: **{escape_markdown(money(value))}**" for label, value in rows))
    st.caption(t("About {minutes} minutes of work.", minutes=figures.minutes))
    if quote["needs_approval"]:
        st.info(t("This discount is above your limit: the order waits for a manager's approval."))


def order_form(
    form: str, save: Save, *, submit_label: str, allow_new_customer: bool, fixed_customer: str | None = None
) -> None:
    """The whole form; `fixed_customer` shows the customer of an order being changed (it stays)."""
    errors = forms.errors_of(form)
    with st.container(border=True):
        if fixed_customer is None:
            customer_picker(form, allow_new_customer, errors)
        else:
            st.markdown(f"**{t('Customer')}**  \n{escape_markdown(fixed_customer)}")
    with st.container(border=True):
        _where_and_when(form, errors)
    with st.container(border=True):
        lines = lines_editor(form, errors)
    with st.container(border=True):
        _totals(form, lines, errors)
        st.text_area(t("Notes for the technician"), key=_k(form, "notes"), height=70)
    forms.show_notice(form)
    st.button(
        submit_label,
        type="primary",
        key=_k(form, "save"),
        on_click=forms.run_action,
        args=(form, lambda: collect(form), save, False),
    )
    forms.duplicate_prompt(form, CUSTOMERS, lambda: collect(form), save)
