"""The Annex 3 application report, read back with pypdf and poppler's pdftotext."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.fields import ValidationFailed
from models.database import Database
from models.sync import Setting
from models.training import TrainingClass
from reports.annex3 import class_designation, write_annex3
from tests.reports.builders import PLAN, add_class, person
from tests.reports.pdftools import MM, pdftotext, squeeze, words

REPORT_DAY = date(2026, 2, 20)

#: The seed's Annex 3 sentence, copied from the source document with its blanks as printed
#: (a space where the clerk writes): the report must read exactly so, blanks filled.
SEED_BODY = (
    "为贯彻落实全省“人人持证、技能社会”建设推进会精神和《山西省新发展阶段“人人持证、技能社会”"
    "建设提质增效工作方案》要求，我校对接 产业集群培训需求，拟于 月 日至 月 日在 开设 培训班，"
    "培训人数 参培人员身份为 等一线操作工 ，培训共计 课时。望予以批准。"
)
SEED_TITLE = ("XX 学校", "关于举办对接 XX 产业培训班的申请报告")
SEED_ATTACHMENTS = ("附件：1. 学员名单（姓名、性别、身份证号、手机号）", "2. 教学计划")
CLOSING_MARKS = "，。、；：！？）》」』】”’"


def seed_pattern(template: str) -> re.Pattern[str]:
    """The template with each blank (and the spaces around it) as a capture group."""
    pieces = [re.escape(p) for p in re.split(r"\s+", template.strip())]
    return re.compile("(.*?)".join(pieces) + r"\Z", re.DOTALL)


@pytest.fixture
def report(school: Database, tmp_path: Path) -> Path:
    out = tmp_path / "申请报告.pdf"
    written = write_annex3(school, add_class(school, 30), out, REPORT_DAY)
    assert written.pages == 4
    assert written.rows == 30
    assert written.warnings == ()
    return out


def first_page_body(report: Path) -> str:
    text = squeeze(pdftotext(report)[0])
    start = text.index("为贯彻落实")
    return text[start : text.index("望予以批准。") + len("望予以批准。")]


def test_the_body_is_the_seed_sentence_with_its_blanks_filled(report: Path) -> None:
    match = seed_pattern(SEED_BODY).match(first_page_body(report))
    assert match is not None
    assert match.groups() == (
        "信息技术应用创新",
        "3",
        "2",
        "6",
        "1",
        "山西机械高级技工学校实训楼",
        "信息通信网络运行管理员定向",
        "30人，",
        "企业职工",
        "",
        "320",
    )


def test_title_addressee_attachments_and_signature(report: Path) -> None:
    lines = [line.strip() for line in pdftotext(report)[0].splitlines() if line.strip()]
    assert lines[0] == SEED_TITLE[0].replace("XX 学校", "山西机械高级技工学校")
    subject = re.sub(r"\s+", "", SEED_TITLE[1]).replace("XX", "信息技术应用创新")
    # Too long for one line at 22 pt: turned after 产业 so both lines read as phrases.
    assert lines[1:3] == ["关于举办对接信息技术应用创新产业", "培训班的申请报告"]
    assert "".join(lines[1:3]) == subject
    assert lines[3] == "山西省教育厅、省人社厅："
    text = squeeze(pdftotext(report)[0])
    assert squeeze(SEED_ATTACHMENTS[0] + SEED_ATTACHMENTS[1]) in text
    assert text.endswith("山西机械高级技工学校2026年2月20日—1—")


def test_the_signature_leaves_room_for_the_seal(report: Path) -> None:
    page = words(report)[0]
    note = next(w for w in page if w.text == "教学计划")
    name = next(w for w in page if w.text == "山西机械高级技工学校" and w.y0 > note.y1)
    day = next(w for w in page if w.text == "2026年2月20日")
    # Three empty lines of the grid (about 31 mm) above the signature; a seal is 42 mm.
    assert name.y0 - note.y1 == pytest.approx(3 * 225 * MM / 22 + (225 * MM / 22 - 16), abs=1)
    assert day.x1 == pytest.approx((28 + 156) * MM - 4 * 16, abs=1)
    assert (name.x0 + name.x1) / 2 == pytest.approx((day.x0 + day.x1) / 2, abs=1)


def test_pages_are_a4_and_the_metadata_has_no_personal_data(report: Path) -> None:
    reader = PdfReader(report)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(210 * MM, abs=0.1)
        assert float(page.mediabox.height) == pytest.approx(297 * MM, abs=0.1)
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    assert "山西机械高级技工学校" in metadata
    assert "申请报告" in metadata
    for serial in range(30):
        name, number, phone = person(serial)
        assert number not in metadata
        assert phone not in metadata
        assert name not in metadata


def test_type_area_margins_and_page_numbers_follow_gbt_9704(report: Path) -> None:
    pages = words(report)
    left, right = 28 * MM, (28 + 156) * MM
    top, bottom = 37 * MM, (37 + 225) * MM
    for number, page in enumerate(pages, start=1):
        body = [w for w in page if w.y1 <= bottom + 1]
        folio = [w for w in page if w.y0 > bottom + 1]
        assert min(w.x0 for w in body) >= left - 0.5
        assert max(w.x1 for w in body) <= right + 0.5
        assert min(w.y0 for w in body) >= top - 0.5
        # "— N —", 7 mm under the type area, at the outer edge one character in.
        assert "".join(w.text for w in folio) == f"—{number}—"
        # The dash sits at about the middle of the number's em box.
        assert (folio[0].y0 + folio[0].y1) / 2 == pytest.approx(bottom + 7 * MM, abs=1.5 * MM)
        if number % 2:
            assert max(w.x1 for w in folio) == pytest.approx(right - 14, abs=1)
        else:
            assert min(w.x0 for w in folio) == pytest.approx(left + 14, abs=1)


def test_body_is_set_on_a_grid_of_28_characters_and_22_lines(report: Path) -> None:
    page = words(report)[0]
    body = [w for w in page if w.text.startswith(("为贯彻", "《山西省", "方案》"))]
    assert len(body) == 3
    # A full line reaches the right edge of the type area; the first is indented two characters.
    assert body[1].x1 - body[1].x0 == pytest.approx(156 * MM, abs=0.5)
    pitch = 156 * MM / 28
    assert body[0].x0 - body[1].x0 == pytest.approx(2 * pitch, abs=0.5)
    assert len(body[1].text) == 28
    assert body[1].y0 - body[0].y0 == pytest.approx(225 * MM / 22, abs=0.1)
    assert body[2].y0 - body[1].y0 == pytest.approx(225 * MM / 22, abs=0.1)
    heights = {round(w.y1 - w.y0) for w in body}
    assert heights == {16}


def test_no_line_starts_with_closing_punctuation(report: Path) -> None:
    for page in pdftotext(report):
        for line in page.splitlines():
            stripped = line.strip()
            assert not stripped or stripped[0] not in CLOSING_MARKS, line


def test_attachments_begin_on_new_pages_with_their_labels(report: Path) -> None:
    pages = pdftotext(report)
    roster, plan = pages[1], pages[3]
    assert roster.lstrip().startswith("附件1")
    assert squeeze(roster).startswith("附件1学员名单序号姓名性别身份证号手机号")
    assert pages[2].lstrip().startswith("序号")
    assert plan.lstrip().startswith("附件2")
    assert squeeze(plan).startswith("附件2教学计划")
    header = squeeze(plan)[len("附件2教学计划") : squeeze(plan).index("国产")]
    # 理论课时, 实践课时 and 授课教师 are set on two lines in their narrow columns.
    assert sorted(header) == sorted("序号教学模块主要内容理论课时实践课时小计授课教师")
    label = next(w for w in words(report)[1] if w.text == "附件1")
    assert label.x0 == pytest.approx(28 * MM, abs=0.5)
    assert label.y1 - label.y0 == pytest.approx(16, abs=0.5)


def test_the_roster_lists_everyone_with_full_numbers(report: Path) -> None:
    text = "\n".join(pdftotext(report)[1:3])
    for serial in range(30):
        name, number, phone = person(serial)
        row = re.search(rf"^\s*{serial + 1}\s+{name}\s+男\s+{number}\s+{phone}\s*$", text, re.M)
        assert row is not None, (serial, name)


def test_the_plan_lists_modules_hours_and_the_total(report: Path) -> None:
    plan = pdftotext(report)[3]
    flat = squeeze(plan)
    for module, _content, theory, practice, teacher in PLAN:
        assert module in flat
        assert teacher in flat
        assert f"{theory}{practice}{theory + practice}" in flat
    assert re.search(r"合计\s+104\s+216\s+320", plan)


def test_a_thousand_trainees_have_the_header_on_every_roster_page(
    school: Database, tmp_path: Path
) -> None:
    out = tmp_path / "big.pdf"
    written = write_annex3(school, add_class(school, 1000), out, REPORT_DAY)
    pages = pdftotext(out)
    assert written.pages == len(pages)
    roster_pages = pages[1:-1]
    assert len(roster_pages) >= 30
    for page in roster_pages:
        assert re.search(r"序号\s+姓名\s+性别\s+身份证号\s+手机号", page)
    text = "\n".join(roster_pages)
    numbers = [int(m) for m in re.findall(r"^\s*(\d+)\s+\S+\s+男\s", text, re.M)]
    assert numbers == list(range(1, 1001))
    assert all(person(s)[1] in text for s in range(1000))
    assert pages[-1].lstrip().startswith("附件2")


def test_user_text_is_printed_as_text_not_markup(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, 2, name="<b>数控&amp;车工</b>", location="实训楼<br/>A区")
    out = tmp_path / "report.pdf"
    write_annex3(school, class_id, out, REPORT_DAY)
    text = squeeze(pdftotext(out)[0])
    assert "开设<b>数控&amp;车工</b>培训班" in text
    assert "在实训楼<br/>A区开设" in text


def test_a_class_across_new_year_writes_both_years(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, 2, start=date(2026, 11, 2), end=date(2027, 2, 26))
    out = tmp_path / "report.pdf"
    write_annex3(school, class_id, out, date(2026, 10, 8))
    text = first_page_body(out)
    assert "拟于2026年11月2日至2027年2月26日在" in text
    assert squeeze(pdftotext(out)[0]).endswith("2026年10月8日—1—")


def test_class_names_ending_in_ban_are_not_doubled() -> None:
    assert class_designation("数控车工") == "数控车工培训班"
    assert class_designation("数控车工培训班") == "数控车工培训班"
    assert class_designation("数控车工提升班") == "数控车工提升班"


def test_the_key_fingerprint_is_printed_small_on_the_last_page(
    school: Database, tmp_path: Path
) -> None:
    class_id = add_class(school, 2)
    plain = tmp_path / "plain.pdf"
    write_annex3(school, class_id, plain, REPORT_DAY)
    assert "指纹" not in "".join(pdftotext(plain))
    with school.session() as session:
        session.add(Setting(key="keys.signing_fingerprint", value="SHA256:3f9a 41c2 77d0 e8b5"))
        session.commit()
    signed = tmp_path / "signed.pdf"
    write_annex3(school, class_id, signed, REPORT_DAY)
    pages = pdftotext(signed)
    assert "指纹" not in "".join(pages[:-1])
    assert "本单位数据签名密钥指纹：SHA256:3f9a 41c2 77d0 e8b5" in pages[-1]
    note = next(w for w in words(signed)[-1] if w.text.startswith("本单位"))
    assert note.y1 - note.y0 == pytest.approx(9, abs=0.5)


def _expect_refusal(database: Database, class_id: int, out: Path, *fragments: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        write_annex3(database, class_id, out, REPORT_DAY)
    for fragment in fragments:
        assert fragment in str(refused.value)


def test_refusals_name_every_reason_and_write_nothing(school: Database, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "report.pdf"
    out.write_bytes(b"an earlier report")
    _expect_refusal(school, 999, out, "编号为 999 的培训班不存在")
    _expect_refusal(school, add_class(school, 0), out, "学员名单", "没有学员")
    _expect_refusal(
        school, add_class(school, 3, total_hours=300, first_serial=100), out, "教学计划合计"
    )
    _expect_refusal(
        school,
        add_class(school, 3, planned_headcount=40, first_serial=200),
        out,
        "登记为40人，学员名单有3人",
    )
    _expect_refusal(school, add_class(school, 3, plan=(), first_serial=300), out, "教学计划")
    _expect_refusal(school, add_class(school, 3, location=" ", first_serial=400), out, "培训地点")
    assert out.read_bytes() == b"an earlier report"
    assert [p.name for p in folder.iterdir()] == ["report.pdf"]


def test_a_check_failing_in_the_class_itself_is_reported(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, 3)
    with school.session() as session:
        training_class = session.get(TrainingClass, class_id)
        assert training_class is not None
        training_class.end_date = date(2026, 12, 31)  # ten months: more than six
        session.commit()
    _expect_refusal(school, class_id, tmp_path / "r.pdf", "结业日期", "3—6个月")


class _CancelAfter:
    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.reports: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int, _text: str) -> None:
        if len(self.reports) >= self.pages:
            raise KeyboardInterrupt
        self.reports.append((done, total))


def test_cancelling_half_way_leaves_no_file(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, 200)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "report.pdf"
    progress = _CancelAfter(3)
    with pytest.raises(KeyboardInterrupt):
        write_annex3(school, class_id, out, REPORT_DAY, progress)
    assert [done for done, _total in progress.reports] == [1, 2, 3]
    assert progress.reports[0][1] > 3
    assert list(folder.iterdir()) == []
