"""Reading a submissions sheet as form tools export it: CSV or TSV (any common delimiter; UTF-8 with or
without BOM, or UTF-16; quoted newlines) and XLSX (openpyxl). Columns are recognised by their common
titles (case, spacing and punctuation ignored), or named by `--map "Column title=field"`; a column
that is neither is reported, never guessed at silently.

The result is one `Row` a submission: the fields collage knows, as text, with the row's number in the
sheet for every problem. Nothing here decides what goes into the manifest (`importing` does).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from collage.errors import InputError, Problem

FIELDS = ("id", "photo", "name", "profession", "location", "city", "country", "message", "translation", "email",
          "approved", "consent", "tags")

# Titles as people write them in forms, normalised (see `_norm`). Matched whole first; then a title that
# contains exactly one of the `WORDS` as a word ("Upload your photo here") is taken, and reported so.
ALIASES: dict[str, str] = {
    "id": "id", "message id": "id",
    "photo": "photo", "file": "photo", "filename": "photo", "file name": "photo", "attachment": "photo",
    "image": "photo", "picture": "photo", "photo file": "photo", "upload": "photo", "your photo": "photo",
    "name": "name", "full name": "name", "your name": "name", "contributor": "name", "name surname": "name",
    "profession": "profession", "occupation": "profession", "job": "profession", "job title": "profession",
    "your profession": "profession", "role": "profession",
    "location": "location", "place": "location", "where are you": "location", "your location": "location",
    "city": "city", "town": "city", "country": "country",
    "message": "message", "sign": "message", "text": "message", "sign text": "message",
    "what does your sign say": "message", "your message": "message", "message text": "message",
    "translation": "translation", "english translation": "translation", "chinese translation": "translation",
    "email": "email", "e mail": "email", "email address": "email", "e mail address": "email", "mail": "email",
    "your email": "email",
    "approved": "approved", "status": "approved", "approval": "approved", "approval status": "approved",
    "consent": "consent", "tags": "tags", "tag": "tags",
}
WORDS = {"photo": "photo", "picture": "photo", "image": "photo", "attachment": "photo", "filename": "photo",
         "name": "name", "profession": "profession", "occupation": "profession", "location": "location",
         "city": "city", "country": "country", "message": "message", "sign": "message",
         "translation": "translation"}
# Never guessed from a word in a longer title: what approves, what consents, what is private. ("I have
# approved the terms of use" is a contributor's checkbox, not the organisers' approval.)

MAX_ROWS = 100_000
MAX_COLUMNS = 200
EMPTY_RUN = 1000
MAX_BYTES = 64 << 20


@dataclass(frozen=True)
class Row:
    number: int  # in the sheet, counting the header as row 1 (as a spreadsheet shows it)
    values: dict[str, str]  # field -> text (only non-empty cells)


@dataclass
class Sheet:
    rows: list[Row]
    columns: dict[str, str]  # column title -> field, as recognised or mapped
    unmapped: list[str] = field(default_factory=list)  # titles of columns not imported
    guessed: list[str] = field(default_factory=list)  # titles matched by a word they contain (reported)


def _norm(title: str) -> str:
    text = re.sub(r"[^\w]+", " ", title.casefold()).strip()
    return re.sub(r"\s+", " ", text)


def read(path: Path, mapping: dict[str, str] | None = None) -> Sheet:
    """The sheet's submissions; an InputError naming the row and column for anything malformed."""
    shown = path.name
    try:
        size = path.stat().st_size
    except OSError:
        raise InputError([Problem(str(path), "no such sheet", hint="give the CSV, TSV or XLSX file")]) from None
    if not path.is_file():
        raise InputError([Problem(str(path), "not a file", hint="give the CSV, TSV or XLSX file")])
    if size > MAX_BYTES:
        raise InputError([Problem(shown, f"the sheet is {size >> 20} MB; collage reads sheets up to "
                                  f"{MAX_BYTES >> 20} MB", hint="split it")])
    table = _xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _text(path)
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise InputError([Problem(shown, "the sheet is empty", hint="export it with its header row")])
    if len(table) > MAX_ROWS:
        raise InputError([Problem(shown, f"more than {MAX_ROWS} rows", hint="split the sheet")])
    header = [h.strip() for h in table[0]]
    columns, unmapped, guessed = _columns(shown, header, mapping or {})
    if "photo" not in columns.values():
        raise InputError([Problem(shown, "no column names the photo (a title such as Photo, File or Attachment)",
                                  line=1, hint='name it: --map "Your column=photo"')])
    index = {title: k for k, title in enumerate(header)}
    rows: list[Row] = []
    for n, cells in enumerate(table[1:], start=2):
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            raise InputError([Problem(shown, f"row {n} has {len(cells)} cells but the header names {len(header)} "
                                      "columns", line=n, hint="check the row's quoting, or re-export the sheet")])
        values: dict[str, str] = {}
        for title, name in columns.items():
            k = index[title]
            cell = cells[k].strip() if k < len(cells) else ""
            if cell:
                values[name] = cell
        if "city" in values or "country" in values:
            place = ", ".join(v for v in (values.pop("city", ""), values.pop("country", "")) if v)
            values.setdefault("location", place)
        if values:
            rows.append(Row(n, values))
    return Sheet(rows, columns, unmapped, guessed)


