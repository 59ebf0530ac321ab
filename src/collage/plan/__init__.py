"""The planner: project + media facts in, timeline out. Pure: no I/O, no imaging library, no clock (a
test holds the whole package to that)."""

from collage.model.project import caption_text
from collage.plan.build import BEAT_WINDOW, auto_seconds, build

__all__ = ["BEAT_WINDOW", "auto_seconds", "build", "caption_text"]
