"""Start the Streamlit server for app.py: `python -m ui.serve` (what `make run` does).

app.py builds the navigation itself on every run. Streamlit would otherwise treat
the first request after a start as an old-style multipage app (because a pages/
folder exists) and answer a deep link with "page not found"; telling it up front
avoids that.
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from core.config import ROOT


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    return cli.main(["run", str(ROOT / "app.py"), *argv], standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
