"""Chinese line breaking: the 禁则 rules, unbreakable runs, balanced titles."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from reportlab.platypus.paragraph import ALL_CANNOT_START

from reports.linebreak import NO_LINE_END, NO_LINE_START, balanced_lines, break_lines, tokenize

EM = 16.0


def width(text: str) -> float:
    """Full-width characters one em, Latin letters and digits half an em."""
    return sum(EM / 2 if ch.isascii() else EM for ch in text)


def test_reportlab_alone_would_start_lines_with_chinese_commas() -> None:
    # Why reports.linebreak exists: reportlab's CJK wrap only knows the Japanese list.
    assert "，" not in ALL_CANNOT_START
    assert "，" in NO_LINE_START
    assert "”" in NO_LINE_START
    assert "《" in NO_LINE_END


def test_a_comma_takes_the_character_before_it_to_the_next_line() -> None:
    text = "一二三四五，六七八"
    lines = break_lines(text, width, 5 * EM)
    assert [line.text for line in lines] == ["一二三四", "五，六七八"]
    assert [line.last for line in lines] == [False, True]


def test_an_opening_bracket_never_ends_a_line() -> None:
    lines = break_lines("一二三四《五六》七", width, 5 * EM)
    assert lines[0].text == "一二三四"
    assert lines[1].text.startswith("《")


def test_numbers_and_codes_are_not_split() -> None:
    text = "联系电话0351-3046505，代码12140000676444728G。"
    lines = break_lines(text, width, 10 * EM)
    joined = [line.text for line in lines]
    assert any("0351-3046505" in line for line in joined)
    assert any("12140000676444728G" in line for line in joined)
    assert "".join(joined) == text


def test_a_run_wider_than_the_line_is_cut_only_then() -> None:
    lines = break_lines("1" * 40, width, 10 * EM)
    assert [len(line.text) for line in lines] == [20, 20]


def test_first_line_can_be_narrower_and_newlines_end_paragraphs() -> None:
    lines = break_lines("一二三四五六\n七八", width, 4 * EM, first=2 * EM)
    assert [line.text for line in lines] == ["一二", "三四五六", "七八"]
    assert [line.last for line in lines] == [False, True, True]


def test_tokens_keep_dashes_and_ellipses_whole() -> None:
    assert tokenize("好——是……2021年1+X") == ["好", "——", "是", "……", "2021", "年", "1+X"]


def test_balanced_title_has_lines_of_similar_length() -> None:
    title = "关于举办对接信息技术应用创新产业培训班的申请报告"
    greedy = break_lines(title, width, 20 * EM)
    balanced = balanced_lines(title, width, 20 * EM)
    assert len(balanced) == len(greedy) == 2
    assert abs(len(balanced[0].text) - len(balanced[1].text)) <= 1
    assert "".join(line.text for line in balanced) == title


_CHARS = st.sampled_from(list("人人持证技能社会建设推进会精神和要求我校对接产业集群培训2021X"))
_MARKS = st.sampled_from(sorted(NO_LINE_START | NO_LINE_END))


def _illegal_break(before: str, after: str) -> bool:
    return after[0] in NO_LINE_START or before[-1] in NO_LINE_END


@given(
    st.lists(st.one_of(_CHARS, _CHARS, _CHARS, _MARKS), min_size=1, max_size=200),
    st.integers(min_value=3, max_value=28),
)
def test_a_line_breaks_the_rules_only_where_it_has_no_legal_break(
    chars: list[str], per_line: int
) -> None:
    text = "".join(chars)
    lines = break_lines(text, width, per_line * EM)
    assert "".join(line.text for line in lines) == text
    tokens = [tokenize(line.text) for line in lines]
    for index in range(1, len(lines)):
        previous = tokens[index - 1]
        assert width(lines[index - 1].text) <= per_line * EM or len(previous) == 1
        if _illegal_break(previous[-1], tokens[index][0]):
            # Moving the break back within the line would not have helped either.
            assert all(
                _illegal_break(previous[k - 1], previous[k]) for k in range(1, len(previous))
            )
