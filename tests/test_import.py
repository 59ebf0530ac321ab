"""`collage import`: sheets as form tools export them (CSV with BOM and quoted newlines, TSV in UTF-16,
semicolons, XLSX) become messages; a hand-edited manifest keeps every byte it had where nothing
changes; a second import changes nothing; emails stay out of the manifest and out of everything printed."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from collage import load

from .support.media import BLUE, GREEN, RED, solid, write_folder
from .support.media import collage_cli as _collage

pytestmark = pytest.mark.e2e  # `collage import` run as a user runs it; the sheet readers' own tests are `pure`

PHOTOS = {"alice": RED, "bilal": GREEN, "wei": BLUE, "extra": RED}  # photos/*.jpg of the folder the sheets fill
HEADER = ["Timestamp", "Your name", "Occupation", "City", "Country", "Upload your photo",
          "What does your sign say?", "Email Address", "Status"]
ROWS = [
    ["2026/06/01 10:00", "Alice Chen", "Teacher", "Taipei", "Taiwan", "alice.jpg", "We stand\nwith you",
     "alice@example.org", "Approved"],
    ["2026/06/02 11:30", "Bilal Khan", "Lawyer", "Berlin", "Germany", "https://forms.example/u/BILAL.JPG",
     "Free them, all of them", "bilal@example.org", "pending"],
    ["2026/06/03 09:10", "张伟", "律师", "台北", "", "photos/wei.jpg", "你们并不孤单", "wei@example.org", ""],
]



def _csv(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8-sig") -> Path:
    import csv
    import io

    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def _assert_private(result: subprocess.CompletedProcess[str], manifest: Path | None = None) -> None:
    printed = result.stdout + result.stderr
    assert "@" not in printed and "example.org" not in printed
    if manifest is not None and manifest.exists():
        assert "example.org" not in manifest.read_text(encoding="utf-8")


def test_a_google_forms_csv_becomes_a_manifest(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    sheet = _csv(tmp_path / "Messages (Responses) - Form responses 1.csv", [HEADER, *ROWS])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    _assert_private(result, folder / "collage.yaml")
    assert "created" in result.stdout and "added 3, 1 approved by the sheet" in result.stdout
    assert "columns not imported: 'Timestamp'" in result.stdout
    assert "column 'Upload your photo' read as photo" in result.stdout
    assert "photos no row names (1): photos/extra.jpg" in result.stdout
    project = load(folder)  # a valid manifest
    assert [m.id for m in project.messages] == ["alice"]  # only what the sheet approves is approved
    assert project.unapproved == {"bilal", "wei"}
    data = yaml.safe_load((folder / "collage.yaml").read_text())
    alice, bilal, wei = data["messages"]
    assert alice == {"id": "alice", "photo": "photos/alice.jpg", "name": "Alice Chen", "profession": "Teacher",
                     "location": "Taipei, Taiwan", "message": "We stand\nwith you", "approved": True}
    assert bilal["photo"] == "photos/bilal.jpg"  # the URL's file name, matched ignoring case
    assert wei["location"] == "台北" and wei["name"] == "张伟" and wei["approved"] is False
    assert (folder / "collage.schema.json").exists()
    # The same sheet again changes nothing, to the byte.
    before = (folder / "collage.yaml").read_bytes()
    again = _collage("import", folder, sheet)
    assert again.returncode == 0 and "unchanged" in again.stdout and "added 0" in again.stdout
    assert (folder / "collage.yaml").read_bytes() == before


@pytest.mark.parametrize(("name", "delimiter", "encoding"), [
    ("sheet.tsv", "\t", "utf-16"), ("sheet.csv", ";", "utf-8"), ("export.txt", "\t", "utf-8-sig")])
def test_tsv_utf16_and_other_delimiters(tmp_path: Path, name: str, delimiter: str, encoding: str) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    sheet = _csv(tmp_path / name, [["Full name", "File", "Job", "Location", "E-mail", "Approved"],
                                   ["Alice Chen", "alice.jpg", "Teacher", "Taipei; Taiwan", "a@example.org", "yes"],
                                   ["Bilal", "bilal.jpg", "Lawyer", "Berlin", "b@example.org", "no"]],
                 delimiter, encoding)
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    _assert_private(result, folder / "collage.yaml")
    data = yaml.safe_load((folder / "collage.yaml").read_text())
    assert [(m["id"], m["profession"], m["approved"]) for m in data["messages"]] == [
        ("alice", "Teacher", True), ("bilal", "Lawyer", False)]
    assert data["messages"][0]["location"] == "Taipei; Taiwan"


def test_xlsx(tmp_path: Path) -> None:
    import openpyxl

    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Profession", "Location", "Photo", "Message", "Translation", "Email", "Consent", "Tags"])
    sheet.append(["Alice Chen", "Teacher", "Taipei", "alice.jpg", "We stand with you", "我们与你们站在一起",
                  "a@example.org", "named", "teachers, taipei"])
    sheet.append(["Wei", "Lawyer", "Chengdu", "wei.jpg", "加油", "Keep going", None, "masked", None])
    book.save(tmp_path / "sheet.xlsx")
    result = _collage("import", folder, tmp_path / "sheet.xlsx", "--keep-emails")
    assert result.returncode == 0, result.stderr
    assert "@" not in result.stdout + result.stderr
    data = yaml.safe_load((folder / "collage.yaml").read_text())
    alice, wei = data["messages"]
    assert alice["translation"] == "我们与你们站在一起" and alice["tags"] == ["teachers", "taipei"]
    assert alice["email"] == "a@example.org"  # --keep-emails: in the manifest, never shown
    assert wei["consent"] == "masked" and "email" not in wei


MANIFEST = """\
# Lawyers Day 2026: edited by hand.
title: Messages   # the video's title
video: {size: 720p, fps: 25}
messages:
    # The first one came by post.
    -   id: alice
        photo: photos/alice.jpg
        name: 'Alice Chen'      # as she asked
        approved: true
