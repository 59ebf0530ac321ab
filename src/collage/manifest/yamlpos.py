"""YAML to plain Python data, remembering the line of every key and value, within fixed bounds.

Validation reports `collage.yaml:42: messages[3].photo: …`, so every value needs its position. PyYAML
throws positions away once it builds objects, so we build them ourselves from its node tree.

Building objects from the node tree expands every alias, so a few hundred bytes of nested aliases
("billion laughs") would become millions of nodes, and a self-referencing alias or deep nesting would
recurse without end. Before anything is composed, one iterative pass over the parser's events measures
the document as it would be expanded (nodes, characters, depth, aliases) and refuses it, with the line,
past fixed bounds far above any real manifest.

The parsing is libyaml's (PyYAML's C loader, in its wheels) where it is there: the same YAML, read about
twenty times faster than by PyYAML's pure-Python parser, which took minutes over a few megabytes (a
million lines of `x: 1`: found by fuzzing). PyYAML's own reader still checks the characters first, and
a small document that libyaml refuses is read again by PyYAML, so that its problem says what it always
said (or passes: PyYAML reads an escaped half of a UTF-16 pair, which `leaks` then names). libyaml reads
a few tabs PyYAML refuses (`-\tx`); over thousands of generated manifests, nothing else differed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

MAX_BYTES = 8 << 20  # a manifest of 20,000 messages is about 5 MB
MAX_NODES = 500_000  # after expanding aliases
MAX_CHARS = 32 << 20  # characters of text after expanding aliases
MAX_DEPTH = 64
MAX_ALIASES = 100_000
_FAST: Any = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it
_PURE_AGAIN = 256 << 10  # characters up to which a document libyaml refuses is read again by PyYAML

# Only the literal `true` approves, and only `true`/`false` are read as booleans there (YAML 1.1 also
# reads yes/on/y as true): these keys keep the scalar as written, quoted or not.
VERBATIM_KEYS = frozenset({"approved"})


@dataclass(frozen=True)
class Verbatim:
    """A scalar under a VERBATIM_KEYS key that is not a plain `true` or `false` written there: what was
    written, and, for a `true` that came from elsewhere, how (`merged` through `<<`, an `alias`)."""

    text: str
    quoted: bool
    came: str = ""


@dataclass
class Positions:
    """1-based lines of values (`value`) and of the keys that hold them (`key`), by field path."""

    value: dict[Path_, int] = field(default_factory=dict)
    key: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """The line of `path`, else of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            sub = path[:end]
            if sub in self.key:
                return self.key[sub]
            if sub in self.value:
                return self.value[sub]
        return None


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None, column: int | None, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.column, self.hint = line, column, hint


def _mark_error(exc: yaml.MarkedYAMLError) -> YamlSyntaxError:
    # str(exc) quotes the offending source line, which may be a private field: report the problem and
    # its position only.
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "invalid YAML"
    opened = exc.context_mark
    if opened is not None and mark is not None and opened.line != mark.line:
        # An unclosed quote is found where the file ends: the line to fix is where it opened. An unclosed
        # bracket is found where the next thing is: where it opened is said too. (Other contexts may
        # quote what the manifest wrote, an anchor's name say: never added.)
        if exc.context == "while scanning a quoted scalar" and exc.problem == "found unexpected end of stream":
            return YamlSyntaxError("YAML syntax error: a quoted text opens here and is never closed",
                                   opened.line + 1, opened.column + 1,
                                   "add the closing quote at the end of the text, or remove the opening one")
        if exc.context in ("while parsing a flow sequence", "while parsing a flow mapping"):
            what = f"{what} (in the [...] or {{...}} opened at line {opened.line + 1})"
    return YamlSyntaxError(f"YAML syntax error: {what}", None if mark is None else mark.line + 1,
                           None if mark is None else mark.column + 1, "fix the YAML syntax at this line")


def _reader_error(text: str, exc: yaml.reader.ReaderError) -> YamlSyntaxError:
    """A character YAML does not allow (NUL, most control characters): where, and which, never the text."""
    line = text.count("\n", 0, exc.position) + 1
    return YamlSyntaxError(f"YAML does not allow the character U+{exc.character:04X} here" if isinstance(
        exc.character, int) else "YAML does not allow a character here", line, None,
        "remove control characters; save the file as plain UTF-8 text")


