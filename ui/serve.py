"""Start the Streamlit server for app.py: `python -m ui.serve` (what `make run` does).

app.py builds the navigation itself on every run. Streamlit would otherwise treat
the first request after a start as an old-style multipage app (because a pages/
folder exists) and answer a deep link with "page not found"; telling it up front
avoids that.

With OPSDESK_TLS_CERT and OPSDESK_TLS_KEY set, Streamlit serves HTTPS itself (and
nothing over plain HTTP); the README's "Serving over HTTPS" shows the alternative,
a reverse proxy in front.
"""

from __future__ import annotations

import ssl
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from core import crypto_store
from core.config import ROOT, Settings, get_settings
from core.crypto import KeyProblem


def tls_options(settings: Settings) -> list[str]:
    """Streamlit's options for the certificate and key in the settings; SystemExit with what is
    wrong when only one is set, a file is missing, or they do not make a pair."""
    cert, key = settings.tls_cert, settings.tls_key
    if not cert and not key:
        return []
    if not (cert and key):
        raise SystemExit("OPSDESK_TLS_CERT and OPSDESK_TLS_KEY go together: set both (or neither).")
    for name, path in (("OPSDESK_TLS_CERT", cert), ("OPSDESK_TLS_KEY", key)):
        if not Path(path).is_file():
            raise SystemExit(f"{name}: {path} is not a file.")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as problem:
        raise SystemExit(
            f"OPSDESK_TLS_CERT and OPSDESK_TLS_KEY: {cert} and {key} are not a PEM certificate "
            f"and its private key ({problem})."
        ) from None
    return ["--server.sslCertFile", cert, "--server.sslKeyFile", key]


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    try:  # a wrong encryption key stops the start before anything is read or written
        crypto_store.check_key()
    except KeyProblem as problem:
        raise SystemExit(f"Encryption key problem: {problem}") from None
    options = tls_options(get_settings())
    return cli.main(["run", str(ROOT / "app.py"), *options, *argv], standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
