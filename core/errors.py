"""Domain errors. Services raise them; pages turn them into messages in the reader's language."""

from __future__ import annotations

from datetime import datetime

from core.i18n import Message, msg


class OpsdeskError(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class PermissionDenied(OpsdeskError):
    def __init__(self, module: str, action: str, message: Message) -> None:
        super().__init__(message)
        self.module = module
        self.action = action


class NotFound(OpsdeskError):
    pass


class ValidationFailed(OpsdeskError):
    """Bad input: one message per offending field, so each shows next to its field."""

    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__(msg("Please correct the highlighted fields."))
        self.errors = errors


class ConcurrentEdit(OpsdeskError):
    def __init__(self, changed_by: str, changed_at: datetime, when_text: str) -> None:
        super().__init__(
            msg(
                "This record was changed by {who} at {when} after you opened it. "
                "Reload it to see their changes; nothing was saved.",
                who=changed_by,
                when=when_text,
            )
        )
        self.changed_by = changed_by
        self.changed_at = changed_at


class LoginRefused(OpsdeskError):
    pass


class SessionEnded(OpsdeskError):
    pass