def _too_big(what: str, event: yaml.Event, hint: str) -> YamlSyntaxError:
    mark = event.start_mark
    if mark is None:
        return YamlSyntaxError(what, None, None, hint)
    return YamlSyntaxError(what, mark.line + 1, mark.column + 1, hint)


class _Refused(Exception):
    """libyaml refused the document: `error` says why, as PyYAML's pure parser might not."""

    def __init__(self, error: YamlSyntaxError) -> None:
        self.error = error


def _loader(text: str, fast: bool) -> Any:
    """A loader of `text`: libyaml's if `fast`, once PyYAML's reader has checked every character."""
    try:
        if fast:
            yaml.reader.Reader(text)  # PyYAML's check of the characters (a regular expression: fast)
            return _FAST(text)
        return yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc) from None


def _fast_first(read: Any, text: str, *args: Any) -> Any:
    """`read(text, *args, fast)` with libyaml, and again with PyYAML for a small document it refuses."""
    if _FAST is None:
        return read(text, *args, False)
    try:
        return read(text, *args, True)
    except _Refused as refused:
        if len(text) > _PURE_AGAIN:
            raise refused.error from None
    return read(text, *args, False)


def measure(text: str) -> None:
    """Refuse a document whose expansion would pass the bounds, or that refers to itself, by walking
    the parser's events once (no recursion, nothing expanded). Raises YamlSyntaxError with the line."""
    _fast_first(_measure, text)


def _measure(text: str, fast: bool) -> None:
    # Each open collection: [anchor, nodes, chars]; a closed anchored one leaves its expanded size.
    stack: list[list[Any]] = [[None, 0, 0]]
    sizes: dict[str, tuple[int, int]] = {}
    aliases = 0
    loader = _loader(text, fast)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise _too_big(f"more than {MAX_ALIASES:,} aliases", event,
                                   "write the values out, or use fewer `*` aliases")
                if any(frame[0] == event.anchor for frame in stack):
                    raise _too_big(f"the alias '*{event.anchor}' refers to a value that contains it", event,
                                   "an alias cannot repeat the value it is inside of")
                if event.anchor not in sizes:
                    raise _too_big(f"the alias '*{event.anchor}' names no anchor before it", event,
                                   f"define '&{event.anchor}' first")
                nodes, chars = sizes[event.anchor]
            elif isinstance(event, yaml.ScalarEvent):
                nodes, chars = 1, len(event.value)
                if event.anchor:
                    sizes[event.anchor] = (nodes, chars)
            elif isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > MAX_DEPTH:
                    raise _too_big(f"nested more than {MAX_DEPTH} levels deep", event, "a manifest needs a few levels")
                stack.append([event.anchor, 1, 0])
                continue
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, nodes, chars = stack.pop()
                if anchor:
                    sizes[anchor] = (nodes, chars)
            else:
                continue
            top = stack[-1]
            top[1] += nodes
            top[2] += chars
            if top[1] > MAX_NODES or top[2] > MAX_CHARS:
                raise _too_big(f"the document expands to more than {MAX_NODES:,} values or {MAX_CHARS >> 20} MB of "
                               "text", event, "aliases repeat what they name: write a smaller manifest")
    except yaml.MarkedYAMLError as exc:
        raise _Refused(_mark_error(exc)) if fast else _mark_error(exc) from None
    except yaml.YAMLError as exc:  # e.g. a non-UTF-8 stream
        error = YamlSyntaxError(f"YAML error: {type(exc).__name__}", None, None)
        raise _Refused(error) if fast else error from None
    finally:
        loader.dispose()


def load(text: str, text_keys: frozenset[str]) -> tuple[Any, Positions]:
    """Parse one YAML document. Scalars under `text_keys` stay the text that was written, so a
    location `NO` stays "NO" (not False) and an id `0012` stays "0012" (not 12). Merge keys
    (`<<: *defaults`) work as in YAML 1.1."""
    if len(text) > MAX_BYTES:
        raise YamlSyntaxError(f"the manifest is {len(text) >> 20} MB; collage reads manifests up to "
                              f"{MAX_BYTES >> 20} MB", 1, 1, "split the project, or remove what it does not use")
    measure(text)
    result: tuple[Any, Positions] = _fast_first(_load, text, text_keys)
    return result


