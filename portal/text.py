"""Free text people type: how long it may be, and what a single line may hold. One wording for the forms,
the API and the services (the last line: pages and API both go through them).

Each app states its limits in one place (`targets/plans/limits.py`, `partners/limits.py`); a limit fits the
use (a title, a comment, a plan section) and keeps every page that shows the text quick to make. A single
line (a title, a name) never holds a line break or another control character: an email subject made from it
would be refused by the mail library, and a page would show it garbled.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# C0 controls (line breaks and tabs included), DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SINGLE_LINE_CODE = "single_line"


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value or ""))


def single_line_message(subject: str) -> str:
    """The refusal, naming the answer: "Title must not contain line breaks or control characters"."""
    return f"{subject} must not contain line breaks or control characters"


def too_long_message(subject: str, limit: int) -> str:
    """The refusal, naming the answer: "Your comment must be 5,000 characters or fewer"."""
    return f"{subject} must be {limit:,} characters or fewer"


def limit_hint(limit: int) -> str:
    return f"You can enter up to {limit:,} characters"


def check_text(*, field: str, value: str | None, limit: int, subject: str, single_line: bool = False) -> None:
    """Refuse text longer than `limit` characters, or (a single line) holding a control character, with the
    message on `field`."""
    value = value or ""
    if len(value) > limit:
        raise ValidationError({field: ValidationError(too_long_message(subject, limit), code="max_length")})
    if single_line and has_control_characters(value):
        raise ValidationError({field: ValidationError(single_line_message(subject), code=SINGLE_LINE_CODE)})


class SingleLineValidator:
    """A form or serializer field's check: no line break or other control character."""

    def __init__(self, subject: str):
        self.subject = subject

    def __call__(self, value) -> None:
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(single_line_message(self.subject), code=SINGLE_LINE_CODE)

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleLineValidator) and other.subject == self.subject
