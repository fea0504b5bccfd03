"""Who reports which rows: the annex's responsibility columns resolved against
the units list (names, aliases, abbreviations, kind phrases), the core-indicator
rule, the rows override, and the dry-run listing."""

from __future__ import annotations


import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.assign import (
    AREA_KINDS,
    MEMBER_KINDS,
    PHRASES,
    Assignment,
    _Resolver,
    assign_rows,
    format_assignment,
    normalize_name,
    split_fragments,
)
from toolkit.errors import UnitsError
from toolkit.plan.model import Column, Plan, Row, Table
from toolkit.units import Unit, load_units

from .conftest import ROOT

UNITS_CSV = ROOT / "examples" / "dingshan-units.csv"
ALL_UNITS = "镇各板块、中心、大队、辖区各单位，各村、社区"


def unit(code, name, kind, *aliases, rows=()):
    return Unit(code=code, name=name, kind=kind, parent="丁山镇", contact=None, aliases=tuple(aliases), rows=tuple(rows))


UNITS = [
    unit("O1", "镇平安法治办公室", "办公室"),
    unit("O2", "镇经济发展办公室", "办公室"),
    unit("O3", "镇应急管理办公室", "办公室", "应急办"),
    unit("C1", "镇产业发展服务中心", "中心"),
    unit("D1", "综合执法大队", "大队"),
    unit("U1", "镇派出所", "派出所"),
    unit("U2", "丁山学校", "学校"),
    unit("U3", "丁山卫生院", "卫生院"),
    unit("V1", "青坪村", "村"),
    unit("V2", "长田村", "村"),
    unit("S1", "丁山社区", "社区"),
]
CODES = [u.code for u in UNITS]


def _table(table_id, title, kind, columns, rows):
    cols = []
    for title_, role in columns:  # keys are unique, titles may repeat (重点任务 | 重点任务)
        key = title_ if all(c.key != title_ for c in cols) else f"{title_}_{len(cols) + 1}"
        cols.append(Column(key=key, title=title_, role=role))
    return Table(id=table_id, title=title, kind=kind, columns=cols, rows=[
        Row(id=f"{table_id}-{n}", label=str(n), cells=dict(zip([c.key for c in cols], cells)))
        for n, cells in enumerate(rows, start=1)
    ])


def make_plan() -> Plan:
    core = _table("core", "核心绩效指标", "indicators",
                  [("序号", "seq"), ("名称", "name"), ("2026年目标", "target"), ("责任单位", "responsible")], [
                      ("1", "较大生产安全事故起数", "0", ALL_UNITS),
                      ("2", "森林火灾受害率", "3‰以内", "镇平安法治办公室"),
                  ])
    rect = _table("rect", "重点整治", "rectification",
                  [("序号", "seq"), ("名称", "name"), ("2026年目标（内容）", "target"), ("责任领导", "leader"),
                   ("责任办公室", "office"), ("配合单位", "partners")], [
                      ("1", "危险化学品领域", "使用率达100%", "邹席贵", "镇平安法治办公室", "经济发展办公室"),
                      ("2", "新能源汽车充电基础设施领域", "…", "阮小波", "镇经济发展办公室", "综合执法大队、辖区各单位、社区"),
                      ("3", "农业农村领域", "…", "林先才", "镇产业发展服务中心", "各村（社区）"),
                      ("4", "教育领域", "…", "代汝永", "镇平安法治办公室", "丁山学校"),
                      ("5", "卫生健康与养老领域", "…", "代汝永", "镇民生服务办公室", ""),
                      ("6", "应急救援领域", "…", "邹席贵", "", ""),
                  ])
    tasks = _table("task", "沙坪坝区凤凰镇安全生产治本攻坚三年行动重点任务清单", "tasks",
                   [("行动名称", "action"), ("重点任务", "task"), ("重点任务", "subtask"), ("完成时间", "deadline"),
                    ("责任科室", "office")], [
                       ("一、源头管控", "1.强化管控。", "建立安全风险评估会商机制", "2024年", "经发办"),
                       ("一、源头管控", "1.强化管控。", "配合落实危险化学品禁限控目录", "2024年", "经发办、应急办"),
                       ("二、隐患清零", "2.自查自改。", "全面开展重大事故隐患大排查", "2024年6月底前", "镇安委会有关成员单位"),
                       ("四、能力提升", "7.技能培训。", "开展特种作业人员持证上岗专项整治", "2024年", "市场监管所、应急办"),
                       ("五、监管效能", "8.领导干部培训。", "组织镇党政领导参加培训", "每年", "党建办"),
                       ("五、监管效能", "13.基层应急能力。", "配备完善应急救援装备", "2024年", "应急办和财政办"),
                   ])
    return Plan(id="test-plan", title="测试计划", issuer=None, doc_number=None, years=[2026], tables=[core, rect, tasks])