"""


def test_a_merge_keeps_the_hand_edited_manifest_byte_for_byte(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    (folder / "collage.yaml").write_text(MANIFEST, encoding="utf-8")
    sheet = _csv(tmp_path / "s.csv", [HEADER, *ROWS])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    text = (folder / "collage.yaml").read_text(encoding="utf-8")
    assert text.startswith(MANIFEST)  # every byte that was there, comments, quotes and layout
    assert "-   id: bilal" in text  # appended in the file's own layout
    assert "alice.name: 'Alice Chen' in the manifest" not in result.stdout  # equal: nothing to report
    assert "alice.profession: '' in the manifest, 'Teacher' in the sheet" in result.stdout
    assert yaml.safe_load(text)["messages"][0] == {"id": "alice", "photo": "photos/alice.jpg",
                                                   "name": "Alice Chen", "approved": True}
    # --update takes the sheet's value for that field only; the rest stays as edited.
    updated = _collage("import", folder, sheet, "--update", "profession")
    assert updated.returncode == 0 and "updated alice: profession" in updated.stdout
    after = (folder / "collage.yaml").read_text(encoding="utf-8")
    assert "# The first one came by post." in after and "name: 'Alice Chen'      # as she asked" in after
    assert yaml.safe_load(after)["messages"][0]["profession"] == "Teacher"
    assert _collage("import", folder, sheet, "--update", "photo").returncode == 1


def test_map_names_a_column_and_problems_name_the_row(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    sheet = _csv(tmp_path / "s.csv", [["Who", "Pic", "Where do you live?"], ["Alice", "ALICE.JPG", "Taipei"]])
    refused = _collage("import", folder, sheet)
    assert refused.returncode == 1 and "no column names the photo" in refused.stderr
    result = _collage("import", folder, sheet, "--map", "Pic=photo", "--map", "Who=name", "--map",
                      "Where do you live?=location")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((folder / "collage.yaml").read_text())["messages"][0]["location"] == "Taipei"
    bad = _csv(tmp_path / "bad.csv", [["Name", "Photo", "Status"], ["A", "alice.jpg", "Approved"],
                                      ["B", "bilal.jpg", "maybe later"]])
    result = _collage("import", folder, bad)
    assert result.returncode == 1 and "row 3" in result.stderr and "the approval cell is neither" in result.stderr
    assert "Traceback" not in result.stderr
    two = _csv(tmp_path / "two.csv", [["Name", "Full name", "Photo"], ["A", "B", "alice.jpg"]])
    result = _collage("import", folder, two)
    assert result.returncode == 1 and "two columns give the name" in result.stderr
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Name,Photo\nA,alice.jpg,extra,cells\n")
    result = _collage("import", folder, ragged)
    assert result.returncode == 1 and "row 2 has 4 cells" in result.stderr


def test_a_missing_photo_is_reported_with_a_did_you_mean(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo"], ["A", "alise.jpg"], ["B", "Bilal.JPG"]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    assert "row 2: no photo 'alise.jpg' in the folder; did you mean photos/alice.jpg?" in result.stdout
    assert [m["id"] for m in yaml.safe_load((folder / "collage.yaml").read_text())["messages"]] == ["bilal"]


def test_an_email_in_a_shown_cell_stops_the_import_unechoed(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo"], ["write to me: someone@example.org", "alice.jpg"]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 1 and "email" in result.stderr
    _assert_private(result)
    assert not (folder / "collage.yaml").exists()  # nothing half-written


def test_a_sheet_of_thirty_rows(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    rows = [["Name", "Profession", "Country", "City", "Photo", "Message", "Status"]]
    for k in range(32):
        solid(folder / "photos" / f"p{k:02d}.jpg", (40 + 6 * k, 90, 200 - 5 * k))
        rows.append([f"Person {k}", "Lawyer" if k % 2 else "Teacher", "Taiwan", f"City {k}", f"p{k:02d}.jpg",
                     f"Message {k}", "approved" if k % 3 else "pending"])
    result = _collage("import", folder, _csv(tmp_path / "s.csv", rows))
    assert result.returncode == 0, result.stderr
    project = load(folder)
    assert len(project.messages) == 21 and len(project.unapproved) == 11
    assert project.messages[0].location == "City 1, Taiwan"


# Holes a review found (each reproduced before it was fixed).

def test_an_update_never_changes_a_message_that_inherits_through_a_merge_key(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    (folder / "collage.yaml").write_text(
        "messages:\n  - &base\n    id: alice\n    photo: photos/alice.jpg\n    location: Taipei\n"
        "  - <<: *base\n    id: bilal\n    photo: photos/bilal.jpg\n    approved: true\n", encoding="utf-8")
    before = (folder / "collage.yaml").read_bytes()
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Location", "Status"], ["A", "alice.jpg", "Tainan", "yes"]])
    result = _collage("import", folder, sheet, "--update", "location", "--update", "approved")
    assert result.returncode == 1 and "shares values through an anchor or a merge key" in result.stderr
    assert (folder / "collage.yaml").read_bytes() == before


def test_rows_match_messages_by_exact_photo_and_an_id_of_another_photo_is_an_error(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    solid(folder / "photos" / "Ann.jpg", RED)
    solid(folder / "photos" / "ann.jpg", GREEN)
    (folder / "collage.yaml").write_text("messages:\n  - id: '1'\n    photo: photos/Ann.jpg\n    approved: true\n")
    same_id = _csv(tmp_path / "s.csv", [["Message ID", "Name", "Photo"], ["1", "Somebody Else", "wei.jpg"]])
    result = _collage("import", folder, same_id)
    assert result.returncode == 1 and "row 2: id '1' is a message with another photo" in result.stderr
    other_case = _csv(tmp_path / "t.csv", [["Name", "Photo", "Status"], ["Ann Lower", "photos/ann.jpg", "approved"]])
    result = _collage("import", folder, other_case, "--update", "name")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((folder / "collage.yaml").read_text())
    assert [(m["id"], m["photo"]) for m in data["messages"]] == [("1", "photos/Ann.jpg"), ("ann", "photos/ann.jpg")]
    assert "name" not in data["messages"][0]


def test_approval_consent_and_email_are_never_guessed_from_a_longer_title(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "I have approved the terms of use", "Review"],
                                      ["A", "alice.jpg", "Yes", "ok"]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    assert "'I have approved the terms of use'" in result.stdout and "'Review'" in result.stdout  # not imported
    assert yaml.safe_load((folder / "collage.yaml").read_text())["messages"][0]["approved"] is False


def test_import_prints_no_address_in_any_form(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    solid(folder / "photos" / "carol@example.org.jpg", RED)
    (folder / "collage.yaml").write_text("messages:\n  - id: alice\n    photo: photos/alice.jpg\n"
                                         "    location: Taipei\n")
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Location"],
                                      ["A", "alice.jpg", "write to a.very.long.address.for.testing@example.org"],
                                      ["B", "bilal.jpg", "ann\uff20example.org"], ["C", "nope@example.org.jpg", ""]])
    result = _collage("import", folder, sheet)
    printed = result.stdout + result.stderr
    for text in ("@", "\uff20", "example.org", "a.very.long"):
        assert text not in printed, text


def test_an_anonymous_row_gets_a_neutral_id_and_its_name_is_never_printed(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    solid(folder / "photos" / "IMG_1 - Zed Quill.jpg", RED)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Consent"],
                                      ["Zed Quill", "IMG_1 - Zed Quill.jpg", "anonymous"]])
    assert _collage("import", folder, sheet).returncode == 0
    data = yaml.safe_load((folder / "collage.yaml").read_text())
    assert data["messages"][0]["id"] == "m2"
    renamed = _csv(tmp_path / "t.csv", [["Name", "Photo", "Consent"], ["Zed Q.", "IMG_1 - Zed Quill.jpg", "anonymous"]])
    again = _collage("import", folder, renamed)
    assert again.returncode == 0 and "Zed" not in again.stdout.replace("IMG_1 - Zed Quill.jpg", "")
    assert "m2.name: differs (not shown: the contributor is not named)" in again.stdout


def test_bad_files_are_input_errors_not_crashes(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo"], ["A", "alice.jpg"]])
    latin1 = "messages:\n  - photo: photos/alice.jpg\n    name: Jos\xe9\n".encode("latin-1")
    (folder / "collage.yaml").write_bytes(latin1)
    assert _collage("import", folder, sheet).returncode == 1
    (folder / "collage.yaml").unlink()
    assert _collage("import", folder, tmp_path).returncode == 1  # a folder as the sheet
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"\xff\xfeN\x00a\x00m\x00e\x00,")  # UTF-16 cut mid-character
    assert _collage("import", folder, odd).returncode == 1
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Name", "Photo"])
    ws.append(["A", "alice.jpg"])
    ws.cell(row=90000, column=16000, value="stray")
    book.save(tmp_path / "stray.xlsx")
    result = _collage("import", folder, tmp_path / "stray.xlsx")  # a sheet is imported whole or not at all
    assert result.returncode == 1 and "row 90000 holds something after 89,997 blank rows" in result.stderr
    assert not (folder / "collage.yaml").exists()


def test_crlf_bom_and_hand_layouts_survive(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    text = "\ufeff# keep\r\nmessages:\r\n  -  id: alice   # odd spacing, kept\r\n     photo: photos/alice.jpg\r\n" \
           "     approved: true\r\n# about the title\r\ntitle:   T\r\n"
    (folder / "collage.yaml").write_bytes(text.encode("utf-8"))
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo"], ["B", "bilal.jpg"]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    after = (folder / "collage.yaml").read_bytes().decode("utf-8")
    assert after.startswith(text[:text.index("# about")]) and after.endswith("# about the title\r\ntitle:   T\r\n")
    assert "\n" not in after.replace("\r\n", "")  # CRLF throughout, as it was
    assert [m["id"] for m in yaml.safe_load(after.lstrip("\ufeff"))["messages"]] == ["alice", "bilal"]
    renamed = _csv(tmp_path / "t.csv", [["Name", "Photo"], ["B. Khan", "bilal.jpg"]])
    before = (folder / "collage.yaml").read_bytes()
    refused = _collage("import", folder, renamed, "--update", "name")
    assert refused.returncode == 1 and "cannot be kept exactly" in refused.stderr
    assert (folder / "collage.yaml").read_bytes() == before
    flow = folder / "collage.yaml"
    flow.write_text("messages: [{id: alice, photo: photos/alice.jpg,   # legal asked\n  approved: true}]\n")
    kept = flow.read_bytes()
    refused = _collage("import", folder, sheet)
    assert refused.returncode == 1 and "flow list" in refused.stderr and flow.read_bytes() == kept


# Issue 18: bounded sheets, neutral ids, withheld values never printed, outputs under a file.

def _read(path: Path) -> list[dict[str, str]]:
    from collage.authoring import sheet as sheet_module

    return [row.values for row in sheet_module.read(path).rows]


def _refused(path: Path) -> str:
    from collage.errors import InputError

    with pytest.raises(InputError) as caught:
        _read(path)
    return "\n".join(f"{p.message} {p.hint or ''}" for p in caught.value.errors)


class _Counted:
    """A file object that counts what is read from it (bytes or characters) into `total[0]`."""

    def __init__(self, fh: Any, total: list[int]) -> None:
        self._fh, self._total = fh, total

    def read(self, *args: Any) -> Any:
        data = self._fh.read(*args)
        self._total[0] += len(data)
        return data

    def readline(self, *args: Any) -> Any:
        line = self._fh.readline(*args)
        self._total[0] += len(line)
        return line

    def __enter__(self) -> _Counted:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


def _read_before_refusing(path: Path) -> int:
    """How much of a sheet collage reads before it refuses it (InputError): the characters of a CSV, the
    bytes it unpacks from an XLSX's parts (not its zip directory). What a bomb costs, counted, not timed."""
    import pathlib
    import zipfile

    total = [0]
    real_open, real_read = pathlib.Path.open, zipfile.ZipExtFile.read

    def counted_open(self: pathlib.Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_open(self, mode, *args, **kwargs)
        return _Counted(fh, total) if self == path and "b" not in mode else fh  # text: a CSV's characters

    def counted_read(self: zipfile.ZipExtFile, *args: Any) -> bytes:
        data = real_read(self, *args)
        total[0] += len(data)
        return data

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pathlib.Path, "open", counted_open)
        patch.setattr(zipfile.ZipExtFile, "read", counted_read)
        _refused(path)
    return total[0]


