"""Text people typed is shown exactly as typed."""

import pytest

from core.text import without_control_characters
from ui.text import escape_markdown


@pytest.mark.parametrize(
    "typed",
    [
        "**bold**",
        "[link](https://x.io)",
        "<script>alert(1)</script>",
        "&lt;i&gt;",
        "Title\n===",
        "$x$",
        ":material/home:",
    ],
)
def test_every_markdown_or_html_sign_is_escaped(typed):
    escaped = escape_markdown(typed)
    specials = [ch for ch in typed if ch in "*[]()<>&=$:"]
    assert all(f"\\{ch}" in escaped for ch in specials)
    assert escaped.replace("\\", "") == typed.replace("\\", "")


def test_control_characters_are_dropped_and_text_kept():
    assert without_control_characters("张\x00伟\x07 Lee") == "张伟 Lee"


def test_the_lookup_counts_the_peer_address_and_a_forwarded_one_only_behind_a_trusted_proxy():
    from core.tracking import client_address

    assert client_address("10.0.0.5", "203.0.113.7, 10.0.0.1", trust_proxy=False) == "10.0.0.5"
    assert client_address("10.0.0.5", "203.0.113.7, 10.0.0.1", trust_proxy=True) == "203.0.113.7"
    assert client_address(None, None, trust_proxy=False) == "unknown"  # never a per-browser id a reload renews