@pytest.fixture(scope="module")
def plan():
    return make_plan()


@pytest.fixture(scope="module")
def assignment(plan):
    return assign_rows(plan, UNITS)


# ---------------------------------------------------------------- the default assignment

EXPECTED_UNITS_BY_ROW = {
    "core-1": CODES,  # the all-units text covers every kind in the list
    "core-2": ["O1"],
    "rect-1": ["O1", "O2"],
    "rect-2": ["O2", "D1", "U1", "U2", "U3", "S1"],
    "rect-3": ["C1", "V1", "V2", "S1"],
    "rect-4": ["O1", "U2"],
    "rect-5": [],  # 镇民生服务办公室 is not in the list
    "rect-6": [],  # only a leader: a person, not a unit
    "task-1": ["O2"],  # 经发办 -> 经济发展办公室 (abbreviation)
    "task-2": ["O2", "O3"],  # 应急办 is O3's alias
    "task-3": [],  # 有关成员单位: which members the plan does not say; listed for review, not routed
    "task-4": ["O3"],
    "task-5": [],
    "task-6": ["O3"],  # "应急办和财政办" split at 和
}


def test_units_by_row(assignment):
    assert assignment.units_by_row == EXPECTED_UNITS_BY_ROW


def test_rows_by_unit_in_plan_order(assignment):
    expected = {code: [rid for rid, codes in EXPECTED_UNITS_BY_ROW.items() if code in codes] for code in CODES}
    assert assignment.rows_by_unit == expected
    assert list(assignment.rows_by_unit) == CODES
    assert assignment.rows_for("U2") == ["core-1", "rect-2", "rect-4"]
    assert assignment.rows_for("nobody") == []


def test_unmatched_and_approximate(assignment):
    assert assignment.unmatched == {
        "rect-5": ["镇民生服务办公室"],
        "task-4": ["市场监管所"],
        "task-5": ["党建办"],
        "task-6": ["财政办"],
    }
    assert assignment.approximate == {"task-3": ["镇安委会有关成员单位"]}
    assert assignment.everyone == ["core-1"]


def test_core_row_is_not_for_everyone_when_a_kind_is_missing(plan):
    units = [*UNITS, unit("E1", "丁山供水站企业", "水厂")]  # a kind the text does not cover
    result = assign_rows(plan, units)
    assert result.units_by_row["core-1"] == CODES
    assert result.everyone == []


def test_core_row_goes_to_units_without_a_kind(plan):
    units = [unit("V1", "青坪村", "村"), unit("X1", "测试单位", None)]
    result = assign_rows(plan, units)
    assert result.units_by_row["core-1"] == ["V1", "X1"]
    assert result.rows_for("X1") == ["core-1"]


def test_rows_override(plan):
    units = [unit("O1", "镇平安法治办公室", "办公室", rows=["core", "rect-2", "TASK-6"]), *UNITS[1:]]
    result = assign_rows(plan, units)
    assert result.rows_for("O1") == ["core-1", "core-2", "rect-2", "task-6"]
    assert result.units_by_row["rect-1"] == ["O2"]
    assert result.units_by_row["rect-2"] == ["O1", "O2", "D1", "U1", "U2", "U3", "S1"]
    assert result.overridden == ["O1"]
    # the rest follows the annex as before
    assert {c: result.rows_for(c) for c in CODES[1:]} == {c: assign_rows(plan, UNITS).rows_for(c) for c in CODES[1:]}