def _book(path: Path, rows: list[list[object]], write_only: bool = True) -> Path:
    """An XLSX as openpyxl writes it (write_only: streamed, as for big sheets; else with its dimension)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=write_only)
    ws = book.create_sheet() if write_only else book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def _repack(source: Path, target: Path, parts: dict[str, bytes], extra: int = 0) -> Path:
    """`source`'s zip with some parts' bytes replaced (or added), and `extra` more tiny members."""
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            out.writestr(info.filename, parts.get(info.filename, zin.read(info.filename)))
        for name, data in parts.items():
            if name not in zin.namelist():
                out.writestr(name, data)
        for k in range(extra):
            out.writestr(f"customXml/item{k}.xml", b"<a/>")
    return target


SHEET_PART = "xl/worksheets/sheet1.xml"


def _sheet_xml(rows: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>').encode()


HEAD_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Photo</t></is>' \
           '</c></row>'


@pytest.mark.pure
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rows_columns_and_cells_are_read_up_to_their_limits_and_refused_past_them(tmp_path: Path, kind: str) -> None:
    from collage.authoring import sheet as sheet_module

    def write(name: str, rows: list[list[object]]) -> Path:
        if kind == "csv":
            return _csv(tmp_path / f"{name}.csv", [[str(c) for c in r] for r in rows])
        return _book(tmp_path / f"{name}.xlsx", rows)

    assert (sheet_module.MAX_ROWS, sheet_module.MAX_COLUMNS, sheet_module.MAX_CELL) == (20_000, 64, 10_000)
    many = [["Name", "Photo"]] + [[f"P{k}", f"p{k}.jpg"] for k in range(20_000)]
    assert len(_read(write("rows", many))) == 20_000
    message = _refused(write("more", [*many, ["Last", "last.jpg"]]))
    assert "more than 20000 rows" in message.replace(",", "")
    wide = [["Photo"] + [f"Q{k}" for k in range(63)], ["a.jpg"] + ["x"] * 63]
    assert _read(write("wide", wide))[0]["photo"] == "a.jpg"
    message = _refused(write("wider", [[*wide[0], "Q63"], [*wide[1], "x"]]))
    assert "65" in message and "64 columns" in message
    assert _read(write("long", [["Name", "Photo"], ["n" * 10_000, "a.jpg"]]))[0]["name"] == "n" * 10_000
    message = _refused(write("longer", [["Name", "Photo"], ["ok", "b.jpg"], ["n" * 10_001, "a.jpg"]]))
    assert "row 3" in message and "'Name'" in message and "10,000 characters" in message


@pytest.mark.pure
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_whole_text_and_the_cells_are_bounded(tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from collage.authoring import sheet as sheet_module

    rows = [["Name", "Photo"], ["aaaa", "a.jpg"], ["bbbb", "b.jpg"]]  # 9 + 9 + 9 characters, 6 cells
    path = _csv(tmp_path / "s.csv", rows) if kind == "csv" else _book(tmp_path / "s.xlsx", list(rows))
    monkeypatch.setattr(sheet_module, "MAX_TEXT", 27)
    assert len(_read(path)) == 2
    monkeypatch.setattr(sheet_module, "MAX_TEXT", 26)
    assert "characters of text" in _refused(path)
    monkeypatch.setattr(sheet_module, "MAX_TEXT", 10_000)
    monkeypatch.setattr(sheet_module, "MAX_CELLS", 6)
    assert len(_read(path)) == 2
    monkeypatch.setattr(sheet_module, "MAX_CELLS", 5)
    assert "cells" in _refused(path)


@pytest.mark.pure
def test_a_row_after_a_far_blank_gap_is_refused_and_rows_keep_their_sheet_numbers(tmp_path: Path) -> None:
    from collage.authoring import sheet as sheet_module

    path = _csv(tmp_path / "s.csv", [["Name", "Photo"], [], ["A", "a.jpg"], ["", ""], ["B", "b.jpg"]])
    assert [r.number for r in sheet_module.read(path).rows] == [3, 5]  # as a spreadsheet shows them
    trailing = tmp_path / "trailing.csv"  # blank rows after the table, however many: the table
    trailing.write_text("Photo,Name\nalice.jpg,Alice\n" + "\n" * 5000)
    assert [r.number for r in sheet_module.read(trailing).rows] == [2]
    far = tmp_path / "far.csv"  # found by fuzzing: the row below was dropped without a word
    far.write_text("Photo,Name\nalice.jpg,Alice\n" + "\n" * 1200 + "zelda.jpg,Zelda\n" + "\n" * 50)
    assert "row 1203 holds something after 1,200 blank rows" in _refused(far)
    book = tmp_path / "gap.xlsx"
    rows = HEAD_ROW + '<row r="3"><c r="A3" t="inlineStr"><is><t>A</t></is></c><c r="B3" t="inlineStr"><is><t>a.jpg' \
        '</t></is></c></row><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>stray</t></is></c></row>'
    _repack(_book(tmp_path / "base.xlsx", [["x"]]), book, {SHEET_PART: _sheet_xml(rows)})
    assert "row 1048576 holds something after" in _refused(book)


@pytest.mark.pure
def test_a_sheet_with_too_many_zip_members_or_a_member_too_big_is_refused(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from collage.authoring import sheet as sheet_module

    base = _book(tmp_path / "base.xlsx", [["Name", "Photo"], ["A", "a.jpg"]])
    parts = len(zipfile.ZipFile(base).namelist())
    assert len(_read(_repack(base, tmp_path / "ok.xlsx", {}, extra=1000 - parts))) == 1
    message = _refused(_repack(base, tmp_path / "many.xlsx", {}, extra=1001 - parts))
    assert "1001 parts" in message and "1,000" in message
    monkeypatch.setattr(sheet_module, "MAX_PART", 16 << 10)
    padded = _sheet_xml(HEAD_ROW + " " * 12_000)
    assert len(_read(_repack(base, tmp_path / "pad.xlsx", {SHEET_PART: padded}))) == 0
    message = _refused(_repack(base, tmp_path / "big.xlsx", {SHEET_PART: _sheet_xml(HEAD_ROW + " " * 17_000)}))
    assert SHEET_PART in message and "16 KB" in message
    monkeypatch.setattr(sheet_module, "MAX_ELEMENTS", 10)
    assert "more than 10 XML elements" in _refused(base)


@pytest.mark.pure
def test_malformed_or_entity_laden_xml_is_refused_naming_the_part(tmp_path: Path) -> None:
    base = _book(tmp_path / "base.xlsx", [["Name", "Photo"], ["A", "a.jpg"]])
    cut = _sheet_xml(HEAD_ROW)[:-30]
    assert SHEET_PART in _refused(_repack(base, tmp_path / "cut.xlsx", {SHEET_PART: cut}))
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">' for k in range(9)) + "]>"
    bomb = _sheet_xml(HEAD_ROW.replace("Name", "&j;"), prolog=laughs)
    message = _refused(_repack(base, tmp_path / "laughs.xlsx", {SHEET_PART: bomb}))
    assert "DOCTYPE" in message and SHEET_PART in message


@pytest.mark.pure
@pytest.mark.parametrize("encoding", ["x-nope", "UTF-16", "latin-1", "utf-7", ""])
def test_a_part_declaring_an_unknown_or_wrong_encoding_is_refused_naming_the_part(tmp_path: Path,
                                                                                   encoding: str) -> None:
    """Found by the fuzzing campaign: `encoding="x-nope"` in a part's XML declaration raised LookupError
    out of expat (a crash, not a problem)."""
    base = _book(tmp_path / "base.xlsx", [["Name", "Photo"], ["A", "a.jpg"]])
    part = _sheet_xml(HEAD_ROW).replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode())
    book = _repack(base, tmp_path / "declared.xlsx", {SHEET_PART: part})
    from collage.errors import InputError

    try:
        _read(book)
    except InputError as exc:
        assert SHEET_PART in str(exc) or "workbook" in str(exc)


def _patch_declared_size(path: Path, part: str, size: int) -> None:
    """Make the zip's directory lie: `part` declared `size` bytes uncompressed, whatever it holds."""
    import struct

    data = bytearray(path.read_bytes())
    name = part.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + length] == name:
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def _bomb_rows(cells: int) -> str:
    return HEAD_ROW + '<row r="2">' + "<c/>" * cells + "</row>"


