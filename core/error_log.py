"""The last errors of this server process, for the admin's health page.

A logging handler keeps the newest records at ERROR and above (`KEEP` of them) from Opsdesk's own
loggers ("opsdesk.*") and from Streamlit's report of an exception a page raised
("streamlit.error_util": Streamlit's loggers do not propagate, so the handler is attached to it
directly). Each is kept as an `ErrorEntry`: when, which logger, the message, the exception's type
and its first line, where in Opsdesk's code it was raised, and the page and user when the server
knows them (ui gives a `context` function; core knows no pages).

What is kept never carries a password or a customer's contacts: only the first line of an
exception is kept (a database error's SQL, its parameters and its DETAIL line come after it), and
e-mail addresses, long digit runs (phones) and `password=...` values are masked in every text.

`install(directory)` also appends each entry as a JSON line to `directory/errors.jsonl` (rotated
at `FILE_LIMIT` bytes, one older file kept) and reads the newest ones back, so the list survives a
restart.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from core.config import ROOT

KEEP = 50
FILE_NAME = "errors.jsonl"
FILE_LIMIT = 1024 * 1024  # bytes before the file is rotated to errors.jsonl.1
TEXT_LIMIT = 500
LOGGERS = ("opsdesk", "streamlit.error_util")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_SECRET = re.compile(r"(?i)\b(password|passwd|secret|token|key)(\s*[=:]\s*)\S+")
_DIGITS = re.compile(r"\+?\d[\d \-]{5,}\d")  # a phone is 7 digits or more, spaces and dashes between


def _phone(match: re.Match[str]) -> str:
    return "***" if sum(c.isdigit() for c in match[0]) >= 7 else match[0]


def scrub(text: str) -> str:
    """Text of at most TEXT_LIMIT characters with e-mails, phones and secrets masked."""
    text = _SECRET.sub(r"\1\2***", _EMAIL.sub("***@***", text))
    return _DIGITS.sub(_phone, text)[:TEXT_LIMIT]


@dataclass(frozen=True)
class ErrorEntry:
    at: datetime  # aware UTC
    logger: str
    level: str
    message: str
    exception: str | None = None  # the exception's type, e.g. "OperationalError"
    detail: str | None = None  # the first line of the exception's text
    where: str | None = None  # "core/backups.py:120 in take_backup": the deepest frame of Opsdesk's own code
    page: str | None = None
    user: str | None = None

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "at": self.at.isoformat()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> ErrorEntry:
        values = json.loads(line)
        values["at"] = datetime.fromisoformat(values["at"])
        return cls(**values)


def _where(trace: TracebackType | None) -> str | None:
    """The deepest frame of the traceback in Opsdesk's own files (not in the virtualenv's libraries)."""
    found = None
    while trace is not None:
        path = Path(trace.tb_frame.f_code.co_filename)
        if path.is_relative_to(ROOT) and ".venv" not in path.parts:
            found = f"{path.relative_to(ROOT)}:{trace.tb_lineno} in {trace.tb_frame.f_code.co_name}"
        trace = trace.tb_next
    return found


Context = Callable[[], tuple[str | None, str | None]]  # (page, user) of the code running now, if known


class RecentErrors(logging.Handler):
    """Keeps the newest ERROR records as entries, and appends them to a file when given one."""

    def __init__(self, keep: int = KEEP) -> None:
        super().__init__(level=logging.ERROR)
        self.entries: deque[ErrorEntry] = deque(maxlen=keep)
        self.file: Path | None = None
        self.context: Context | None = None
        self._guard = threading.Lock()

    def entry(self, record: logging.LogRecord) -> ErrorEntry:
        page = user = None
        if self.context is not None:
            try:
                page, user = self.context()
            except Exception:  # the context is a nicety; the error is what matters
                page = user = None
        kind, error, trace = record.exc_info or (None, None, None)
        first_line = str(error).strip().splitlines()[0] if error is not None and str(error).strip() else None
        return ErrorEntry(
            at=datetime.fromtimestamp(record.created, UTC),
            logger=record.name,
            level=record.levelname,
            message=scrub(record.getMessage().strip().split("\n", 1)[0]),
            exception=kind.__name__ if kind is not None else None,
            detail=scrub(first_line) if first_line else None,
            where=_where(trace),
            page=page,
            user=user,
        )

    def emit(self, record: logging.LogRecord) -> None:
        try:
            entry = self.entry(record)
            with self._guard:
                self.entries.append(entry)
                if self.file is not None:
                    self._write(entry)
        except Exception:
            self.handleError(record)

    def _write(self, entry: ErrorEntry) -> None:
        if self.file.exists() and self.file.stat().st_size > FILE_LIMIT:  # type: ignore[union-attr]
            os.replace(self.file, self.file.with_name(FILE_NAME + ".1"))  # type: ignore[union-attr]
        with self.file.open("a", encoding="utf-8") as handle:  # type: ignore[union-attr]
            handle.write(entry.as_json() + "\n")

    def keep_in(self, directory: Path) -> None:
        """Append entries to directory/errors.jsonl from now on, after reading back the newest kept there."""
        directory.mkdir(parents=True, exist_ok=True)
        file = directory / FILE_NAME
        lines: list[str] = []
        for path in (file.with_name(FILE_NAME + ".1"), file):
            if path.exists():
                lines.extend(path.read_text(encoding="utf-8").splitlines())
        earlier = []
        for line in lines[-(self.entries.maxlen or KEEP) :]:
            try:
                earlier.append(ErrorEntry.from_json(line))
            except (ValueError, TypeError, KeyError):  # a line cut short by a crash is skipped
                continue
        with self._guard:
            known = list(self.entries)
            self.entries.clear()
            self.entries.extend(sorted({*earlier, *known}, key=lambda e: e.at))
            self.file = file

    def newest(self, limit: int | None = None) -> list[ErrorEntry]:
        with self._guard:
            entries = list(reversed(self.entries))
        return entries[:limit] if limit is not None else entries


_handler = RecentErrors()


def install(directory: Path | None = None, context: Context | None = None) -> RecentErrors:
    """Attach the handler to Opsdesk's and Streamlit's loggers (once per process; again is harmless)."""
    if context is not None:
        _handler.context = context
    if directory is not None and _handler.file is None:
        _handler.keep_in(directory)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
    return _handler


def uninstall() -> None:
    """Detach the handler and forget its entries and file (tests)."""
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(_handler)
    with _handler._guard:
        _handler.entries.clear()
        _handler.file = None
    _handler.context = None


def recent(limit: int | None = None) -> list[ErrorEntry]:
    """The newest errors first (only those of this process, and of the file if `install` was given one)."""
    return _handler.newest(limit)