def test_unknown_ids_in_the_override_are_an_error(plan):
    units = [unit("O1", "镇平安法治办公室", "办公室", rows=["core", "rect-20", "cores"]), *UNITS[1:]]
    with pytest.raises(UnitsError) as caught:
        assign_rows(plan, units)
    text = str(caught.value)
    assert "O1 镇平安法治办公室: 'rect-20'" in text and "'cores'" in text
    assert "core（核心绩效指标）" in caught.value.hint


# ---------------------------------------------------------------- fragments and phrases


@pytest.mark.parametrize("text, fragments", [
    (ALL_UNITS, ["镇各板块", "中心", "大队", "辖区各单位", "各村", "社区"]),
    ("县住房城乡建设委（县城市管理局）、县规划自然资源局", ["县住房城乡建设委（县城市管理局）", "县规划自然资源局"]),
    ("县经济信息委,县公安局,各乡镇人民政府(街道办事处)", ["县经济信息委", "县公安局", "各乡镇人民政府(街道办事处)"]),
    ("经发办；应急办;\n 财政办 ", ["经发办", "应急办", "财政办"]),
    ("各村（社区）", ["各村（社区）"]),
    ("", []),
])
def test_split_fragments(text, fragments):
    assert split_fragments(text) == fragments


@pytest.mark.parametrize("text, name", [
    ("镇经济发展办公室", "经济发展办公室"),
    ("县 应急管理局", "应急管理局"),
    ("区应急管理局", "应急管理局"),
    ("县住房城乡建设委（县城市管理局）", "住房城乡建设委(县城市管理局)"),
    ("镇江", "镇江"),  # a name, not a level
])
def test_normalize_name(text, name):
    assert normalize_name(text) == name


KIND_UNITS = [
    unit("O1", "党政办公室", "办公室"), unit("C1", "产业发展服务中心", "中心"), unit("D1", "综合执法大队", "大队"),
    unit("P1", "县应急管理局", "部门"), unit("U1", "丁山学校", "学校"), unit("U2", "某某建材公司", "企业"),
    unit("U3", "丁山卫生院", "卫生院"), unit("V1", "青坪村", "村"), unit("S1", "丁山社区", "社区"),
    unit("T1", "丁山镇人民政府", "乡镇"), unit("T2", "桂阳街道办事处", "街道"),
]


@pytest.mark.parametrize("fragment, codes, approximate", [
    ("各村", ["V1"], False),
    ("社区", ["S1"], False),
    ("各社区", ["S1"], False),
    ("各村（社区）", ["V1", "S1"], False),
    ("村社区", ["V1", "S1"], False),
    ("各村社区", ["V1", "S1"], False),
    ("各办公室", ["O1"], False),
    ("镇各板块", ["O1"], False),
    ("各科室", ["O1"], False),
    ("中心", ["C1"], False),
    ("大队", ["D1"], False),
    ("辖区各单位", ["U1", "U2", "U3"], False),
    ("辖区单位", ["U1", "U2", "U3"], False),
    ("有关单位", ["U1", "U2", "U3"], True),
    ("各镇人民政府（街道办事处）", ["T1", "T2"], False),
    ("各乡镇人民政府（街道办事处）", ["T1", "T2"], False),
    ("各乡镇（街道）", ["T1", "T2"], False),
    ("有关乡镇人民政府（街道办事处）", ["T1", "T2"], True),
    ("县安委会各成员单位", ["O1", "C1", "D1", "P1"], False),
    ("县防减救灾委各成员单位", ["O1", "C1", "D1", "P1"], False),
    ("镇安委会有关成员单位", ["O1", "C1", "D1", "P1"], True),
    ("县电力安全生产专业委员会各重点成员单位", ["O1", "C1", "D1", "P1"], True),
])
def test_kind_phrases(fragment, codes, approximate):
    [resolution] = _Resolver(KIND_UNITS).resolve_text(fragment)
    assert (resolution.how, resolution.units, resolution.approximate) == ("phrase", codes, approximate)


