"""Files that travel inside the package (fonts, themes), found the way an installed package finds them.

`importlib.resources` works for an editable checkout, a wheel and a pipx venv alike; a path built from
`__file__` up into the repository does not exist once the package is installed.
"""

from __future__ import annotations

import functools
import hashlib
from importlib.resources import files
from pathlib import Path


@functools.cache
def package_dir() -> Path:
    """The installed package's own folder (every module in it counts toward the cache fingerprint)."""
    return Path(str(files("collage")))


@functools.cache
def data_dir() -> Path:
    """The package's `data/` folder as a real directory (fonts are opened by file name)."""
    root = files("collage").joinpath("data")
    path = Path(str(root))
    if not path.is_dir():  # e.g. imported from a zip archive, where fonts cannot be opened by name
        raise RuntimeError("collage's data files are missing; reinstall it with pip")
    return path


def fonts_dir() -> Path:
    return data_dir() / "fonts"


def themes_dir() -> Path:
    return data_dir() / "themes"


def models_dir() -> Path:
    """The face detectors' weights (see SOURCES.md there)."""
    return data_dir() / "models"


@functools.lru_cache(maxsize=8)
def sources_digest(package: Path) -> str:
    """Every module of a package (or of a folder of it), in every subpackage, by its path inside it: what
    a fact found by collage's own code depends on."""
    h = hashlib.blake2b(digest_size=20)
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
