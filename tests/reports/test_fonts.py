"""Finding, choosing, rejecting and checking the fonts the documents embed."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.fields import ValidationFailed
from models.database import Database
from models.sync import Setting
from reports import fonts as fonts_module
from reports.annex3 import write_annex3
from reports.fonts import CID_FALLBACK, ROLES, coverage_problems, find_fonts, fonts_for
from tests.reports.builders import add_class

#: 𠮷 (U+20BB7, a variant of 吉 found in names) is in none of the free fonts.
RARE = "\U00020bb7"


def embedded_font_files(path: Path) -> tuple[int, int]:
    """(fonts with an embedded TrueType program, fonts without any program) in a PDF."""
    with_program = without = 0
    for page in PdfReader(path).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor:
                with_program += 1
            elif not any(k in descriptor for k in ("/FontFile", "/FontFile3")):
                without += 1
    return with_program, without


def test_this_machine_has_truetype_faces_for_every_role() -> None:
    fonts = find_fonts()
    assert fonts.embedded
    assert fonts.warnings == ()
    for role in ROLES:
        face = fonts.face(role)
        assert face.path is not None and face.path.is_file()
        assert face.covers("申") and face.covers("，")
    assert "正文字体（仿宋）" in fonts.describe()


def test_without_fonts_the_builtin_cid_font_is_used_and_said(tmp_path: Path) -> None:
    fonts = find_fonts(dirs=[tmp_path])
    assert not fonts.embedded
    assert {fonts.face(role).name for role in ROLES} == {CID_FALLBACK}
    assert len(fonts.warnings) == 1
    assert "STSong-Light" in fonts.warnings[0]
    assert "未找到可嵌入的中文 TrueType 字体" in fonts.warnings[0]


def test_a_font_set_in_the_settings_wins(school: Database) -> None:
    other = find_fonts().face("heading")
    assert other.path is not None
    with school.session() as session:
        session.add(Setting(key="font.body", value=str(other.path)))
        session.commit()
        chosen = fonts_for(session)
    assert chosen.face("body").name == other.name
    assert chosen.warnings == ()


def test_a_collection_face_is_chosen_with_a_hash(tmp_path: Path) -> None:
    collection = next(
        f.path for f in find_fonts().fallbacks if f.path and f.path.suffix.lower() == ".ttc"
    )
    first = find_fonts({"title": str(collection)}).face("title")
    second = find_fonts({"title": f"{collection}#1"}).face("title")
    assert first.name != second.name
    assert first.path == second.path == collection


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "文件不存在"),
        (b"hello, not a font", "不是 TrueType 字体文件"),
        # The sfnt header of an OpenType font with CFF outlines, like Noto CJK's.
        (
            b"OTTO" + struct.pack(">HHHH", 1, 16, 0, 0) + b"CFF " + struct.pack(">III", 0, 28, 4),
            "PostScript（CFF）轮廓",
        ),
    ],
)
def test_an_unusable_font_setting_is_named_with_its_reason(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "chosen.ttf"
    if content is not None:
        path.write_bytes(content)
    fonts = find_fonts({"body": str(path)})
    assert fonts.embedded  # another face took the role
    assert len(fonts.warnings) == 1
    assert "正文字体（仿宋）" in fonts.warnings[0]
    assert reason in fonts.warnings[0]


def test_a_character_missing_from_every_font_is_named() -> None:
    fonts = find_fonts()
    problems = coverage_problems(fonts, [("学员名单第3行 姓名", f"王{RARE}", "body")])
    assert len(problems) == 1
    assert "学员名单第3行 姓名" in problems[0]
    assert "U+20BB7" in problems[0]
    assert fonts.uncovered(f"王{RARE}", "body") == RARE


def test_a_character_one_face_lacks_is_borrowed_from_another() -> None:
    fonts = find_fonts()
    body = fonts.face("body")
    borrowed = next(
        (
            chr(code)
            for other in fonts.fallbacks
            if other.glyphs is not None and other.name != body.name
            for code in other.glyphs
            if 0x4E00 <= code <= 0x9FFF and not body.covers(chr(code))
        ),
        None,
    )
    if borrowed is None:
        pytest.fail("the body face covers every ideograph the other faces have")
    runs = fonts.runs(f"王{borrowed}明", "body")
    assert [text for _font, text in runs] == ["王", borrowed, "明"]
    assert runs[0][0] == runs[2][0] == body.name
    assert runs[1][0] != body.name
    assert not fonts.uncovered(borrowed, "body")


def test_a_name_no_font_can_print_refuses_the_report(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, 3, names=["张三", f"王{RARE}"])
    out = tmp_path / "report.pdf"
    with pytest.raises(ValidationFailed) as refused:
        write_annex3(school, class_id, out)
    assert "学员名单第2行 姓名" in str(refused.value)
    assert "U+20BB7" in str(refused.value)
    assert not out.exists()


def test_fonts_are_embedded_as_truetype_subsets(school: Database, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    write_annex3(school, add_class(school, 5), out)
    with_program, without = embedded_font_files(out)
    assert with_program >= 2
    assert without == 0


def test_the_cid_fallback_still_writes_a_report_and_warns(
    school: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts_module, "default_font_dirs", lambda: (tmp_path,))
    out = tmp_path / "report.pdf"
    written = write_annex3(school, add_class(school, 5), out)
    assert any("STSong-Light" in w for w in written.warnings)
    with_program, _without = embedded_font_files(out)
    assert with_program == 0
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(out).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"/STSong-Light"}