def test_phrase_table_is_data():
    assert all(p.kinds for p in PHRASES)
    assert {"学校", "卫生院", "派出所", "企业", "单位"} <= set(AREA_KINDS)
    assert set(MEMBER_KINDS) == {"部门", "办公室", "中心", "大队"}


@pytest.mark.parametrize("units, fragment, codes, how", [
    # a name in brackets may be either name
    ([unit("P1", "县城市管理局", "部门")], "县住房城乡建设委（县城市管理局）", ["P1"], "name"),
    ([unit("P1", "县住房城乡建设委", "部门")], "县住房城乡建设委（县城市管理局）", ["P1"], "name"),
    ([unit("P1", "住房和城乡建设委员会", "部门", "县住房城乡建设委（县城市管理局）")], "县住房城乡建设委（县城市管理局）", ["P1"], "name"),
    # abbreviations
    ([unit("O1", "经济发展办公室", "办公室"), unit("O2", "应急管理办公室", "办公室")], "经发办", ["O1"], "abbreviation"),
    ([unit("O1", "经济发展办公室", "办公室"), unit("O2", "应急管理办公室", "办公室")], "应急办", ["O2"], "abbreviation"),
    ([unit("U1", "市场监督管理所", "所")], "市场监管所", ["U1"], "abbreviation"),
    ([unit("P1", "县住房和城乡建设委员会", "部门")], "县住房城乡建委", ["P1"], "abbreviation"),
    # several fit: the strictly shortest name wins, a tie is unmatched
    ([unit("O1", "经济发展办公室", "办公室"), unit("O2", "经济发展服务中心办公室", "办公室")], "经发办", ["O1"], "abbreviation"),
    ([unit("O1", "经济发展办公室", "办公室"), unit("O2", "经营发展办公室", "办公室")], "经发办", [], "unmatched"),
    # the first character must match; one character is never an abbreviation
    ([unit("O1", "平安法治办公室", "办公室")], "法治办", [], "unmatched"),
    ([unit("O1", "平安法治办公室", "办公室")], "平", [], "unmatched"),
    # aliases are matched whole, not as abbreviations
    ([unit("O1", "应急管理办公室", "办公室", "镇安委会办公室")], "镇安委会", [], "unmatched"),
    ([unit("O1", "应急管理办公室", "办公室", "镇安委会办公室")], "县安委会办公室", ["O1"], "name"),
    # an alias shared by several units names them all
    ([unit("V1", "青坪村", "村", "片区一"), unit("V2", "长田村", "村", "片区一")], "片区一", ["V1", "V2"], "name"),
    # a name beats a phrase; 和 inside a name is kept
    ([unit("X1", "辖区各单位联络组", "企业", "辖区各单位")], "辖区各单位", ["X1"], "name"),
    ([unit("V1", "和平村", "村")], "和平村", ["V1"], "name"),
])
def test_resolution(units, fragment, codes, how):
    resolutions = _Resolver(units).resolve_text(fragment)
    assert [(r.how, r.units) for r in resolutions] == [(how, codes)]


@given(st.lists(st.sampled_from([u.name for u in UNITS]), min_size=1, max_size=6),
       st.lists(st.sampled_from(["、", "，", ",", "；", ";", "\n"]), min_size=6, max_size=6))
def test_any_list_of_names_resolves_to_those_units(names, separators):
    text = "".join(name + sep for name, sep in zip(names, separators)).rstrip("、，,；;\n")
    resolutions = _Resolver(UNITS).resolve_text(text)
    by_name = {u.name: u.code for u in UNITS}
    assert [r.units for r in resolutions] == [[by_name[n]] for n in names]


# ---------------------------------------------------------------- dry-run listing


