"""Reading a submissions sheet as form tools export it: CSV or TSV (any common delimiter; UTF-8 with or
without BOM, or UTF-16; quoted newlines) and XLSX (its first worksheet), in bounded time and memory
whatever the file holds (see the limits below). Columns are recognised by their common
titles (case, spacing and punctuation ignored), or named by `--map "Column title=field"`; a column
that is neither is reported, never guessed at silently.

The result is one `Row` a submission: the fields collage knows, as text, with the row's number in the
sheet for every problem. Nothing here decides what goes into the manifest (`importing` does).
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
import posixpath
import pyexpat
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

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

# Limits: generous for any real form export, and what keeps a hostile file (a zip bomb, a line of a
# gigabyte, millions of rows, XML entities) to seconds and a bounded amount of memory; past one the
# sheet is refused, naming what to do. A call for messages gets hundreds of submissions, a large one a
# few thousand; a form asks a handful of questions (a column each, plus the form's own: timestamp,
# email, response number), and a sign's text or a translation is a few hundred characters.
MAX_BYTES = 32 << 20  # the file on disk (CSV, TSV or XLSX): a 20,000-row export is a few MB
MAX_ROWS = 20_000  # submissions (rows below the header)
MAX_COLUMNS = 64  # Google and Microsoft Forms export one a question: 64 is a very long form
MAX_CELL = 10_000  # characters in one cell: a long letter; a sign's text is a few hundred
MAX_CELLS = 400_000  # cells holding anything: 20,000 rows of 20 answers
MAX_TEXT = 20_000_000  # characters in all the cells: 20,000 rows of 1,000
EMPTY_RUN = 1000  # blank rows after which nothing more may follow (a sheet is imported whole or not at all)
MAX_LINE = MAX_COLUMNS * (2 * MAX_CELL + 3)  # characters on one line of a CSV: every cell full of "" quotes
# XLSX is a zip of XML parts. Form tools write about ten parts, a workbook with pictures a few hundred.
MAX_PARTS = 1000
MAX_DIRECTORY = 1 << 20  # the zip's central directory (about 100 bytes a part)
MAX_PART = 64 << 20  # one part unpacked, as the directory declares it and as it really unpacks
MAX_UNPACKED = 128 << 20  # all the parts collage reads, unpacked
MAX_ELEMENTS = 3_000_000  # XML elements in those parts: 400,000 cells are 1 to 2 million
XLSX_ROWS, XLSX_COLUMNS = 1_048_576, 16_384  # a worksheet's own bounds (row 1048576, column XFD)


@dataclass(frozen=True)
class Row:
    number: int  # the row's number in the sheet, as a spreadsheet shows it (blank rows counted)
    values: dict[str, str]  # field -> text (only non-empty cells)


@dataclass
class Sheet:
    rows: list[Row]
    columns: dict[str, str]  # column title -> field, as recognised or mapped
    unmapped: list[str] = field(default_factory=list)  # titles of columns not imported
    guessed: list[str] = field(default_factory=list)  # titles matched by a word they contain (reported)
    numbers: list[str] = field(default_factory=list)  # an "ID" column of response numbers, not imported


def _norm(title: str) -> str:
    text = re.sub(r"[^\w]+", " ", title.casefold()).strip()
    return re.sub(r"\s+", " ", text)


def read(path: Path, mapping: dict[str, str] | None = None) -> Sheet:
    """The sheet's submissions; an InputError naming the row and column for anything malformed, and
    for a sheet past the limits above (read in bounded time and memory, whatever the file holds)."""
    shown = path.name
    try:
        size = path.stat().st_size
    except OSError:
        raise InputError([Problem(str(path), "no such sheet", hint="give the CSV, TSV or XLSX file")]) from None
    if not path.is_file():
        raise InputError([Problem(str(path), "not a file", hint="give the CSV, TSV or XLSX file")])
    if size > MAX_BYTES:
        raise InputError([Problem(shown, f"the sheet is {_size(size)}; collage reads sheets of up to "
                                  f"{_size(MAX_BYTES)}", hint="export only the columns and rows collage needs, "
                                  "or split the sheet")])
    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    table = _table(shown, _xlsx(path, shown) if xlsx else _text(path, shown))
    if not table:
        raise InputError([Problem(shown, "the sheet is empty", hint="export it with its header row")])
    top, first = table[0]
    header = [h.strip() for h in first]
    columns, unmapped, guessed = _columns(shown, header, mapping or {})
    if "photo" not in columns.values():
        raise InputError([Problem(shown, "no column names the photo (a title such as Photo, File or Attachment)",
                                  line=top, hint='name it: --map "Your column=photo"')])
    index = {title: k for k, title in enumerate(header)}
    numbers = _response_numbers(table, columns, index, mapping or {})
    for title in numbers:
        del columns[title]
    rows: list[Row] = []
    for n, cells in table[1:]:
        if len(cells) > len(header):
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
    return Sheet(rows, columns, unmapped, guessed, numbers)


def _response_numbers(table: list[tuple[int, list[str]]], columns: dict[str, str], index: dict[str, int],
                      mapping: dict[str, str]) -> list[str]:
    """A column titled just "ID" whose cells are all whole numbers is the form's response number
    (Microsoft Forms numbers its responses 1, 2, 3… in a column "ID"), not a message id: it counts one
    form's responses, so another form's (or a new copy's) response 1 would match this one's message 1,
    and an id of digits says nothing where a sequence names it. Such a column is left out and reported;
    `--map "ID=id"` takes it all the same, and a "Message ID" column, or an "ID" column holding words,
    is the message id."""
    mapped = {_norm(k) for k in mapping}
    out = []
    for title, name in columns.items():
        if name != "id" or _norm(title) != "id" or _norm(title) in mapped:
            continue
        k = index[title]
        cells = [cells[k].strip() for _, cells in table[1:] if k < len(cells) and cells[k].strip()]
        if cells and all(re.fullmatch(r"\d{1,9}", c) for c in cells):
            out.append(title)
    return out


def _size(n: int) -> str:
    return f"{n >> 20:,} MB" if n >= 1 << 20 else f"{max(n >> 10, 1):,} KB"


def _letters(column: int) -> str:
    """A column's letters as a spreadsheet shows them (1 -> A, 27 -> AA)."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column(header: list[str], k: int) -> str:
    title = header[k].strip() if k < len(header) else ""
    return f"'{title}'" if title else _letters(k + 1)


def _table(shown: str, produced: Iterator[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The rows that hold anything, with their numbers in the sheet (the first is the header), trailing
    blank cells dropped; every limit checked as the rows come, so that reading stops at the first one
    past it. A row that holds anything after a run of more than EMPTY_RUN blank rows is refused, naming it:
    a sheet is read whole or not at all (a row left out unread may be a submission, and may be someone's
    who asked not to be named: found by fuzzing)."""
    table: list[tuple[int, list[str]]] = []
    header: list[str] = []
    last = cells_held = text = 0
    try:
        for number, cells in produced:
            past = number > last + EMPTY_RUN + 1
            if past and not any(c.strip() for c in cells):
                continue  # blank rows below the end: looked through (the file's size bounds them)
            while cells and not cells[-1].strip():
                cells.pop()
            if not any(c.strip() for c in cells):
                continue
            if past:
                raise InputError([Problem(shown, f"row {number} holds something after {number - last - 1:,} blank "
                                          "rows; collage imports a sheet whole or not at all", line=number,
                                          hint="delete the blank rows (or the stray cells below the table), then "
                                          "import again")])
            if table and number - table[0][0] > MAX_ROWS:
                raise InputError([Problem(shown, f"the sheet has more than {MAX_ROWS:,} rows of submissions "
                                          f"(row {number})", line=number, hint="split the sheet, or export "
                                          "only the submissions collage is to import")])
            if len(cells) > MAX_COLUMNS:
                where = "the header" if not table else f"row {number}"
                raise InputError([Problem(shown, f"{where} has a cell in column {len(cells)} "
                                          f"({_letters(len(cells))}); collage reads sheets of up to {MAX_COLUMNS} "
                                          "columns", line=number, hint="delete the columns collage does not need "
                                          "(it needs photo, name, profession, location, message…), then export "
                                          "again")])
            for k, cell in enumerate(cells):
                if len(cell) > MAX_CELL:
                    raise InputError([Problem(shown, f"row {number}, column {_column(header, k)}: a cell of more than "
                                              f"{MAX_CELL:,} characters; collage reads cells of up to {MAX_CELL:,}",
                                              line=number, hint="shorten it, or delete the column if collage "
                                              "does not import it")])
            cells_held += sum(1 for c in cells if c.strip())
            text += sum(map(len, cells))
            if cells_held > MAX_CELLS:
                raise InputError([Problem(shown, f"the sheet has more than {MAX_CELLS:,} cells that hold something "
                                          f"(by row {number})", line=number, hint="export only the columns "
                                          "collage needs, or split the sheet")])
            if text > MAX_TEXT:
                raise InputError([Problem(shown, f"the sheet holds more than {MAX_TEXT:,} characters of text (by "
                                          f"row {number})", line=number, hint="export only the columns collage "
                                          "needs, or split the sheet")])
            if not table:
                header = cells
            table.append((number, cells))
            last = number
    finally:
        close = getattr(produced, "close", None)
        if close is not None:
            close()  # a reader stopped early lets go of its file now
    return table


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


def _text(path: Path, shown: str) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV or TSV export, numbered from 1, read as they come (a line at a time, each
    bounded): a file of millions of rows costs only the rows before a limit stops the reading."""
    with path.open("rb") as raw:
        utf16 = raw.read(2) in (b"\xff\xfe", b"\xfe\xff")
    number = 0

    def lines(fh: IO[str]) -> Iterator[str]:
        while line := fh.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE:
                raise InputError([Problem(shown, f"row {number + 1} has a line of more than {MAX_LINE:,} characters, "
                                          "more than any row collage reads", line=number + 1,
                                          hint="this is not a form export as collage knows it: export the sheet "
                                          "again as CSV UTF-8 (or XLSX)")])
            if "\x00" in line:
                raise InputError([Problem(shown, "the sheet holds NUL characters: not a text export",
                                          hint="export it as CSV UTF-8 or XLSX")])
            yield line

    try:
        with path.open(encoding="utf-16" if utf16 else "utf-8-sig", newline="") as fh:
            feed = lines(fh)
            first = next(feed, "")
            if path.suffix.lower() in (".tsv", ".tab"):
                delimiter = "\t"
            else:
                try:  # on the header line: sniffing more can take seconds
                    delimiter = csv.Sniffer().sniff(first[:4096], delimiters=",;\t|").delimiter
                except csv.Error:
                    delimiter = ","
            for cells in csv.reader(itertools.chain([first], feed), delimiter=delimiter, strict=True):
                number += 1
                yield number, cells
    except UnicodeError:
        raise InputError([Problem(shown, "not UTF-8 or UTF-16 text",
                                  hint="export the sheet as CSV UTF-8 (or XLSX)")]) from None
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # csv's own bound (131,072): far past MAX_CELL
            raise InputError([Problem(shown, f"row {number + 1}: a cell of more than {MAX_CELL:,} characters; "
                                      f"collage reads cells of up to {MAX_CELL:,}", line=number + 1,
                                      hint="shorten it, or check the sheet's quoting")]) from None
        raise InputError([Problem(shown, f"row {number + 1} cannot be read as CSV: {exc}", line=number + 1,
                                  hint="check its quoting, or re-export it")]) from None


# XLSX, read with the standard library's expat, a part at a time, as it unpacks: openpyxl (which
# collage used before) takes 20 µs a cell, reads every shared string into memory and every cell of a
# row past the columns asked for, and parses whatever DTD a part declares. Here no part may declare a
# DTD (no workbook has one; entities are how XML is made to expand without end), each part is
# refused past MAX_PART whatever the zip's directory says of it, and elements are counted.

_REFUSAL_HINT = "this is not a sheet as spreadsheet apps save them: open it and save it again as .xlsx, or export CSV"


class _Workbook:
    """One XLSX file: its first worksheet's rows, as (number, cells), read as the rows come."""

    def __init__(self, path: Path, shown: str) -> None:
        self.shown = shown
        self.unpacked = 0  # bytes unpacked, all parts read
        self.elements = 0  # XML elements, all parts read
        with path.open("rb") as fh:
            directory = _zip_directory(fh)
        if directory is None:
            raise self._error("not an XLSX workbook (not a zip file; a workbook saved with a password is not one "
                              "either)", hint="save it again as .xlsx without a password, or export CSV")
        size, entries = directory
        if entries > MAX_PARTS:
            raise self._error(f"the workbook holds {entries} parts (files inside the .xlsx); collage reads "
                              f"workbooks of up to {MAX_PARTS:,}", hint=_REFUSAL_HINT)
        if size > MAX_DIRECTORY:
            raise self._error(f"the workbook's list of parts is {_size(size)}; collage reads lists of up to "
                              f"{_size(MAX_DIRECTORY)}", hint=_REFUSAL_HINT)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise self._error("not a readable XLSX workbook", hint="save it again as .xlsx, or export CSV") from None
        try:
            infos = self.zip.infolist()
            if len(infos) > MAX_PARTS:
                raise self._error(f"the workbook holds {len(infos)} parts (files inside the .xlsx); collage reads "
                                  f"workbooks of up to {MAX_PARTS:,}", hint=_REFUSAL_HINT)
            for info in infos:
                if info.file_size > MAX_PART:
                    raise self._error(f"the part {_part(info.filename)} unpacks to {_size(info.file_size)}; collage "
                                      f"reads parts of up to {_size(MAX_PART)}", hint=_REFUSAL_HINT)
            self.names = {info.filename.casefold(): info.filename for info in infos}
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def _error(self, message: str, hint: str = _REFUSAL_HINT) -> InputError:
        return InputError([Problem(self.shown, message, hint=hint)])

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        root = _Relations(self._target("", "_rels/.rels"))
        self._read(root)
        office = self._target("", next((t for kind, t in root.found.values() if kind.endswith("/officeDocument")),
                                       "xl/workbook.xml"))
        book = _WorkbookPart()
        self._read_part(office, book)
        folder, name = office.rpartition("/")[::2]
        relations = _Relations(f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels")
        self._read(relations)

        def target(kind: str, rid: str | None = None) -> str | None:
            for key, (found, path) in relations.found.items():
                if found.endswith(kind) and (rid is None or key == rid):
                    return self._target(folder, path)
            return None

        sheet = next((p for rid in book.sheets if (p := target("/worksheet", rid)) is not None), None)
        if sheet is None:
            raise self._error("the workbook has no worksheet", hint="save it again with the submissions on its "
                              "first sheet, or export CSV")
        styles = _Styles()
        if (path := target("/styles")) is not None:
            self._read_part(path, styles)
        strings = _Strings(self)
        if (path := target("/sharedStrings")) is not None:
            self._read_part(path, strings)
        cells = _Cells(self, strings.strings, styles.dates(), book.epoch)
        yield from self._parse(sheet, cells)

    def _target(self, folder: str, target: str) -> str:
        """A part's name in the zip, from a relationship's target (relative to `folder`, or absolute)."""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        return self.names.get(path.casefold(), path)  # part names ignore case; zip names do not

    def _read(self, handler: _Handler) -> None:
        """A part that may be missing (relationships): read if there."""
        if handler.part.casefold() in self.names:
            self._read_part(handler.part, handler)

    def _read_part(self, name: str, handler: _Handler) -> None:
        handler.part = name
        for _ in self._parse(name, handler):
            pass

    def _parse(self, name: str, handler: _Handler) -> Iterator[tuple[int, list[str]]]:
        """`handler` fed with the part's XML as it unpacks; the rows it completes, after each piece."""
        shown = _part(name)
        member = self.names.get(name.casefold())
        if member is None:
            raise self._error(f"the part {shown} is missing", hint="save it again as .xlsx, or export CSV")
        handler.part = name
        parser = pyexpat.ParserCreate()  # names as written, prefix and all (namespaces cost a third more time)
        parser.buffer_text = True

        def no_dtd(*_: object) -> None:
            raise self._error(f"the part {shown} declares a DOCTYPE, which no workbook has (its entities can make "
                              "the XML expand without end)")

        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.text
        read = 0
        try:
            with self.zip.open(member) as fh:
                while chunk := fh.read(1 << 16):
                    read += len(chunk)
                    self.unpacked += len(chunk)
                    if read > MAX_PART:  # the directory said less: it lied
                        raise self._error(f"the part {shown} unpacks to more than {_size(MAX_PART)}; collage reads "
                                          f"parts of up to {_size(MAX_PART)}")
                    if self.unpacked > MAX_UNPACKED:
                        raise self._error(f"the workbook unpacks to more than {_size(MAX_UNPACKED)}; collage reads "
                                          f"workbooks of up to {_size(MAX_UNPACKED)}")
                    parser.Parse(chunk, False)
                    self.elements += handler.elements
                    handler.elements = 0
                    if self.elements > MAX_ELEMENTS:
                        raise self._error(f"the workbook holds more than {MAX_ELEMENTS:,} XML elements (by the part "
                                          f"{shown}); collage reads workbooks of up to {MAX_ELEMENTS:,}",
                                          hint="export only the columns and rows collage needs, or export CSV")
                    if handler.done:
                        yield from handler.done
                        handler.done.clear()
                parser.Parse(b"", True)
                yield from handler.done
                handler.done.clear()
        except pyexpat.ExpatError as exc:
            raise self._error(f"the part {shown} is not well-formed XML ({pyexpat.ErrorString(exc.code)}, its line "
                              f"{exc.lineno})", hint="save it again as .xlsx, or export CSV") from None
        except (LookupError, ValueError):  # expat on an encoding it does not know, or a multi-byte one it cannot read
            raise self._error(f"the part {shown} declares a text encoding collage cannot read (workbooks are "
                              "UTF-8)", hint="save it again as .xlsx, or export CSV") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
            raise self._error(f"the part {shown} cannot be unpacked (damaged, encrypted or in an unknown "
                              "compression)", hint="save it again as .xlsx, or export CSV") from None


def _xlsx(path: Path, shown: str) -> Iterator[tuple[int, list[str]]]:
    book = _Workbook(path, shown)
    try:
        yield from book.rows()
    finally:
        book.close()


def _part(name: str) -> str:
    """A part's name as a message shows it: a hostile file's names can be anything."""
    name = "".join(c if c.isprintable() else "?" for c in name)
    return name if len(name) <= 80 else name[:77] + "…"


def _zip_directory(fh: IO[bytes]) -> tuple[int, int] | None:
    """The size of a zip's central directory and its number of parts, as its end record says, read
    before `zipfile` parses the directory (one of a million entries costs seconds and gigabytes); the
    zip64 record, when there is one, is taken as `zipfile` takes it (just before its locator)."""
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    start = max(0, end - (22 + 65_535 + 20 + 56))
    fh.seek(start)
    tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, size = struct.unpack_from("<HI", tail, at + 10)
    locator = at - 20
    zip64 = locator >= 56 and tail[locator:locator + 4] == b"PK\x06\x07"
    if zip64 and tail[locator - 56:locator - 52] == b"PK\x06\x06":
        entries64, size64 = struct.unpack_from("<QQ", tail, locator - 56 + 32)
        entries, size = max(entries, entries64), max(size, size64)
    return size, entries


class _Handler:
    """What an XML part's elements mean; `done` holds what is complete (rows) for the reader to take."""

    part = ""

    def __init__(self) -> None:
        self.elements = 0
        self.done: list[tuple[int, list[str]]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def _local(name: str) -> str:
    """An element's or attribute's name without its prefix (`x:row` -> `row`): whatever the prefix and
    namespace (transitional or strict OOXML), only the names matter here."""
    return name[name.rfind(":") + 1:] if ":" in name else name


class _Relations(_Handler):
    def __init__(self, part: str) -> None:
        super().__init__()
        self.part = part
        self.found: dict[str, tuple[str, str]] = {}  # id -> (type, target)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if _local(name) == "Relationship" and attrs.get("TargetMode", "Internal") == "Internal":
            self.found.setdefault(attrs.get("Id", ""), (attrs.get("Type", ""), attrs.get("Target", "")))


class _WorkbookPart(_Handler):
    def __init__(self) -> None:
        super().__init__()
        self.sheets: list[str] = []  # relationship ids, in the workbook's order
        self.epoch = WINDOWS_EPOCH

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        local = _local(name)
        if local == "sheet":
            self.sheets.extend(v for k, v in attrs.items() if ":" in k and _local(k) == "id")
        elif local == "workbookPr" and attrs.get("date1904", "").strip().lower() in ("1", "true"):
            self.epoch = MAC_EPOCH


class _Styles(_Handler):
    """Which cell styles show a number as a date or a duration (so that a date reads as one)."""

    def __init__(self) -> None:
        super().__init__()
        self.formats: dict[int, str] = {}
        self.styles: list[int] = []  # cellXfs: style index -> number format id
        self.in_cell_xfs = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        local = _local(name)
        if local == "numFmt" and (ident := _whole(attrs.get("numFmtId"))) is not None:
            self.formats[ident] = attrs.get("formatCode", "")[:200]
        elif local == "cellXfs":
            self.in_cell_xfs = True
        elif local == "xf" and self.in_cell_xfs:
            self.styles.append(_whole(attrs.get("numFmtId")) or 0)

    def end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self.in_cell_xfs = False

    def dates(self) -> dict[int, bool]:
        """Style index -> True for a duration, False for a date or time (absent: a plain number)."""
        out = {}
        for k, ident in enumerate(self.styles):
            code = self.formats.get(ident) or BUILTIN_FORMATS.get(ident)
            if code and is_date_format(code):
                out[k] = is_timedelta_format(code)
        return out


class _Text(_Handler):
    """Collects the text of `t` elements (not inside a phonetic `rPh` run), capped past MAX_CELL: a
    longer text is refused where a cell uses it, so more of it is never kept."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.length = 0
        self.collecting = False
        self.phonetic = 0

    def text(self, data: str) -> None:
        if self.collecting and self.length <= MAX_CELL:
            self.pieces.append(data)
            self.length += len(data)

    def taken(self) -> str:
        out = "".join(self.pieces)[:MAX_CELL + 1]
        self.pieces.clear()
        self.length = 0
        return out


class _Strings(_Text):
    def __init__(self, book: _Workbook) -> None:
        super().__init__()
        self.book = book
        self.strings: list[str] = []
        self.total = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        local = name[name.rfind(":") + 1:] if ":" in name else name
        if local == "t":
            self.collecting = not self.phonetic
        elif local == "rPh":
            self.phonetic += 1
        elif local == "si":
            self.pieces.clear()
            self.length = 0

    def end(self, name: str) -> None:
        local = name[name.rfind(":") + 1:] if ":" in name else name
        if local == "t":
            self.collecting = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "si":
            text = self.taken()
            self.total += len(text)
            if self.total > MAX_TEXT:
                raise self.book._error(f"the workbook holds more than {MAX_TEXT:,} characters of text (in "
                                       f"{_part(self.part)})", hint="export only the columns collage needs, or "
                                       "split the sheet")
            self.strings.append(text)


class _Cells(_Text):
    """A worksheet's `sheetData`: each row's cells with a value, as text, as the row ends."""

    def __init__(self, book: _Workbook, strings: list[str], dates: dict[int, bool], epoch: datetime) -> None:
        super().__init__()
        self.book, self.strings, self.dates, self.epoch = book, strings, dates, epoch
        self.row = self.column = self.count = 0
        self.cells: dict[int, str] = {}
        self.kind = "n"
        self.style = -1
        self.inline = False

    def _malformed(self, what: str) -> InputError:
        return self.book._error(f"the part {_part(self.part)} is not a worksheet as spreadsheet apps write "
                                f"them: {what}")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        local = name[name.rfind(":") + 1:] if ":" in name else name  # _local, inlined: this runs per element
        if local == "c":
            self.count += 1
            if self.count > XLSX_COLUMNS:
                raise self._malformed(f"row {self.row} holds more than {XLSX_COLUMNS:,} cells")
            ref = attrs.get("r")
            self.column = _ref_column(ref) if ref else self.column + 1
            if not 0 < self.column <= XLSX_COLUMNS:
                raise self._malformed(f"a cell in row {self.row} is at '{_part(ref or '')}'")
            self.kind = attrs.get("t", "n")
            style = _whole(attrs.get("s"))
            self.style = -1 if style is None else style
            self.pieces.clear()
            self.length = 0
        elif local == "v":
            self.collecting = True
        elif local == "t":
            self.collecting = self.inline and not self.phonetic
        elif local == "is":
            self.inline = True
        elif local == "rPh":
            self.phonetic += 1
        elif local == "row":
            ref = attrs.get("r")
            number = _whole(ref) or self.row + 1
            if number <= self.row or number > XLSX_ROWS:
                raise self._malformed(f"a row numbered {_part(ref or '')} after row {self.row}")
            self.row, self.column, self.count = number, 0, 0
            self.cells = {}

    def end(self, name: str) -> None:
        local = name[name.rfind(":") + 1:] if ":" in name else name
        if local == "c":
            value = self._value(self.taken()) if self.pieces else ""  # <c/>: a blank cell (styled)
            if value:
                self.cells[self.column] = value
        elif local in ("v", "t"):
            self.collecting = False
        elif local == "is":
            self.inline = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "row" and self.cells:
            cells = [""] * max(self.cells)
            for k, value in self.cells.items():
                cells[k - 1] = value
            self.done.append((self.row, cells))

    def _value(self, text: str) -> str:
        kind = self.kind
        if kind == "s":
            index = _whole(text.strip())
            if index is None or index >= len(self.strings):
                raise self._malformed(f"a cell in row {self.row} names a shared string it does not have")
            return self.strings[index]
        if kind == "b":
            return {"1": "TRUE", "0": "FALSE", "true": "TRUE", "false": "FALSE"}.get(text.strip().lower(), text)
        if kind != "n":  # inlineStr, str (a formula's text), e (an error such as #N/A), d (an ISO date)
            return text
        return _number(text.strip(), self.dates.get(self.style), self.epoch)


def _number(text: str, duration: bool | None, epoch: datetime) -> str:
    """A number cell as text: whole numbers without ".0"; a date as a date (as openpyxl showed them)."""
    if not text or len(text) > 40:
        return text
    if duration is None and re.fullmatch(r"-?\d{1,18}", text):
        return str(int(text))
    try:
        value = float(text)
    except ValueError:
        return text
    if duration is not None:
        with contextlib.suppress(ValueError, OverflowError):
            return str(from_excel(value, epoch, timedelta=duration))
    return str(int(value)) if value.is_integer() and abs(value) < 1e18 else str(value)


def _whole(text: str | None) -> int | None:
    """A count or index as a part writes it (ASCII digits, nine at most), or None."""
    return int(text) if text is not None and 0 < len(text) < 10 and text.isascii() and text.isdigit() else None


def _ref_column(ref: str) -> int:
    """The column of a cell reference ("AB12" -> 28); 0 for one that is not a reference."""
    found = re.match(r"([A-Za-z]{1,3})\d{1,7}$", ref)
    if found is None:
        return 0
    column = 0
    for letter in found.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return column
