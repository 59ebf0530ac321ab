"""`style:`: the theme (built in, or a theme file in the folder), the caption template, and single
theme values overridden; the result kept readable (caption contrast); no caption that the template
makes of a message's fields reads as an email address."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from collage.manifest import fonts as fonts_section
from collage.manifest import themes
from collage.manifest.report import PHOTO_SUFFIXES, Reporter, did_you_mean, kind_of, short
from collage.model import theme as theme_module
from collage.model.project import CAPTION_FIELDS, DEFAULT_CAPTION, Message, caption_text
from collage.model.theme import DEFAULT as DEFAULT_THEME
from collage.model.theme import Theme
from collage.privacy import looks_like_email

TRANSLATIONS = ("show", "sidecars")


def style(r: Reporter, data: Any) -> tuple[Theme, str, bool]:
    """`style:` picks a theme (`theme: light`, or a theme file in the folder), sets the caption
    template (`caption: "{name} · {location}"`), whether translations are shown on screen
    (`translations: show`; by default they are in the sidecars only) and overrides single theme values."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        r.error(("style",), f"expected a mapping of keys, got {kind_of(data)}", "e.g. `style: {theme: light}`")
        return DEFAULT_THEME, DEFAULT_CAPTION, False
    translations = data.get("translations", "sidecars")
    if translations not in TRANSLATIONS:
        r.error(("style", "translations"), f"expected show or sidecars, got '{short(translations)}'",
                "`translations: show` puts each message's translation on screen too", key_line=True)
    name = data.get("theme", "calm")
    theme, base = DEFAULT_THEME, r.folder
    if not isinstance(name, str):
        r.error(("style", "theme"), f"expected a theme name, got {kind_of(name)}", key_line=True)
    else:
        try:
            theme, base = themes.load(name, r.folder)
        except theme_module.ThemeError as exc:
            r.error(("style", "theme"), str(exc), "or name a theme file in the folder, e.g. themes/mine.yaml",
                    key_line=True)
    template = _caption(r, data.get("caption", DEFAULT_CAPTION))
    for key, value in data.items():
        if key in ("theme", "caption", "translations", "fonts"):
            continue
        try:
            theme = theme_module.with_values(theme, {key: value})
        except theme_module.ThemeError as exc:
            if str(exc).startswith("unknown theme key"):
                r.error(("style", key), f"unknown key '{short(key)}'",
                        did_you_mean(key, ["theme", "caption", "translations", "fonts", *theme_module.KEYS]),
                        key_line=True)
            else:
                r.error(("style", key), str(exc).partition(": ")[2] or str(exc), key_line=True)
    if theme.background_image:  # the manifest's is relative to the folder, a theme file's to the theme
        theme = dataclasses.replace(theme, background_image=_background(r, theme.background_image, base,
                                                                          "background_image" in data))
    if "fonts" in data:  # the folder's fonts, tried before the bundled ones
        theme = dataclasses.replace(theme, fonts=fonts_section.fonts(r, data["fonts"]))
    return theme_module.readable(theme), template, translations == "show"


def _caption(r: Reporter, template: Any) -> str:
    """`style.caption`: a template of the message's fields, or the default where it is wrong."""
    if not isinstance(template, str):
        r.error(("style", "caption"), f"expected text, got {kind_of(template)}", key_line=True)
        return DEFAULT_CAPTION
    fields = re.findall(r"\{([^{}]*)\}", template)
    unknown = [f for f in fields if f not in CAPTION_FIELDS]
    if unknown:
        r.error(("style", "caption"), f"unknown field '{{{unknown[0]}}}' in the caption",
                "use " + ", ".join(f"{{{f}}}" for f in CAPTION_FIELDS), key_line=True)
        return DEFAULT_CAPTION
    if not fields:
        r.error(("style", "caption"), "the caption names no field",
                'e.g. "{name} · {location}"', key_line=True)
        return DEFAULT_CAPTION
    return template


def _background(r: Reporter, written: str, base: Path, in_manifest: bool) -> str | None:
    """The background image's path: the manifest's is relative to the folder, a theme file's to the
    theme file (which is in the folder; built-in themes have no image)."""
    if in_manifest:
        rel = r.inside(("style", "background_image"), written, "image", PHOTO_SUFFIXES)
        return None if rel is None else str(r.folder / rel)
    rel_to_folder = (base / written).resolve()
    if not rel_to_folder.is_relative_to(r.root) or not rel_to_folder.is_file():
        r.error(("style", "theme"), f"the theme's background_image '{written}' is not "
                "a file inside the folder", "keep the image beside the theme file", key_line=True)
        return None
    return str(base / written)


def joined(r: Reporter, template: str, messages: list[Message]) -> None:
    """Each field may be free of an address and the template too, and still the caption they make
    reads as one (`{name}@{location}` of `lin.wei` and `example.org`): found by fuzzing. Named by
    message id, never by what the caption says."""
    for m in messages:
        caption = caption_text(m, template)
        if caption is not None and looks_like_email(caption):
            r.error(("style", "caption"), f"the caption of message '{m.id}' reads as an email address, as this "
                    "template joins its fields", "separate the fields, e.g. \"{name} · {location}\", or correct "
                    "the message's fields", key_line=True)