def test_format_assignment(plan):
    import copy

    plan = copy.deepcopy(plan)
    plan.tables[2].rows[2].include_related = True  # the plan file says: every member reports task-3
    units = [*UNITS, unit("X1", "丁山供水站", "水厂")]  # a kind no row names: it reports nothing
    text = format_assignment(plan, units, assign_rows(plan, units))
    lines = text.splitlines()
    assert lines[0] == "填报分工：测试计划（test-plan）"
    assert lines[1] == "单位 12 个，其中 11 个有填报内容；计划共 14 行，3 行无单位填报"
    assert lines[3].split() == ["编码", "单位名称", "类型", "行数", "填报内容"]
    listing = lines[5:lines.index("无单位填报的行（3）：") - 1]
    assert listing == [
        "O1    镇平安法治办公室    办公室  5     核心绩效指标 全部2行",
        "                                        重点整治 1危险化学品领域、4教育领域",
        "                                        重点任务清单 3（1行）",
        "O2    镇经济发展办公室    办公室  6     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 1危险化学品领域、2新能源汽车充电基础…",
        "                                        重点任务清单 1-3（3行）",
        "O3    镇应急管理办公室    办公室  5     核心绩效指标 1较大生产安全事故起数",
        "                                        重点任务清单 2-4、6（4行）",
        "C1    镇产业发展服务中心  中心    3     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 3农业农村领域",
        "                                        重点任务清单 3（1行）",
        "D1    综合执法大队        大队    3     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 2新能源汽车充电基础…",
        "                                        重点任务清单 3（1行）",
        "U1    镇派出所            派出所  2     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 2新能源汽车充电基础…",
        "U2    丁山学校            学校    3     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 2新能源汽车充电基础…、4教育领域",
        "U3    丁山卫生院          卫生院  2     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 2新能源汽车充电基础…",
        "V1    青坪村              村      2     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 3农业农村领域",
        "V2    长田村              村      2     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 3农业农村领域",
        "S1    丁山社区            社区    3     核心绩效指标 1较大生产安全事故起数",
        "                                        重点整治 2新能源汽车充电基础…、3农业农村领域",
        "X1    丁山供水站          水厂    0     （无：不生成模板）",
    ]
    nobody = lines[lines.index("无单位填报的行（3）：") + 3:]
    assert [line.split()[:4] for line in nobody[:3]] == [
        ["rect-5", "重点整治", "5", "卫生健康与养老领域"],
        ["rect-6", "重点整治", "6", "应急救援领域"],
        ["task-5", "重点任务清单", "5", "组织镇党政领导参加培训"],
    ]
    assert [line.split()[-1] for line in nobody[:3]] == ["镇民生服务办公室", "（附件未写责任单位）", "党建办"]
    unmatched = lines[lines.index("未匹配的责任单位（4）：") + 3:]
    assert [line.split() for line in unmatched[:4]] == [
        ["镇民生服务办公室", "rect-5", "1"], ["市场监管所", "task-4", "1"], ["党建办", "task-5", "1"], ["财政办", "task-6", "1"]]
    assert unmatched[4].startswith("提示：在单位清单中新增该单位，或在对应单位的 aliases（别名）列加上这段文字")
    approximate = lines[lines.index("近似匹配（“有关/相关/重点”：未分配，请确认由哪些单位填报）（1）：") + 3:]
    assert approximate[0].split() == ["镇安委会有关成员单位", "task-3", "1"]
    assert approximate[1].startswith("提示：")


def test_format_marks_overrides_and_wraps_long_lists(plan):
    units = [unit("O1", "镇平安法治办公室", "办公室", rows=["core", "rect-1", "rect-2", "rect-3", "rect-5", "task"]),
             unit("O2", "镇经济发展办公室", "办公室", rows=["task-1", "task-2", "task-3", "task-5", "task-6", "rect-6"])]
    lines = format_assignment(plan, units, assign_rows(plan, units)).splitlines()
    assert lines[5:11] == [
        "O1    镇平安法治办公室  办公室  12（指定）  核心绩效指标 全部2行",
        "                                            重点整治 1危险化学品领域、2新能源汽车充电基础…、3农业农村领域、",
        "                                            5卫生健康与养老领域",
        "                                            重点任务清单 全部6行",
        "O2    镇经济发展办公室  办公室  6（指定）   重点整治 6应急救援领域",
        "                                            重点任务清单 1-3、5-6（5行）",
    ]
    assert lines[11] == "（指定）= 按单位清单 rows（填报范围）列填报，不按附件的责任单位分配"
    assert "无单位填报的行（1）：" in lines  # rect-4 教育领域


