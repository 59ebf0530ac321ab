"""Every error `collage` raises on purpose.

    CollageError                  base; anything else escaping is a bug
    ├── InputError                the folder, manifest or media cannot be rendered (exit 1)
    │     carries .problems: every Problem found, not only the first
    └── RenderError               rendering failed for a reason outside the input (exit 3)
          └── EncodeError         ffmpeg refused or died; .hint says what to do

Only the CLI prints these and turns them into exit codes. Messages never include a contributor's
email: validation reports field paths and what is wrong, never the offending value of a private field,
and a Problem's text is redacted of anything that looks like an address (`privacy.redact`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from collage.privacy import redact

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about the input: where it is, which field, what is wrong and what to do."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str = ""
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        tag = "" if self.severity == "error" else " warning:"
        return redact(f"{where}:{tag}{field} {self.message}{hint}")


class CollageError(Exception):
    """Base of every error raised on purpose."""


class InputError(CollageError):
    """The input cannot be rendered; `problems` lists every error found (warnings may ride along)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.errors) or "invalid input")

    def __reduce__(self) -> tuple[type[InputError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))  # intact across worker processes

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


class RenderError(CollageError):
    """Rendering failed for a reason that is not the input's fault."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message, self.hint = message, hint
        super().__init__(message if not hint else f"{message} ({hint})")

    def __reduce__(self) -> tuple[type[RenderError], tuple[str, str]]:
        return (type(self), (self.message, self.hint))  # intact across worker processes


class EncodeError(RenderError):
    """ffmpeg failed; the message is a translation of its stderr, not a dump of it."""
