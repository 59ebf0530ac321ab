"""`timing:`: default lengths of title cards, slides and transitions, and how timing follows the music."""

from __future__ import annotations

from typing import Any, Literal

from collage.manifest.models import TimingIn
from collage.manifest.report import Reporter
from collage.model.project import Timing, Transition


def timing(r: Reporter, data: Any) -> Timing:
    timing_in = r.model(TimingIn, data or {}, ("timing",)) or TimingIn()
    slide: float | Literal["auto"] = "auto" if timing_in.slide == "auto" else float(timing_in.slide)
    transition = timing_in.transition.over(Transition("crossfade", 1.0))
    timing = Timing(timing_in.title, slide, transition, timing_in.fit, timing_in.min, timing_in.max,
                    timing_in.beats)
    for name in ("title", "slide", "min", "max"):
        value = getattr(timing, name)
        if isinstance(value, float) and value <= 0:
            r.error(("timing", name), "must be longer than zero", key_line=True)
    if timing.min > timing.max:
        r.error(("timing", "min"), f"min {timing.min:g}s is longer than max {timing.max:g}s", key_line=True)
    return timing