# What each XLSX bomb may cost before it is refused, in bytes unpacked (the bombs unpack to 40 to 80 MB).
BOMB_READS = {
    "cells": 1 << 20,  # 40 MB of cells in one row: refused at the row's columns, in the first megabyte
    "declared": 0,  # the directory says 76 MB: refused before anything is unpacked
    "lying": 1 << 16,  # the directory says 2 KB: refused within the first piece (64 KB) past it
    "laughs": 1 << 16,  # the DOCTYPE, refused in the first piece
    "strings": 30 << 20,  # three million strings (51 MB): refused at MAX_ELEMENTS, about half way
    "malformed": 1 << 16,
}


@pytest.mark.parametrize("kind", list(BOMB_READS))
def test_xlsx_bombs_are_refused_early_with_exit_1(tmp_path: Path, kind: str) -> None:
    import zipfile

    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    base = _book(tmp_path / "base.xlsx", [["Name", "Photo"], ["A", "alice.jpg"]], write_only=False)
    with zipfile.ZipFile(base) as z:  # the part as openpyxl wrote it, then spoiled
        real = z.read(SHEET_PART)
    target = tmp_path / "Responses.xlsx"
    if kind == "cells":  # 40 MB of empty cells in one row, 40 KB zipped
        _repack(base, target, {SHEET_PART: real.replace(b"</sheetData>", b'<row r="3">' + b"<c/>" * 10_000_000
                                                        + b"</row></sheetData>")})
    elif kind == "declared":  # 80 MB of blanks between rows
        _repack(base, target, {SHEET_PART: real.replace(b"</sheetData>", b" " * 80_000_000 + b"</sheetData>")})
    elif kind == "lying":  # the directory says 2 KB; the part holds 80 MB
        _repack(base, target, {SHEET_PART: real.replace(b"</sheetData>", b" " * 80_000_000 + b"</sheetData>")})
        _patch_declared_size(target, SHEET_PART, 2048)
    elif kind == "laughs":
        laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">' for k in range(9)) + "]>"
        _repack(base, target, {SHEET_PART: laughs.encode() + real.replace(b">Name<", b">&j;<")})
    elif kind == "strings":  # three million shared strings
        strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
            b"<si><t>x</t></si>" * 3_000_000 + b"</sst>"
        with zipfile.ZipFile(base) as z:
            types = z.read("[Content_Types].xml").replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                                         b'ContentType="application/vnd.openxmlformats-officedocument.'
                                                         b'spreadsheetml.sharedStrings+xml"/></Types>')
            rels = z.read("xl/_rels/workbook.xml.rels").replace(
                b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
                b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        _repack(base, target, {"xl/sharedStrings.xml": strings, "[Content_Types].xml": types,
                               "xl/_rels/workbook.xml.rels": rels})
    else:
        _repack(base, target, {SHEET_PART: real[:len(real) // 2]})
    assert target.stat().st_size < 1_000_000
    result = _collage("import", folder, target, timeout=90)  # the timeout only catches a hang
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Responses.xlsx" in result.stderr and "Traceback" not in result.stderr
    assert not (folder / "collage.yaml").exists()
    assert _read_before_refusing(target) <= BOMB_READS[kind]  # refused early: a bound on the work, not a time


def test_csv_bombs_are_refused_early_with_exit_1(tmp_path: Path) -> None:
    from collage.authoring import sheet

    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as fh:  # a gigabyte-long line (sparse: no disk used)
        fh.write(b"Name,Photo\nA,")
        fh.truncate(1 << 30)
    line = tmp_path / "line.csv"
    line.write_bytes(b"Name,Photo\n" + b"a" * 5_000_000 + b",alice.jpg\n")
    commas = tmp_path / "commas.csv"
    commas.write_bytes(b"Name,Photo\n" + b"," * 20_000_000 + b"\n")
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"Name,Photo\n" + b"a,b.jpg\n" * 3_000_000)
    # What each may cost before it is refused, in characters read (the files are 5 MB to a gigabyte):
    # the gigabyte by its size on disk, before a character; the long lines at the line limit; the three
    # million rows at the row limit.
    reads = {huge: 0, line: 2 * sheet.MAX_LINE, commas: 2 * sheet.MAX_LINE, rows: 40 * sheet.MAX_ROWS}
    for path, says in ((huge, "MB"), (line, "row 2"), (commas, "row 2"), (rows, "rows")):
        result = _collage("import", folder, path, timeout=90)  # the timeout only catches a hang
        assert result.returncode == 1, (path.name, result.stderr)
        assert path.name in result.stderr and says in result.stderr, result.stderr
        assert _read_before_refusing(path) <= reads[path], path.name  # a bound on the work, not a time


def test_under_privacy_default_anonymous_new_rows_get_neutral_ids_and_no_file_name_is_printed(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    solid(folder / "photos" / "alice-chen.jpg", RED)
    solid(folder / "photos" / "zed quill.jpg", GREEN)
    solid(folder / "photos" / "m2.jpg", BLUE)
    (folder / "collage.yaml").write_text("privacy: {default: anonymous}\nmessages:\n  - id: m2\n"
                                         "    photo: photos/m2.jpg\n", encoding="utf-8")
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Status", "Message ID"],
                                      ["Alice Chen", "alice-chen.jpg", "approved", ""],
                                      ["Bilal Khan", "bilal.jpg", "approved", "bilal-khan"],
                                      ["Wei", "wei.jpg", "pending", ""],
                                      ["Quinn Rowe", "quinn-rowe.jpg", "approved", ""]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((folder / "collage.yaml").read_text())
    assert [m["id"] for m in data["messages"]] == ["m2", "m2-2", "m3", "m4"]  # row numbers; m2 was taken
    printed = result.stdout + result.stderr
    for text in ("alice", "Alice", "Chen", "bilal", "Bilal", "Khan", "wei", "Wei", "Quinn", "quinn", "Rowe", "zed",
                 "quill"):
        assert text not in printed, (text, printed)
    assert "added 3" in result.stdout and "m2-2, m3, m4" in result.stdout
    assert "row 5: no photo in the folder" in result.stdout  # not the file name a row gave
    assert "photos no row names (" in result.stdout  # counted, not named
    # Stable: the same sheet again, or in another order, changes no id.
    shuffled = _csv(tmp_path / "t.csv", [["Name", "Photo", "Status"], ["Wei", "wei.jpg", "pending"],
                                         ["Alice Chen", "alice-chen.jpg", "approved"]])
    again = _collage("import", folder, shuffled)
    assert again.returncode == 0 and "added 0" in again.stdout
    assert [m["id"] for m in yaml.safe_load((folder / "collage.yaml").read_text())["messages"]] == \
        ["m2", "m2-2", "m3", "m4"]
    # A photo named after the anonymous contributor (alice-chen.jpg) is theirs to rename: said by import,
    # refused by every command until then (`plan --json` prints file names), without printing it.
    assert "3 photo file name(s) carry the name of a contributor who asked not to be named" in result.stdout
    plan = _collage("plan", folder)
    assert plan.returncode == 1 and "messages[1].photo: holds the name of a contributor" in plan.stderr
    assert "alice" not in plan.stderr.casefold() and "bilal" not in plan.stderr.casefold()


def test_withheld_values_are_never_printed_and_booleans_print_as_yaml(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    (folder / "collage.yaml").write_text(
        "privacy: {default: anonymous}\nmessages:\n"
        "  - {id: m1, photo: photos/alice.jpg, name: Alice Chen, approved: true}\n"
        "  - {id: bilal, photo: photos/bilal.jpg, name: Bilal Khan, consent: named, location: Berlin,"
        " hide: [location], approved: true}\n"
        "  - {id: m3, photo: photos/wei.jpg, consent: masked, name: Zhang Wei}\n", encoding="utf-8")
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Location", "Status", "Profession"],
                                      ["Alice C.", "alice.jpg", "", "pending", "Teacher"],
                                      ["Bilal K.", "bilal.jpg", "Hamburg", "approved", ""],
                                      ["Wei Z.", "wei.jpg", "", "", ""]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    printed = result.stdout + result.stderr
    for text in ("Alice", "Zhang", "Wei Z", "Berlin", "Hamburg"):
        assert text not in printed, (text, printed)
    assert "m1.name: differs (not shown" in printed and "m3.name: differs (not shown" in printed
    assert "bilal.location: differs (not shown" in printed
    assert "bilal.name: 'Bilal Khan' in the manifest, 'Bilal K.' in the sheet" in printed  # named: shown
    assert "m1.approved: true in the manifest, false in the sheet" in printed
    assert "'True'" not in printed and "'False'" not in printed
    assert "m1.profession: '' in the manifest, 'Teacher' in the sheet" in printed


def test_a_microsoft_forms_id_column_is_a_response_number_not_the_message_id(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Photo"]
    sheet = _csv(tmp_path / "ms.csv", [header, ["1", "6/1/26 10:00", "6/1/26 10:05", "anonymous", "Alice", "alice.jpg"],
                                       ["2", "6/1/26 11:00", "6/1/26 11:05", "anonymous", "Bilal", "bilal.jpg"]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    assert [m["id"] for m in yaml.safe_load((folder / "collage.yaml").read_text())["messages"]] == ["alice", "bilal"]
    assert "column 'ID' holds response numbers" in result.stdout
    xlsx = _book(tmp_path / "ms.xlsx", [header, [1, "x", "y", "anonymous", "Wei", "wei.jpg"]])
    result = _collage("import", folder, xlsx)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((folder / "collage.yaml").read_text())["messages"][-1]["id"] == "wei"
    (folder / "collage.yaml").unlink()
    named = _csv(tmp_path / "ids.csv", [["ID", "Name", "Photo"], ["al-1", "Alice", "alice.jpg"]])
    assert _collage("import", folder, named).returncode == 0  # not numbers: the message id
    assert yaml.safe_load((folder / "collage.yaml").read_text())["messages"][0]["id"] == "al-1"
    (folder / "collage.yaml").unlink()
    mapped = _collage("import", folder, sheet, "--map", "ID=id")  # asked for: taken
    assert mapped.returncode == 0, mapped.stderr
    assert [m["id"] for m in yaml.safe_load((folder / "collage.yaml").read_text())["messages"]] == ["1", "2"]


def test_a_folder_or_manifest_under_a_file_is_exit_1_naming_it(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo"], ["A", "alice.jpg"]])
    somefile = tmp_path / "somefile.txt"
    somefile.write_text("x")
    for args in ((somefile / "x", sheet), (somefile, sheet), (folder, sheet, "--manifest", somefile / "collage.yaml"),
                 (folder, sheet, "--manifest", folder / "photos")):
        result = _collage("import", *args)
        assert result.returncode == 1, (args, result.returncode, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert "somefile.txt" in result.stderr or "photos" in result.stderr
    assert "is a file" in _collage("import", somefile / "x", sheet).stderr
    assert "--manifest" in _collage("import", folder, sheet, "--manifest", somefile / "collage.yaml").stderr


def _workbook_by_hand(path: Path, prefix: str = "") -> Path:
    """An XLSX as Excel and Google Sheets write it (openpyxl writes no shared strings): shared strings with
    rich runs and a phonetic guide, dates by a custom and a built-in format, booleans, a formula's text,
    cells without references, the responses on the first of two sheets, an absolute part name."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{main}"'
    strings = ["Timestamp", "Name", "Photo", "Approved", None, "alice.jpg", "  two  spaces ", "Total"]
    sst = "".join("<si><r><t xml:space=\"preserve\">Alice </t></r><r><rPr><b/></rPr><t>Chen</t></r>"
                  "<rPh sb=\"0\" eb=\"1\"><t>アリス</t></rPh></si>" if s is None else
                  f'<si><t xml:space="preserve">{s}</t></si>' for s in strings)
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns} xmlns:r="{rel}">'
             f'<{p}dimension ref="A1:F4"/><{p}sheetData>'
             f'<{p}row r="1" spans="1:6"><{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" t="s"><{p}v>1</{p}v>'
             f'</{p}c><{p}c r="C1" t="s"><{p}v>2</{p}v></{p}c><{p}c r="D1" t="s"><{p}v>3</{p}v></{p}c>'
             f'<{p}c r="E1" t="inlineStr"><{p}is><{p}t>Score</{p}t></{p}is></{p}c><{p}c r="F1" t="s"><{p}v>7</{p}v>'
             f'</{p}c></{p}row>'
             f'<{p}row r="2"><{p}c r="A2" s="1"><{p}v>45444.4375</{p}v></{p}c><{p}c r="B2" t="s"><{p}v>4</{p}v>'
             f'</{p}c><{p}c r="C2" t="s" s="3"><{p}v>5</{p}v></{p}c><{p}c r="D2" t="b"><{p}v>1</{p}v></{p}c>'
             f'<{p}c r="E2"><{p}v>3</{p}v></{p}c><{p}c r="F2" t="str"><{p}f>E2*2</{p}f><{p}v>6</{p}v></{p}c>'
             f'<{p}c r="G2" s="3"/></{p}row>'
             f'<{p}row r="4"><{p}c s="2"><{p}v>45444</{p}v></{p}c><{p}c t="s"><{p}v>6</{p}v></{p}c><{p}c/>'
             f'<{p}c t="b"><{p}v>0</{p}v></{p}c><{p}c><{p}v>2.5</{p}v></{p}c><{p}c t="e"><{p}v>#N/A</{p}v></{p}c>'
             f'</{p}row></{p}sheetData></{p}worksheet>')
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName='
        '"/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {xmlns} xmlns:r="{rel}">'
        f'<{p}workbookPr/><{p}sheets><{p}sheet name="Form Responses 1" sheetId="2" r:id="rId2"/>'
        f'<{p}sheet name="Notes" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/worksheet" Target="worksheets/'
        f'sheet2.xml"/><Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/><Relationship Id="rId4" '
        f'Type="{rel}/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><{p}styleSheet {xmlns}><{p}numFmts count="1">'
        f'<{p}numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/></{p}numFmts><{p}fonts count="1"><{p}font/>'
        f'</{p}fonts><{p}fills count="1"><{p}fill><{p}patternFill patternType="none"/></{p}fill></{p}fills>'
        f'<{p}borders count="1"><{p}border/></{p}borders>'
        f'<{p}cellStyleXfs count="1"><{p}xf numFmtId="14"/></{p}cellStyleXfs><{p}cellXfs count="4"><{p}xf '
        f'numFmtId="0"/><{p}xf numFmtId="164" applyNumberFormat="1"/><{p}xf numFmtId="14" applyNumberFormat="1"/>'
        f'<{p}xf numFmtId="49"/></{p}cellXfs><{p}cellStyles count="1">'
        f'<{p}cellStyle name="Normal" xfId="0" builtinId="0"/></{p}cellStyles></{p}styleSheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><{p}sst {xmlns} count="8" uniqueCount="8">'
        + sst.replace("<si>", f"<{p}si>").replace("</si>", f"</{p}si>").replace("<t", f"<{p}t").replace(
            "</t>", f"</{p}t>").replace("<r>", f"<{p}r>").replace("</r>", f"</{p}r>").replace(
            "<rPh", f"<{p}rPh").replace("</rPh>", f"</{p}rPh>").replace("<rPr><b/></rPr>", f"<{p}rPr><{p}b/></{p}rPr>")
        + f"</{p}sst>",
        "xl/worksheets/sheet1.xml": f'<{p}worksheet {xmlns}><{p}sheetData><{p}row r="1"><{p}c r="A1" '
        f't="inlineStr"><{p}is><{p}t>not this sheet</{p}t></{p}is></{p}c></{p}row></{p}sheetData></{p}worksheet>',
        "xl/worksheets/sheet2.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


@pytest.mark.pure
@pytest.mark.parametrize("prefix", ["", "x"])
def test_an_xlsx_reads_as_openpyxl_reads_it(tmp_path: Path, prefix: str) -> None:
    import openpyxl

    from collage.authoring import sheet as sheet_module

    path = _workbook_by_hand(tmp_path / "Responses.xlsx", prefix)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    expected = []
    for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
        cells = ["" if v is None else "TRUE" if v is True else "FALSE" if v is False else
                 str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            expected.append((number, cells))
    book.close()
    assert sheet_module._table("Responses.xlsx", sheet_module._xlsx(path, "Responses.xlsx")) == expected
    assert expected[1][1][:2] == ["2024-06-01 10:30:00", "Alice Chen"]  # a date, rich text without its guide
    assert expected[2][0] == 4 and expected[2][1][1] == "  two  spaces "
    rows = sheet_module.read(path).rows
    assert [(r.number, r.values) for r in rows] == [
        (2, {"name": "Alice Chen", "photo": "alice.jpg", "approved": "TRUE"}),
        (4, {"name": "two  spaces", "approved": "FALSE"})]


@pytest.mark.parametrize("default", ["named", "anonymous"])
def test_no_file_named_after_a_contributor_not_to_be_named_is_printed(tmp_path: Path, default: str) -> None:
    """Found by the fuzzing campaign: the photos no row names were listed by file name, and one was named
    after a contributor whose row asks not to be named (her row's own file name was mistyped); another
    row's did-you-mean could offer it too, and another row's new id, made of that file's name, was
    printed among those added."""
    folder = write_folder(tmp_path / "f", photos={**PHOTOS, "zelda-quorvath": GREEN, "zelda-quorvath-2": BLUE})
    if default == "anonymous":
        (folder / "collage.yaml").write_text("privacy: {default: anonymous}\nmessages: []\n", encoding="utf-8")
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Consent"],
                                      ["Zelda Quorvath", "zelda_quorvat.jpg", "anonymous"],
                                      ["Alice Chen", "alice.jpg", "named"], ["Wei", "zelda-quorvath-3.jpg", "named"],
                                      ["Bo", "zelda-quorvath-2.jpg", "named"]])  # an id made of the file's name
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    assert "quorvath" not in result.stdout.casefold() and "zelda" not in result.stdout.casefold(), result.stdout


def test_a_value_holding_her_name_is_not_printed_where_her_row_differs(tmp_path: Path) -> None:
    """Found by the fuzzing campaign: a row asking not to be named, matched to a message already in the
    manifest, differed in its sign's text, which held her name: the report printed it."""
    folder = write_folder(tmp_path / "f", {"messages": [{"id": "alice", "photo": "photos/alice.jpg", "name": "A. Q.",
                                                         "message": "We stand with you", "approved": False}]},
                          photos=PHOTOS)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Consent", "Message"],
                                      ["Zelda Quorvath", "alice.jpg", "anonymous", "From Zelda Quorvath"]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    assert "quorvath" not in result.stdout.casefold() and "zelda" not in result.stdout.casefold(), result.stdout


def test_a_merge_reads_the_manifest_a_few_times_not_once_an_indentation(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the fuzzing campaign (merges over 2 s): a manifest no dumper reproduces exactly was
    parsed again for each of the ~60 indentations tried; the parse does not depend on them (a bound on
    the work, not a time)."""
    from ruamel.yaml import YAML

    from collage.authoring.importing import import_sheet

    folder = write_folder(tmp_path / "f", "title:   T\nmessages:\n  - id: alice\n    photo: photos/alice.jpg\n"
                          "    approved: false\n", photos=PHOTOS)  # `title:   T`: no dumper writes it so
    loads: list[int] = []
    original = YAML.load
    monkeypatch.setattr(YAML, "load", lambda self, stream: loads.append(1) or original(self, stream))
    done = import_sheet(folder, _csv(tmp_path / "s.csv", [["Name", "Photo"], ["Bilal", "bilal.jpg"]]))
    assert done.added == ["bilal"] and len(loads) <= 4, len(loads)


def test_a_row_below_a_far_blank_gap_stops_the_import_and_names_nobody(tmp_path: Path) -> None:
    """Found by fuzzing: an anonymous contributor's row far below the table was not read, so nothing said
    she is not to be named; her photo, named after her, was then listed among the photos no row names,
    and her name printed as a value differing from a named message's. A sheet is now read whole or refused."""
    folder = write_folder(tmp_path / "f", photos={**PHOTOS, "zelda-quorvath": RED})
    far = tmp_path / "far.csv"
    far.write_text("Photo,Name,Consent\nalice.jpg,Alice,named\n" + "\n" * 1500
                   + "zelda-quorvath.jpg,Zelda Quorvath,anonymous\n")
    result = _collage("import", folder, far)
    said = (result.stdout + result.stderr).casefold()
    assert result.returncode == 1 and "zelda" not in said and "quorvath" not in said
    assert "row 1503 holds something after 1,500 blank rows" in result.stderr


def test_a_wrong_consent_or_approval_cell_is_named_by_row_never_quoted(tmp_path: Path) -> None:
    """Found by fuzzing: a row run into the wrong columns put a name (fullwidth) in the consent column,
    and the refusal quoted it; it may be the name of someone not to be named."""
    folder = write_folder(tmp_path / "f", photos=PHOTOS)
    for column, cell in (("Consent", "Ｚｅｌｄａ Ｑｕｏｒｖａｔｈ"), ("Status", "Zelda Quorvath")):
        sheet = _csv(tmp_path / "s.csv", [["Photo", "Name", column], ["alice.jpg", "Zelda Quorvath", cell]])
        result = _collage("import", folder, sheet)
        assert result.returncode == 1 and "row 2: the " in result.stderr, result.stderr
        said = (result.stdout + result.stderr).casefold()
        assert "zelda" not in said and "ｚｅｌｄａ" not in said


def test_an_id_a_row_now_withholds_is_not_printed(tmp_path: Path) -> None:
    """Found by the fuzzing campaign: a message named in the manifest (its id made of her name) whose row
    now says `masked` was reported as `zelda-quorvath.consent: '' in the manifest, 'masked' in the sheet`."""
    folder = write_folder(tmp_path / "f", {"messages": [{"id": "zelda-quorvath", "photo": "photos/alice.jpg",
                                                          "name": "Zelda Quorvath", "approved": False}]},
                          photos=PHOTOS)
    sheet = _csv(tmp_path / "s.csv", [["Photo", "Name", "Consent"], ["alice.jpg", "Zelda Q.", "masked"]])
    result = _collage("import", folder, sheet)
    said = (result.stdout + result.stderr).casefold()
    assert result.returncode == 0 and "zelda" not in said and "quorvath" not in said, said
    assert "an id not shown" in said
    # Taking her consent from the sheet would leave an id that names her: refused, naming nobody.
    result = _collage("import", folder, sheet, "--update", "consent")
    said = (result.stdout + result.stderr).casefold()
    assert result.returncode == 1 and "neutral id" in said and "zelda" not in said and "quorvath" not in said
