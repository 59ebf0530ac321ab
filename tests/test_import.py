"""`collage import`: sheets as form tools export them (CSV with BOM and quoted newlines, TSV in UTF-16,
semicolons, XLSX) become messages; a hand-edited manifest keeps every byte it had where nothing
changes; a second import changes nothing; emails stay out of the manifest and out of everything printed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from collage import load

from .support.media import BLUE, GREEN, RED, solid
from .support.media import collage_cli as _collage

HEADER = ["Timestamp", "Your name", "Occupation", "City", "Country", "Upload your photo",
          "What does your sign say?", "Email Address", "Status"]
ROWS = [
    ["2026/06/01 10:00", "Alice Chen", "Teacher", "Taipei", "Taiwan", "alice.jpg", "We stand\nwith you",
     "alice@example.org", "Approved"],
    ["2026/06/02 11:30", "Bilal Khan", "Lawyer", "Berlin", "Germany", "https://forms.example/u/BILAL.JPG",
     "Free them, all of them", "bilal@example.org", "pending"],
    ["2026/06/03 09:10", "张伟", "律师", "台北", "", "photos/wei.jpg", "你们并不孤单", "wei@example.org", ""],
]



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


# Holes a review found (each reproduced before it was fixed).

def test_an_update_never_changes_a_message_that_inherits_through_a_merge_key(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "collage.yaml").write_text(
        "messages:\n  - &base\n    id: alice\n    photo: photos/alice.jpg\n    location: Taipei\n"
        "  - <<: *base\n    id: bilal\n    photo: photos/bilal.jpg\n    approved: true\n", encoding="utf-8")
    before = (folder / "collage.yaml").read_bytes()
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Location", "Status"], ["A", "alice.jpg", "Tainan", "yes"]])
    result = _collage("import", folder, sheet, "--update", "location", "--update", "approved")
    assert result.returncode == 1 and "shares values through an anchor or a merge key" in result.stderr
    assert (folder / "collage.yaml").read_bytes() == before


def test_rows_match_messages_by_exact_photo_and_an_id_of_another_photo_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    solid(folder / "photos" / "Ann.jpg", RED)
    solid(folder / "photos" / "ann.jpg", GREEN)
    (folder / "collage.yaml").write_text("messages:\n  - id: '1'\n    photo: photos/Ann.jpg\n    approved: true\n")
    same_id = _csv(tmp_path / "s.csv", [["ID", "Name", "Photo"], ["1", "Somebody Else", "wei.jpg"]])
    result = _collage("import", folder, same_id)
    assert result.returncode == 1 and "row 2: id '1' is a message with another photo" in result.stderr
    other_case = _csv(tmp_path / "t.csv", [["Name", "Photo", "Status"], ["Ann Lower", "photos/ann.jpg", "approved"]])
    result = _collage("import", folder, other_case, "--update", "name")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((folder / "collage.yaml").read_text())
    assert [(m["id"], m["photo"]) for m in data["messages"]] == [("1", "photos/Ann.jpg"), ("ann", "photos/ann.jpg")]
    assert "name" not in data["messages"][0]


def test_approval_consent_and_email_are_never_guessed_from_a_longer_title(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "I have approved the terms of use", "Review"],
                                      ["A", "alice.jpg", "Yes", "ok"]])
    result = _collage("import", folder, sheet)
    assert result.returncode == 0, result.stderr
    assert "'I have approved the terms of use'" in result.stdout and "'Review'" in result.stdout  # not imported
    assert yaml.safe_load((folder / "collage.yaml").read_text())["messages"][0]["approved"] is False


def test_import_prints_no_address_in_any_form(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
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
    folder = _folder(tmp_path)
    solid(folder / "photos" / "IMG_1 - Zed Quill.jpg", RED)
    sheet = _csv(tmp_path / "s.csv", [["Name", "Photo", "Consent"],
                                      ["Zed Quill", "IMG_1 - Zed Quill.jpg", "anonymous"]])
    assert _collage("import", folder, sheet).returncode == 0
    data = yaml.safe_load((folder / "collage.yaml").read_text())
    assert data["messages"][0]["id"] == "m2"
    renamed = _csv(tmp_path / "t.csv", [["Name", "Photo", "Consent"], ["Zed Q.", "IMG_1 - Zed Quill.jpg", "anonymous"]])
    again = _collage("import", folder, renamed)
    assert again.returncode == 0 and "Zed" not in again.stdout.replace("IMG_1 - Zed Quill.jpg", "")
    assert "m2.name: '(private)'" in again.stdout


def test_bad_files_are_input_errors_not_crashes(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
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
    result = _collage("import", folder, tmp_path / "stray.xlsx")
    assert result.returncode == 0, result.stderr
    assert [m["id"] for m in yaml.safe_load((folder / "collage.yaml").read_text())["messages"]] == ["alice"]


def test_crlf_bom_and_hand_layouts_survive(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
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
