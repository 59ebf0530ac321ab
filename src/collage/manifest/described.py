"""`video.described`: the described version (`true`, or its settings): what is said, in which language,
by which voice, or from which recordings."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

from collage.manifest import yamlpos
from collage.manifest.models import DescribedIn
from collage.manifest.report import AUDIO_SUFFIXES, Reporter, kind_of, short, unusable_path
from collage.model.project import DESCRIBED_FIELDS, DESCRIBED_LANGUAGES, Described, Rendition

_FIELD = re.compile(r"\{([^{}]*)\}")
VOICE_SUFFIXES = frozenset({".onnx"})  # a Piper voice: NAME.onnx, with NAME.onnx.json beside it
_PATH: yamlpos.Path_ = ("video", "described")


def described(r: Reporter, data: Any, renditions: tuple[Rendition, ...]) -> Described | None:
    """None when the manifest asks for no described version (`false`, or the key left out)."""
    if data is None or data is False:
        return None
    if data is True:
        return Described(line=r.pos.key.get(_PATH))
    if not isinstance(data, dict):
        r.error(_PATH, f"expected true, false or a mapping of settings, got {kind_of(data)}",
                "write `described: true`, or e.g. `described: {language: zh}`", key_line=True)
        return None
    given = r.model(DescribedIn, data, _PATH)
    if given is None:
        return None
    language = given.language.strip().lower()
    if language not in DESCRIBED_LANGUAGES:
        r.error((*_PATH, "language"), f"collage cannot describe in '{short(given.language)}'",
                "use one of: " + ", ".join(DESCRIBED_LANGUAGES), key_line=True)
    voice = _voice(r, given.voice)
    audio = _audio(r, given.audio)
    if given.template is not None:
        _template(r, given.template)
    names = {x.name for x in renditions}
    for i, name in enumerate(given.renditions):
        wanted = name.strip().lower()
        if wanted not in names:
            r.error((*_PATH, "renditions", i), f"'{short(name)}' is not one of video.renditions",
                    "list shapes named in `video.renditions`" + (f": {', '.join(sorted(names))}" if names else ""))
    return Described(language, voice, audio, given.template,
                     tuple(dict.fromkeys(n.strip().lower() for n in given.renditions)), r.pos.key.get(_PATH))


def _voice(r: Reporter, rel: str | None) -> str | None:
    if rel is None:
        return None
    path = (*_PATH, "voice")
    found = r.inside(path, rel, "voice model", VOICE_SUFFIXES)
    if found is not None and not (r.folder / (found + ".json")).is_file():
        r.error(path, f"a voice model needs its settings beside it: '{short(found)}.json' is missing",
                "copy the voice's .onnx.json file next to its .onnx", key_line=True)
        return None
    if found is not None and importlib.util.find_spec("piper") is None:
        r.error(path, "a Piper voice needs the piper-tts package, which is not installed",
                "pip install 'collage[piper]', or leave out `voice:` to use the bundled voice", key_line=True)
        return None
    return found


def _audio(r: Reporter, rel: str | None) -> str | None:
    """A folder of recordings inside the folder (the recordings themselves are checked by `check`,
    which names any that is missing)."""
    if rel is None:
        return None
    path = (*_PATH, "audio")
    unusable = unusable_path(rel) if rel.strip() else "is empty"
    if unusable:
        r.error(path, f"the recordings' folder path {unusable}", "give a folder such as narration/", key_line=True)
        return None
    candidate = Path(rel)
    full = r.folder / candidate
    if candidate.is_absolute() or not full.resolve().is_relative_to(r.root):
        r.error(path, f"'{short(rel)}' is outside the folder", "keep the recordings inside the folder, e.g. "
                "narration/", key_line=True)
        return None
    if not full.is_dir():
        r.error(path, f"no such folder '{short(rel)}'", "make it and put one recording per message id and title "
                "card in it (alice.wav, title-0.wav)", key_line=True)
        return None
    return candidate.as_posix().rstrip("/") or "."


def recordings(folder: Path, rel: str) -> dict[str, Path]:
    """The recordings in a narration folder, by what they say (a message id, or `title-N`): any audio
    file whose stem names one."""
    out: dict[str, Path] = {}
    base = folder / rel
    for p in sorted(base.iterdir()) if base.is_dir() else ():
        if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES:
            out.setdefault(p.stem, p)
    return out


def _template(r: Reporter, template: str) -> None:
    path = (*_PATH, "template")
    fields = _FIELD.findall(template)
    unknown = [f for f in fields if f not in DESCRIBED_FIELDS]
    if unknown:
        r.error(path, f"unknown field '{{{short(unknown[0])}}}' in the template",
                "use " + ", ".join("{" + f + "}" for f in DESCRIBED_FIELDS), key_line=True)
    elif template.count("{") != len(fields) or template.count("}") != len(fields):
        r.error(path, "an unmatched brace in the template", "write fields as {who} or {sign}", key_line=True)
    elif not fields:
        r.error(path, "the template says nothing about the person", "use {who} and {sign}, e.g. "
                "\"{who}. Their sign reads: {sign}\"", key_line=True)