def _load(text: str, text_keys: frozenset[str], fast: bool) -> tuple[Any, Positions]:
    loader = _loader(text, fast)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _Refused(_mark_error(exc)) if fast else _mark_error(exc) from None
        except yaml.YAMLError as exc:
            error = YamlSyntaxError(f"YAML error: {type(exc).__name__}", None, None)
            raise _Refused(error) if fast else error from None
        positions = Positions()
        data = _build(loader, node, (), None, positions, text_keys) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _mark_error(exc) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {type(exc).__name__}", None, None) from None
    except RecursionError:  # merge keys chained through hundreds of anchors
        raise YamlSyntaxError("merge keys (`<<`) chained too deeply", None, None,
                              "write the values out instead of merging merges") from None
    finally:
        loader.dispose()
    return data, positions


def safe_load(text: str) -> Any:
    """`yaml.safe_load` within the same bounds (for other YAML files a folder holds, such as a theme)."""
    return load(text, frozenset())[0]


def _pairs(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node, bool]]:
    """The mapping's (key, value, written here) pairs with merge keys (`<<: *a` or `<<: [*a, *b]`)
    resolved: merged pairs first, so that what the mapping writes itself wins, and of several merged
    mappings the first wins (YAML 1.1). The node tree is not changed: an anchor reads the same each time."""
    merged: list[tuple[yaml.Node, yaml.Node, bool]] = []
    own: list[tuple[yaml.Node, yaml.Node, bool]] = []
    for key_node, value_node in node.value:
        if key_node.tag != "tag:yaml.org,2002:merge":
            own.append((key_node, value_node, True))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in reversed(sources):
            if not isinstance(source, yaml.MappingNode):
                raise YamlSyntaxError("a merge key `<<` takes a mapping or a list of mappings",
                                      key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                      "write `<<: *anchor` where the anchor names a mapping")
            merged.extend((k, v, False) for k, v, _ in _pairs(source))
    return merged + own


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    key: str | None,
    positions: Positions,
    text_keys: frozenset[str],
    key_at: int | None = None,  # where the key was written in this mapping (None: merged in through `<<`)
) -> Any:
    positions.value[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        written: set[str] = set()  # keys written in this mapping; merged ones may be overridden
        for key_node, value_node, explicit in _pairs(node):
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError("a key must be plain text, not a list or a mapping", key_node.start_mark.line + 1,
                                      key_node.start_mark.column + 1, "write the key as a word")
            k = _construct(loader, key_node)
            if not isinstance(k, str):
                k = str(k)
            if k in written and explicit:
                raise YamlSyntaxError(
                    f"duplicate key '{k}' in the same mapping", key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1, "keep one of them",
                )
            if explicit:
                written.add(k)
            positions.key[(*path, k)] = key_node.start_mark.line + 1
            result[k] = _build(loader, value_node, (*path, k), k, positions, text_keys,
                               key_node.start_mark.index if explicit else None)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, i), key, positions, text_keys) for i, item in enumerate(node.value)
        ]
    if key in VERBATIM_KEYS and isinstance(node, yaml.ScalarNode):
        # (libyaml says "" of a plain scalar, PyYAML None)
        plain = not node.style and node.tag == "tag:yaml.org,2002:bool"  # not `!!str true`
        if plain and node.value in ("true", "false"):
            # Written on this mapping itself: not merged from another (`<<: *defaults`), and not an alias
            # of a value written before it (an anchor's node starts before the key that aliases it).
            came = "merged" if key_at is None else "alias" if node.start_mark.index < key_at else ""
            if not came or node.value == "false":
                return node.value == "true"
            return Verbatim(node.value, quoted=False, came=came)
        return Verbatim(node.value, quoted=bool(node.style))
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if key in text_keys and isinstance(node, yaml.ScalarNode) and not node.style:
        return node.value
    return _construct(loader, node)


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError):
        # A value its tag cannot make (`!!int abc`, a date like 2021-02-30, 5,000 digits): named, not raised.
        raise YamlSyntaxError(f"cannot read this value as {node.tag.rpartition(':')[2] or 'YAML'}",
                              node.start_mark.line + 1, node.start_mark.column + 1,
                              "write it as plain text or a plain number") from None