# ---------------------------------------------------------------- the real example


def _dingshan_plan():
    from toolkit.plan.importer import import_annex

    return import_annex(ROOT / "examples" / "annexes" / "dingshan-2026.docx").plan


def test_dingshan_example_units_and_annex():
    plan = _dingshan_plan()
    units = load_units(UNITS_CSV)
    result = assign_rows(plan, units)
    core = [row.id for table in plan.tables if table.kind == "indicators" for row in table.rows]
    assert len(core) == 6
    for u in units:
        assert set(core) <= set(result.rows_for(u.code)), u.name
    rect = next(table for table in plan.tables if table.kind == "rectification")
    education = next(row for row in rect.rows if rect.cell(row, "name") == "教育领域")
    school = next(u for u in units if u.name == "丁山学校")
    assert education.id in result.rows_for(school.code)
    assert result.units_by_row[education.id] == [
        next(u.code for u in units if u.name == n) for n in ("镇新时代文明实践服务中心", "丁山学校")]
    # every name in the annex is in the example list, and every row has someone
    assert result.unmatched == {} and result.approximate == {}
    assert all(result.units_by_row.values())
    text = format_assignment(plan, units, result)
    assert "无单位填报的行" not in text and "未匹配" not in text


def test_assignment_is_a_plain_dataclass():
    empty = Assignment(rows_by_unit={}, units_by_row={}, unmatched={}, approximate={})
    assert empty.rows_for("X") == [] and empty.everyone == [] and empty.overridden == []


# ---------------------------------------------------------------- 有关/相关, leads, 街道/乡, governments

def test_related_units_are_routed_only_where_the_plan_or_the_units_list_says_so(plan):
    import copy

    assert assign_rows(plan, UNITS).units_for("task-3") == []  # 镇安委会有关成员单位: for review
    told = copy.deepcopy(plan)
    told.tables[2].rows[2].include_related = True  # the plan file says so
    assert assign_rows(told, UNITS).units_for("task-3") == ["O1", "O2", "O3", "C1", "D1"]
    aliased = [u if u.code != "O3" else unit("O3", "镇应急管理办公室", "办公室", "应急办", "镇安委会有关成员单位")
               for u in UNITS]  # the units list says so
    assert assign_rows(plan, aliased).units_for("task-3") == ["O3"]


@pytest.mark.parametrize("row_id, roles", [
    # 责任办公室 beside 配合单位: the office leads, the partners cooperate
    ("rect-1", {"O1": "lead", "O2": "partner"}),
    ("rect-4", {"O1": "lead", "U2": "partner"}),
    # the first-named unit of 责任科室 leads
    ("task-2", {"O2": "lead", "O3": "partner"}),
    # a kind phrase first: no single lead, every unit reports its own part
    ("core-1", {code: "each" for code in CODES}),
    # the only named unit leads
    ("core-2", {"O1": "lead"}),
])
def test_lead_is_the_first_named_unit(assignment, row_id, roles):
    assert {code: assignment.role(row_id, code) for code in assignment.units_for(row_id)} == roles
    assert assignment.role(row_id, "nobody") is None


GOVERNMENT_UNITS = [
    unit("T1", "砚台镇", "乡镇"), unit("T2", "桂阳街道", "街道"), unit("T3", "永安乡", "乡镇"),
    unit("K1", "党政办公室", "办公室"), unit("K2", "平安建设办公室", "办公室"),
]


@pytest.mark.parametrize("fragment, codes", [
    ("砚台镇人民政府", ["T1"]),  # X镇人民政府 is the unit X镇
    ("桂阳街道办事处", ["T2"]),  # X街道办事处 is the unit X街道
    ("永安乡人民政府", ["T3"]),
    ("街道各科室", ["K1", "K2"]),  # a 街道 plan's own offices: the prefix 街道 is a level like 镇
    ("乡各办公室", ["K1", "K2"]),
    ("街道党政办公室", ["K1"]),
])
def test_street_and_township_prefixes_and_governments(fragment, codes):
    (resolution,) = _Resolver(GOVERNMENT_UNITS).resolve_text(fragment)
    assert resolution.units == codes, resolution
