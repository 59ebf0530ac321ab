"""A manifest a person edited, changed round trip (ruamel.yaml): the file's own layout found and kept, so
that only what changes changes; every change validated before it is written. Used by `collage import`
and by the review desk.
"""

from __future__ import annotations

import difflib
import io
import re
from pathlib import Path
from typing import Any

from collage.errors import InputError, Problem
from collage.manifest.leaks import NAMES_WITHHELD


def editor(mapping: int = 2, sequence: int = 4, offset: int = 2) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line a person wrote
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def matching(original: str) -> tuple[Any, bool]:
    """A round-trip dumper whose indentation reproduces the file exactly, so that only what changes
    changes, and True; or the closest one and False (a file laid out by hand in several styles)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, dash = load_yaml_guess_indent(original)
    tried = [(2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0)]
    if indent is not None:
        tried.insert(0, (indent, indent, dash or 0))
    tried += [(m, q, o) for m in (2, 3, 4) for q in range(2, 9) for o in range(0, q - 1) if (m, q, o) not in tried]
    data = editor().load(original)  # read once: what is read does not depend on the indentation it is written in
    best, best_score = None, -1.0  # (read again for each of the ~60 tried, a merge took seconds: found by fuzzing)
    for mapping, sequence, offset in tried:
        yaml = editor(mapping, sequence, offset)
        text = dump(yaml, data)
        if text == original:
            return yaml, True
        score = difflib.SequenceMatcher(None, text, original, autojunk=False).quick_ratio()
        if score > best_score:
            best, best_score = yaml, score
    return best, False


def appended(original: str, data: Any, messages: Any, before: int, shown: str) -> str:
    """The file as it was, with the new messages written as text after the last one (before the next
    top-level key, or at the end): for a file no dumper reproduces exactly."""
    added = list(messages)[before:]
    if not added:
        return original
    if before and messages.fa.flow_style():
        raise InputError([Problem(shown, "the messages are written as a flow list ([...]) laid out by hand, "
                                  "which an automatic edit cannot extend without changing it",
                                  hint="write them as a block list, one `- ` a message, then import again")])
    yaml = editor(2, 2, 0)  # the items at column 0, then moved to where the file has its items
    lines = original.splitlines(keepends=True)
    keys = list(data)
    at = keys.index("messages")
    following = [data.lc.key(k)[0] for k in keys[at + 1:]]
    cut = min(following) if following else len(lines)
    while cut > 0 and (not lines[cut - 1].strip() or lines[cut - 1].lstrip().startswith("#")) and following:
        cut -= 1  # comments and blank lines just above the next key belong to it
    indent = _item_indent(original)
    block = dump(yaml, added)
    block = "".join(" " * indent + line if line.strip() else line for line in block.splitlines(keepends=True))
    head = "".join(lines[:cut])
    if head and not head.endswith("\n"):
        head += "\n"
    return head + block + "".join(lines[cut:])


def _item_indent(text: str) -> int:
    """How far the manifest's message items are indented (their `-`)."""
    found = re.search(r"^messages:[^\n]*\n(?:\s*#[^\n]*\n|\s*\n)*( *)- ", text, re.MULTILINE)
    return len(found.group(1)) if found else 2


def only_updated(original: str, data: Any, yaml: Any, updated: list[tuple[str, str]], shown: str) -> None:
    """An update must change what it names and nothing else: a value shared through an anchor or a merge
    key would change the messages that inherit it too."""
    import yaml as pyyaml

    old = pyyaml.safe_load(original).get("messages") or []
    new = pyyaml.safe_load(dump(yaml, data)).get("messages") or []
    allowed: dict[str, set[str]] = {}
    for ident, name in updated:
        allowed.setdefault(ident, set()).add(name)
    for k, before in enumerate(old):
        after = new[k] if k < len(new) else None
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        ident = str(before.get("id", Path(str(before.get("photo", ""))).stem))
        changed = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
        if changed - allowed.get(ident, set()):
            raise InputError([Problem(shown, f"updating would also change message '{ident}' "
                                      f"({', '.join(sorted(changed))}), which shares values through an anchor or "
                                      "a merge key", hint="edit those messages by hand, or import without --update")])


def dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def validate(folder: Path, target: Path, text: str) -> int:
    """The merged manifest must load: a sheet cell that would break it (an email in a name, say) stops
    the import with the row's problem, and nothing is written. Two errors are the organiser's to fix
    after the import: nothing approved yet, and photo files named after a contributor who asked not to
    be named (collage only reads the folder: they rename them). Returns how many of those files."""
    from collage.manifest.load import load_text

    try:
        load_text(folder, target, text)
    except InputError as exc:
        problems = blocking(exc.errors)
        if problems:
            raise InputError([Problem(target.name, p.message, line=p.line, field=p.field, hint=p.hint)
                              for p in problems]) from None
        return sum(_named_file(p) for p in exc.errors)
    return 0


def _named_file(problem: Problem) -> bool:
    return problem.field.endswith(".photo") and NAMES_WITHHELD in problem.message


def blocking(errors: tuple[Problem, ...]) -> list[Problem]:
    """The errors an import cannot go on with: all but nothing approved yet (normal while submissions
    come in) and photo files still to be renamed (`validate`)."""
    return [p for p in errors if "nothing to show" not in p.message and not _named_file(p)]


def check_current(folder: Path, manifest: Path) -> None:
    """The manifest's errors, but that nothing is approved yet (normal while submissions come in)."""
    from collage.manifest import load

    try:
        load(folder, manifest)
    except InputError as exc:
        errors = blocking(exc.errors)
        if errors:
            raise InputError(errors) from None
