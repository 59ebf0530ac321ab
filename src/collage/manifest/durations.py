"""Durations as editors write them: `5`, `1.5`, `5s`, `1.5s`, `500ms`, `1m30s`, `1h2m`."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(h|ms|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


MAX_SECONDS = 3600.0  # one slide, title card, transition or timing bound: longer is surely a slip


def parse_duration(value: object, limit: float = MAX_SECONDS) -> float:
    """Seconds from a number or a duration string, at most `limit`; ValueError says what was wrong."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 5, 1.5s or 1m30s, got a boolean")
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:  # an integer of hundreds of digits
            raise ValueError("that number is far too large for a duration") from None
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        try:
            seconds = float(text)
        except ValueError:
            pos, seconds = 0, 0.0
            for match in _PART.finditer(text):
                if match.start() != pos:
                    break
                seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
                pos = match.end()
            if pos != len(text) or not text:
                raise ValueError(f"'{_quoted(value)}' is not a duration; write 5, 1.5s, 500ms or 1m30s") from None
    else:
        raise ValueError(f"expected a duration such as 5, 1.5s or 1m30s, got {type(value).__name__}")
    if seconds < 0 or seconds != seconds or seconds == float("inf"):
        raise ValueError(f"'{_quoted(value)}' is not a usable duration; it must be zero or more seconds")
    if seconds > limit:
        raise ValueError(f"'{_quoted(value)}' is longer than {_spoken(limit)}; check the units (5s, 1m30s)")
    return seconds


def _quoted(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _spoken(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:g} hour{'s' if hours != 1 else ''}" if hours >= 1 else f"{seconds:g} s"