def _columns(shown: str, header: list[str], mapping: dict[str, str]) -> tuple[dict[str, str], list[str], list[str]]:
    columns: dict[str, str] = {}
    unmapped: list[str] = []
    guessed: list[str] = []
    normalised_map = {_norm(k): v for k, v in mapping.items()}
    for want in mapping.values():
        if want not in FIELDS:
            raise InputError([Problem(shown, f"--map names the field '{want}'",
                                      hint="fields are " + ", ".join(FIELDS))])
    missing = set(normalised_map) - {_norm(h) for h in header}
    if missing:
        raise InputError([Problem(shown, f"--map names a column the sheet does not have: '{sorted(missing)[0]}'",
                                  line=1, hint="the header row has: " + "; ".join(h for h in header if h))])
    for title in header:
        if not title:
            continue
        key = _norm(title)
        name = normalised_map.get(key) or ALIASES.get(key) or ALIASES.get(key.removeprefix("your "))
        if name is None:
            hits = {WORDS[w] for w in key.split() if w in WORDS}
            if len(hits) == 1:
                name = hits.pop()
                guessed.append(title)
        if name is None:
            unmapped.append(title)
            continue
        if name in columns.values():
            first = next(t for t, f in columns.items() if f == name)
            raise InputError([Problem(shown, f"two columns give the {name}: '{first}' and '{title}'", line=1,
                                      hint=f'choose one: --map "{title}=…" to another field, or remove it')])
        columns[title] = name
    return columns, unmapped, guessed


def _text(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(path.name, "not UTF-8 or UTF-16 text",
                                  hint="export the sheet as CSV UTF-8 (or XLSX)")]) from None
    if "\x00" in text:
        raise InputError([Problem(path.name, "the sheet holds NUL characters: not a text export",
                                  hint="export it as CSV UTF-8 or XLSX")])
    if path.suffix.lower() in (".tsv", ".tab"):
        delimiter = "\t"
    else:
        header = text.split("\n", 1)[0][:4096]  # the header line: sniffing more can take seconds
        try:
            delimiter = csv.Sniffer().sniff(header, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise InputError([Problem(path.name, f"the sheet cannot be read as CSV: {exc}",
                                  hint="check its quoting, or re-export it")]) from None


def _xlsx(path: Path) -> list[list[str]]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency
        raise InputError([Problem(path.name, "reading XLSX needs openpyxl", hint="pip install openpyxl")]) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError([Problem(path.name, "not a readable XLSX workbook",
                                  hint="save it again as .xlsx, or export CSV")]) from None
    try:
        sheet = book.worksheets[0]
        out: list[list[str]] = []
        # Bounded by the sheet's real extent, capped: one stray cell far away must not allocate millions.
        width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
        empty = 0
        for values in sheet.iter_rows(values_only=True, max_col=width, max_row=MAX_ROWS + 1):
            cells = ["" if v is None else _cell(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            out.append(cells)
            empty = 0 if cells else empty + 1
            if empty > EMPTY_RUN:  # the table has ended: a stray cell far below is not a submission
                break
        return out
    finally:
        book.close()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
