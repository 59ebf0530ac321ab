"""Theme files: the built-in ones inside the package (`data/themes/`) and a theme file of one's own
in the folder, read into a `Theme` (within the same bounds as a manifest)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from collage.manifest import yamlpos
from collage.manifest.report import short, unusable_path
from collage.model.theme import DEFAULT, Theme, ThemeError, with_values
from collage.resources import themes_dir


def builtin_names() -> list[str]:
    return sorted(p.stem for p in themes_dir().glob("*.yaml"))


def load(name: str, folder: Path | None = None) -> tuple[Theme, Path]:
    """A built-in theme by name, or a theme file (a path relative to `folder`). Returns the theme and
    the folder its `background_image` is relative to. Raises ThemeError."""
    path = themes_dir() / f"{name}.yaml"
    if name not in builtin_names():
        if folder is None or not name.endswith((".yaml", ".yml")):
            raise ThemeError(f"no theme '{short(name)}'; built in: " + ", ".join(builtin_names()))
        unusable = unusable_path(name)
        if unusable:
            raise ThemeError(f"the theme file's path {unusable}")
        path = folder / name
        try:
            inside, exists = path.resolve().is_relative_to(folder.resolve()), path.is_file()
        except (OSError, ValueError):
            raise ThemeError("the theme file's path cannot be read") from None
        if not inside:
            raise ThemeError(f"the theme file '{name}' leads outside the folder")
        if not exists:
            raise ThemeError(f"no theme file '{name}' in the folder")
    try:
        if path.stat().st_size > yamlpos.MAX_BYTES:
            raise ThemeError(f"the theme {path.name} is too large to be a theme")
        data = yamlpos.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ThemeError(f"cannot read the theme {path.name}: {why}") from None
    except yamlpos.YamlSyntaxError as exc:
        where = f" (its line {exc.line})" if exc.line else ""
        raise ThemeError(f"the theme {path.name}{where}: {exc}") from None
    if not isinstance(data, dict):
        raise ThemeError(f"the theme {path.name} must be a mapping of keys")
    return with_values(dataclasses.replace(DEFAULT, name=path.stem), data), path.parent
