"""`collage.yaml` in, a validated `Project` out (or every problem, each with its line, field and a hint).

    load.py       read the file (bounded) and validate it section by section
    yamlpos.py    YAML with the line of every value, within bounds (aliases, depth, size)
    models.py     the manifest as written: pydantic models of each section (and the JSON Schema's source)
    report.py     the problems found, in editors' words; paths kept inside the folder
    video.py, timing.py, music.py, style.py, messages.py, sequence.py, emails.py   one section each
    themes.py     theme files (built in, or the folder's own)

What writes a manifest (`init`, `import`, the schema, the round trip the desk uses) is `collage.authoring`.

The contributor's `email` is checked for type and then dropped: no object after this package holds it.
Unapproved messages are dropped too, so nothing downstream can render one by mistake.
"""

from collage.manifest.load import MANIFEST_NAME, find_manifest, load
from collage.manifest.models import parse_transition
from collage.manifest.report import AUDIO_SUFFIXES, PHOTO_SUFFIXES, did_you_mean, display_path
from collage.manifest.sequence import DEFAULT_CLOSING, parse_grid
from collage.manifest.video import SIZE_PRESETS, parse_size

__all__ = ["AUDIO_SUFFIXES", "DEFAULT_CLOSING", "MANIFEST_NAME", "PHOTO_SUFFIXES", "SIZE_PRESETS", "did_you_mean",
           "display_path", "find_manifest", "load", "parse_grid", "parse_size", "parse_transition"]
