"""`collage import`: sheets as form tools export them (CSV with BOM and quoted newlines, TSV in UTF-16,
semicolons, XLSX) become messages; a hand-edited manifest keeps every byte it had where nothing
changes; a second import changes nothing; emails stay out of the manifest and out of everything printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from collage import load

from .support.media import BLUE, GREEN, RED, solid

HEADER = ["Timestamp", "Your name", "Occupation", "City", "Country", "Upload your photo",
          "What does your sign say?", "Email Address", "Status"]
ROWS = [
    ["2026/06/01 10:00", "Alice Chen", "Teacher", "Taipei", "Taiwan", "alice.jpg", "We stand\nwith you",
     "alice@example.org", "Approved"],
    ["2026/06/02 11:30", "Bilal Khan", "Lawyer", "Berlin", "Germany", "https://forms.example/u/BILAL.JPG",
     "Free them, all of them", "bilal@example.org", "pending"],
    ["2026/06/03 09:10", "张伟", "律师", "台北", "", "photos/wei.jpg", "你们并不孤单", "wei@example.org", ""],
]


def _collage(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "collage", *map(str, args)], capture_output=True, text=True,
                          timeout=120, check=False)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "f"
    for name, colour in (("alice", RED), ("bilal", GREEN), ("wei", BLUE), ("extra", RED)):
        solid(folder / "photos" / f"{name}.jpg", colour)
    return folder


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
    folder = _folder(tmp_path)
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
    folder = _folder(tmp_path)
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

    folder = _folder(tmp_path)
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
    folder = _folder(tmp_path)
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
    folder = _folder(tmp_path)
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
    assert result.returncode == 1 and "row 3" in result.stderr and "approval 'maybe later'" in result.stderr
    assert "Traceback" not in result.stderr
    two = _csv(tmp_path / "two.csv", [["Name", "Full name", "Photo"], ["A", "B", "alice.jpg"]])
    result = _collage("import", folder, two)
    assert result.returncode == 1 and "two columns give the name" in result.stderr
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Name,Photo\nA,alice.jpg,extra,cells\n")
    result = _collage("import", folder, ragged)
    assert result.returncode == 1 and "row 2 has 4 cells" in result.stderr


def test_a_missing_photo_is_reported_with_a_did_you_mean(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo"], ["A", "alise.jpg"], ["B", "Bilal.JPG"]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    assert "row 2: no photo 'alise.jpg' in the folder; did you mean photos/alice.jpg?" in result.stdout
    assert [m["id"] for m in yaml.safe_load((folder / "collage.yaml").read_text())["messages"]] == ["bilal"]


def test_an_email_in_a_shown_cell_stops_the_import_unechoed(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
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
