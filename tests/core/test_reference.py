"""Reference data must match the printed plan 晋教职成〔2021〕8号 and GB/T 2260."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest

from core import reference as ref

# Row counts and printed 序号 gaps of Annex 1, read off the seed by hand.
SECTION_ROWS = {"普通本科高校": 34, "高等职业院校": 50, "市教育局": 11, "省属中等职业学校": 24}
SECTION_TOTALS = {
    "普通本科高校": 30_071,
    "高等职业院校": 77_600,
    "市教育局": 73_500,
    "省属中等职业学校": 27_320,
}
PRINTED_GAPS = {"高等职业院校": {"26", "34"}, "省属中等职业学校": {"5", "24", "26", "27"}}


def test_level_totals_match_the_plan():
    assert ref.annex1_totals() == {"高级工": 107_671, "中级工": 100_820}


def test_section_totals_match_the_plan():
    assert ref.annex1_totals(by="section") == SECTION_TOTALS


def test_row_counts_per_section():
    assert Counter(t.section for t in ref.annex1_targets()) == SECTION_ROWS


@pytest.mark.parametrize("section", SECTION_ROWS)
def test_printed_numbers_are_kept_with_their_gaps(section):
    numbers = [int(t.number) for t in ref.annex1_targets() if t.section == section]
    assert numbers == sorted(numbers)
    missing = {str(n) for n in range(1, max(numbers) + 1)} - {str(n) for n in numbers}
    assert missing == PRINTED_GAPS.get(section, set())


def test_rows_are_well_formed():
    category_names = {c.name for c in ref.institution_categories()} | {"市教育局"}
    for t in ref.annex1_targets():
        assert t.level in ref.ANNEX1_LEVELS
        assert t.target > 0
        assert t.category in category_names
        assert "（" not in t.unit and "）" not in t.unit
        if t.category == "市教育局":
            city = ref.division(t.division or "")
            assert city is not None and city.level == "city"
            assert t.unit == city.name + "教育局"
        else:
            assert t.division is None


def test_known_rows():
    rows = {(t.section, t.number): t for t in ref.annex1_targets()}
    assert rows["普通本科高校", "27"].unit == "山西工程科技职业大学(原山西大学商务学院)"
    assert rows["高等职业院校", "52"].category == "技工院校"
    assert rows["高等职业院校", "52"].target == 5600
    assert rows["省属中等职业学校", "28"].category == "技工院校"
    assert rows["省属中等职业学校", "28"].target == 17_000
    assert rows["市教育局", "1"].division == "140100"


def test_fourteen_industries_and_ten_distinct_clusters():
    groups = Counter(i.group for i in ref.industries())
    assert groups == {"战略性新兴产业": 14, "农产品精深加工产业集群": 10}
    assert len({i.code for i in ref.industries()}) == 24
    names = [i.full_name for i in ref.industries()]
    assert len(set(names)) == 24
    assert "信息技术应用创新产业" in names and "节能环保产业" in names
    assert names.count("化妆品产业集群") == 1


def test_find_industry_accepts_code_short_and_full_name():
    it = ref.find_industry("大数据")
    assert it is not None and it.full_name == "大数据产业"
    assert ref.find_industry(" 大数据产业 ") == it
    assert ref.find_industry(it.code) == it
    assert ref.find_industry("房地产") is None


def test_skill_level_ranks_strictly_increase():
    ranks = [lv.rank for lv in ref.skill_levels()]
    assert all(a < b for a, b in itertools.pairwise(ranks))
    assert [lv.name for lv in ref.skill_levels()][:3] == ["学徒工", "五级/初级工", "四级/中级工"]
    assert ref.skill_levels()[-1].name == "首席技师"


def test_satisfies_follows_rank():
    rank_of = {level: ref.skill_level(level).rank for level in ref.ANNEX1_LEVELS}
    for lv in ref.skill_levels():
        expected = {t for t, r in rank_of.items() if lv.rank >= r}
        assert set(lv.satisfies) == expected


@pytest.mark.parametrize(
    ("level", "target", "expected"),
    [
        ("学徒工", "中级工", False),
        ("五级/初级工", "中级工", False),
        ("初级工", "中级工", False),
        ("四级/中级工", "中级工", True),
        ("四级", "高级工", False),
        ("中级工", "高级工", False),
        ("三级/高级工", "高级工", True),
        ("高级工", "中级工", True),
        ("技师", "高级工", True),
        ("一级/高级技师", "中级工", True),
        ("首席技师", "高级工", True),
        ("不存在", "中级工", False),
    ],
)
def test_level_satisfies(level, target, expected):
    assert ref.level_satisfies(level, target) is expected


def test_level_satisfies_rejects_unknown_target():
    with pytest.raises(ValueError, match="任务等级"):
        ref.level_satisfies("三级/高级工", "技师")


def test_certificate_types_and_counting():
    names = [c.name for c in ref.certificate_types()]
    assert names == [
        "专项职业能力证书",
        "职业资格证书",
        "职业技能等级证书（含1+X）",
        "特种作业操作证",
        "特种设备作业人员证",
    ]
    assert ref.certificate_type("职业资格证书").counts_as == "高级工"
    assert ref.counts_toward("职业资格证书", None, "高级工")
    assert ref.counts_toward("职业技能等级证书（含1+X）", "四级/中级工", "中级工")
    assert not ref.counts_toward("职业技能等级证书（含1+X）", "四级/中级工", "高级工")
    assert not ref.counts_toward("职业技能等级证书（含1+X）", None, "中级工")
    assert not ref.counts_toward("特种作业操作证", "三级/高级工", "中级工")
    assert not ref.counts_toward("驾驶证", "三级/高级工", "中级工")


def test_coded_lists():
    assert [i.name for i in ref.trainee_identities()] == [
        "在校学生",
        "应届毕业生",
        "企业职工",
        "新招录员工",
        "社会人员",
        "其他",
    ]
    assert [c.name for c in ref.institution_categories()] == [
        "本科院校",
        "高职院校",
        "中职学校",
        "技工院校",
        "县级职教中心",
        "其他",
    ]
    assert {r.code: r.name for r in ref.roles()} == {
        "school": "学校",
        "city": "市教育局",
        "province": "省教育厅",
    }
    for items in (ref.trainee_identities(), ref.institution_categories(), ref.roles()):
        assert len({i.code for i in items}) == len(items)


def test_division_codes_are_unique_and_well_formed():
    codes = [d.code for d in ref.divisions()]
    assert len(codes) == len(set(codes))
    for d in ref.divisions():
        assert re.fullmatch(r"14\d{4}", d.code)
        assert d.level in {"province", "city", "county"}
        assert d.valid_from is None or d.valid_to is None or d.valid_from < d.valid_to


def test_every_parent_exists_and_is_one_level_up():
    up = {"city": "province", "county": "city"}
    for d in ref.divisions():
        if d.level == "province":
            assert d.parent is None
            continue
        parent = ref.division(d.parent or "")
        assert parent is not None, d
        assert parent.level == up[d.level]
        assert d.code[:2] == parent.code[:2]


def test_eleven_current_cities_each_with_counties():
    cities = ref.cities()
    assert len(cities) == 11
    assert [c.code for c in cities] == [f"14{n:02d}00" for n in range(1, 12)]
    for city in cities:
        assert ref.counties(city.code), city
        assert all(c.code[:4] == city.code[:4] for c in ref.counties(city.code))
    assert sum(len(ref.counties(c.code)) for c in cities) == 117


def test_current_counties_of_taiyuan():
    assert [c.name for c in ref.counties("140100")] == [
        "小店区",
        "迎泽区",
        "杏花岭区",
        "尖草坪区",
        "万柏林区",
        "晋源区",
        "清徐县",
        "阳曲县",
        "娄烦县",
        "古交市",
    ]


def test_abolished_codes_are_kept_but_not_current():
    old = ref.division("140421")
    assert old is not None and old.name == "长治县" and not old.current
    assert "长治县" in {c.name for c in ref.counties("140400", include_abolished=True)}
    assert "长治县" not in {c.name for c in ref.counties("140400")}
    assert "晋中地区" in {c.name for c in ref.cities(include_abolished=True)}


def test_division_path():
    assert ref.division_path("140105") == "山西省太原市小店区"
    assert ref.division_path("140100") == "山西省太原市"
    assert ref.division_path("140000") == "山西省"
    assert ref.division_path("140404") == "山西省长治市上党区"
    assert ref.division_path("142400") == "山西省晋中地区"
    with pytest.raises(KeyError):
        ref.division_path("999999")


def test_resolve_division_falls_back_to_city_then_province():
    assert ref.resolve_division("140105").name == "小店区"
    assert ref.resolve_division("142431").name == "晋中地区"
    assert ref.resolve_division("149999").name == "山西省"
    assert ref.resolve_division("110101") is None


def test_id_prefixes():
    prefixes = [p.prefix for p in ref.id_provinces()]
    assert len(prefixes) == len(set(prefixes)) == 35
    assert ref.province_name("14") == "山西省"
    assert ref.province_name("83") == "台湾居民居住证"
    assert ref.province_name("81") == "香港特别行政区"
    assert ref.province_name("20") is None
    assert ref.foreign_permanent_resident().prefix == "9"


def test_values_are_immutable_and_cached():
    assert ref.annex1_targets() is ref.annex1_targets()
    with pytest.raises(AttributeError):
        ref.annex1_targets()[0].target = 0  # type: ignore[misc]


def test_reference_dir_honours_pyinstaller_bundle(monkeypatch, tmp_path: Path):
    assert (ref.reference_dir() / "annex1_targets.csv").is_file()
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)
    assert ref.reference_dir() == tmp_path / "resources" / "reference"
