"""Plans written as prose (issue 17): targets from the paragraphs of a notice.

- sentences of the three seed notices, each with the rule it must give;
- the prose body of each seed notice imported and compared with the annex of
  the same plan (what matches, what only one side has, what differs);
- an unseen 街道 plan in other words, saved in GBK as a Windows clerk would;
- end to end: a prose plan imported, templates built, one filled, validated
  and consolidated.
"""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.cli import cli
from toolkit.errors import AnnexError
from toolkit.plan import check_plan
from toolkit.plan.compare import compare_plans, subject_key
from toolkit.plan.grammar import extract_targets
from toolkit.plan.importer import import_annex, read_notice
from toolkit.plan.io import load_plan as load_plan_file
from toolkit.plan.io import plan_to_yaml
from toolkit.plan.prose import decode, import_prose, responsible_units, split_notice
from toolkit.plan.sources import import_plan

from .conftest import ANNEXES, PUBLISHED, ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
NOTICES = {plan_id: ANNEXES / notice for plan_id, (_, notice) in PUBLISHED.items()}


def key(rule):
    deadline = rule.deadline.canonical() if rule.deadline is not None else None
    return (rule.name, rule.op, rule.value, rule.unit, rule.frequency, deadline, rule.status)


def R(name, op, value, unit=None, frequency=None, deadline=None, status="parsed"):  # noqa: N802
    return (name, op, value, unit, frequency, deadline, status)


# ------------------------------------------------------------ sentences of the seed notices

SEED_SENTENCES = [
    # several targets and years in one paragraph: each sentence's year is its targets' deadline
    pytest.param("2025年，镇应急救援队伍建成率达到100%，村（社区）应急救援站（点）建成率达到90%，重点行业领域专业救援队伍建成率达到80%。",
                 [R("镇应急救援队伍建成率", ">=", 1.0, "%", deadline="2025-12-31"),
                  R("村（社区）应急救援站（点）建成率", ">=", 0.9, "%", deadline="2025-12-31"),
                  R("重点行业领域专业救援队伍建成率", ">=", 0.8, "%", deadline="2025-12-31")],
                 id="a leading year is the deadline of every target of its sentence"),
    pytest.param("2026年，村（社区）应急救援站（点）建成率达到100%，重点行业领域专业救援队伍建成率达到90%。",
                 [R("村（社区）应急救援站（点）建成率", ">=", 1.0, "%", deadline="2026-12-31"),
                  R("重点行业领域专业救援队伍建成率", ">=", 0.9, "%", deadline="2026-12-31")],
                 id="the next year's figures are targets of their own"),
    pytest.param("生产经营单位主要负责人每季度带队对本单位重大事故隐患排查整治情况检查至少1次（高危行业领域每月至少1次）。",
                 [R("本单位重大事故隐患排查整治情况检查", ">=", 1.0, "次", "quarter"),
                  R("本单位重大事故隐患排查整治情况检查（高危行业领域）", ">=", 1.0, "次", "month")],
                 id="a parenthesised variant is a second frequency target"),
    pytest.param("生产经营单位每年至少组织开展1次疏散逃生演练（高危行业领域每半年至少1次），并形成常态化机制。",
                 [R("疏散逃生演练", ">=", 1.0, "次", "year"), R("疏散逃生演练（高危行业领域）", ">=", 1.0, "次", "half-year")],
                 id="a parenthesised half-year variant"),
    pytest.param("生产经营单位每半年至少组织1次重大事故隐患判定标准全员培训，提升隐患排查整治质效。",
                 [R("重大事故隐患判定标准全员培训", ">=", 1.0, "次", "half-year")], id="every half-year at least once"),
    pytest.param("全镇重大风险得到有效管控，事故起数和死亡人数同比持续下降，竭力遏制较大事故，坚决杜绝较大以上事故发生。",
                 [R("事故起数", ">", 0.0), R("事故死亡人数", ">", 0.0), R("较大以上事故", "==", 0.0)],
                 id="a compound decrease with no number and 杜绝 an event are targets"),
    pytest.param("有序建设一批设施，杜绝一哄而上与同质竞争。", [], id="杜绝 a way of working is no target"),
    pytest.param("2026年，实现镇党政领导干部培训全覆盖，并配合建立新提拔党政领导干部常态化培训机制。",
                 [R("镇党政领导干部培训覆盖率", ">=", 1.0, "%", deadline="2026-12-31")], id="全覆盖 is a coverage of 100%"),
    pytest.param("2025年，安全监管执法人员培训实现全覆盖。",
                 [R("安全监管执法人员培训覆盖率", ">=", 1.0, "%", deadline="2025-12-31")], id="实现全覆盖 after its subject"),
    pytest.param("按照“2024年提升、2025年强化、2026年巩固”的要求，对重点行业领域每年开展1次全覆盖培训。",
                 [R("重点行业领域全覆盖培训", ">=", 1.0, "次", "year")], id="全覆盖培训 is how, the frequency is the target"),
    pytest.param("按照“应消一体”要求，建设基层应急消防服务站点 24 个。",
                 [R("建设基层应急消防服务站点", ">=", 24.0, "个")], id="an amount with spaces around the number"),
    pytest.param("发挥安委会、防减救灾委统筹协调作用，推进 16 个安全生产专业委员会和 7 个防减救灾专项委员会（以下简称专委会）规范运行。",
                 [], id="numbers naming the committees of the text are no targets"),
    pytest.param("以实现安全生产“遏较大、减总量、少伤亡”为目标，突出“统、防、救”3个重点，在安全理念、安全责任、安全科技8个方面补短板。",
                 [], id="numbers counting points and aspects describe the text"),
    pytest.param("全面落实市委六届二次、三次、四次全会精神。", [], id="Chinese ordinals of plenary sessions are no counts"),
    pytest.param("2024年，严格执行市政消火栓与城市新（改）建道路同步设计、同步建设、同步投用，实现城镇市政消火栓建有率100%。",
                 [R("城镇市政消火栓建有率", ">=", 1.0, "%", deadline="2024-12-31")], id="a bare 100% is at least 100%"),
    pytest.param("2024年，建立完善各类发展规划的安全风险评估会商机制。", [],
                 id="a dated step with no quantity gives a task, no target (prose import drops the milestone)"),
]


@pytest.mark.parametrize("sentence, expected", SEED_SENTENCES)
def test_seed_sentences(sentence, expected):
    rules = [r for r in extract_targets(sentence, year=2026) if r.op != "qualitative"]
    assert [key(r) for r in rules] == expected


OTHER_SENTENCES = [
    pytest.param("消防站、救援队标准配备率达100%", [R("消防站标准配备率", ">=", 1.0, "%"), R("救援队标准配备率", ">=", 1.0, "%")],
                 id="a list with a shared suffix is one rate each"),
    pytest.param("事故起数以及死亡人数同比下降", [R("事故起数", ">", 0.0), R("事故死亡人数", ">", 0.0)], id="以及 joins subjects"),
    pytest.param("每季度约谈安全生产工作滞后的社区负责人", [R("约谈安全生产工作滞后的社区负责人", ">=", 1.0, "次", "quarter")],
                 id="每季度 with no number is at least once a quarter"),
    pytest.param("街道组织开展两次综合应急演练", [R("综合应急演练", ">=", 2.0, "次")], id="a Chinese numeral after a verb is the figure"),
    pytest.param("落实两个责任人", [], id="a Chinese numeral naming the subject is no target"),
    pytest.param("完成3个重点项目建设", [R("完成重点项目建设", ">=", 3.0, "个")], id="3个重点项目 is a target, 3个重点 alone is not"),
    pytest.param("全年生产安全事故起数、死亡人数分别同比下降10%",
                 [R("全年生产安全事故起数", ">=", 0.1, "%"), R("全年生产安全事故死亡人数", ">=", 0.1, "%")],
                 id="分别 after a list of subjects: one target each"),
    pytest.param("村（社区）应急救援站建成率2025年达到80%、2026年达到100%",
                 [R("村（社区）应急救援站建成率", ">=", 0.8, "%", deadline="2025-12-31"),
                  R("村（社区）应急救援站建成率", ">=", 1.0, "%", deadline="2026-12-31")],
                 id="years inside one sentence: each target its own deadline, the same subject"),
    pytest.param("到2025年底，应急广播覆盖率达到90%，2026年底达到100%",
                 [R("应急广播覆盖率", ">=", 0.9, "%", deadline="2025-12-31"),
                  R("应急广播覆盖率", ">=", 1.0, "%", deadline="2026-12-31")], id="a second year after a comma"),
    pytest.param("2024年，基本消除2023年及以前排查发现的重大事故隐患存量，整改率达到100%",
                 [R("消除2023年及以前排查发现的重大事故隐患存量整改率", ">=", 1.0, "%", deadline="2024-12-31")],
                 id="2023年及以前 describes, it is no deadline"),
    pytest.param("镇、村两级应急物资储备点建成率达到100%", [R("镇、村两级应急物资储备点建成率", ">=", 1.0, "%")],
                 id="镇、村两级 is one figure over both levels"),
    pytest.param("辖区内学校、医院、养老机构消防设施配备率达100%",
                 [R("辖区内学校消防设施配备率", ">=", 1.0, "%"), R("医院消防设施配备率", ">=", 1.0, "%"),
                  R("养老机构消防设施配备率", ">=", 1.0, "%")], id="a three-item list sharing its measure"),
    pytest.param("道路交通事故起数和死亡人数较2025年分别下降5%",
                 [R("道路交通事故起数", ">=", 0.05, "%"), R("道路交通事故死亡人数", ">=", 0.05, "%")],
                 id="较2025年 is a baseline, not a deadline; 分别 splits"),
    pytest.param("每季度开展一次联合执法检查，全年不少于4次",
                 [R("联合执法检查", ">=", 1.0, "次", "quarter"), R("全年联合执法检查", ">=", 4.0, "次")],
                 id="全年 with no subject counts the same activity"),
    pytest.param("力争全年生产安全事故起数同比下降10%、死亡人数同比下降5%",
                 [R("全年生产安全事故起数", ">=", 0.1, "%"), R("全年生产安全事故死亡人数", ">=", 0.05, "%")],
                 id="死亡人数 after 事故起数 counts the deaths in the same accidents"),
    pytest.param("城镇燃气用户安全检查实现100%全覆盖", [R("城镇燃气用户安全检查覆盖率", ">=", 1.0, "%")],
                 id="100%全覆盖 is a coverage rate"),
    pytest.param("发放宣传资料5000份", [R("发放宣传资料", ">=", 5000.0, "份")], id="份 counts what is delivered"),
    pytest.param("全年组织应急演练12场次", [R("全年组织应急演练", ">=", 12.0, "场次")], id="场次 is one unit"),
    pytest.param("培训网格员300余人", [R("培训网格员", "qualitative", None, "人", status="review")],
                 id="余 makes an approximate figure: no comparator, for review"),
    pytest.param("确保100%的村（社区）建成应急服务站", [R("村（社区）建成应急服务站比例", ">=", 1.0, "%")],
                 id="a share written before its subject"),
    pytest.param("做到100%覆盖辖区企业", [R("辖区企业覆盖率", ">=", 1.0, "%")], id="a coverage written before its subject"),
    pytest.param("重大隐患整改率达到100%的目标", [R("重大隐患整改率", ">=", 1.0, "%")], id="达到…的目标 is no subject"),
    pytest.param("12个社区全部配齐应急物资", [], id="a count opening its clause counts the subject"),
    pytest.param("生产安全事故死亡人数控制在区级下达的控制目标以内",
                 [R("生产安全事故死亡人数", "<=", None, status="review")], id="a figure set elsewhere is a target for review"),
]


@pytest.mark.parametrize("sentence, expected", OTHER_SENTENCES)
def test_prose_phrases(sentence, expected):
    assert [key(r) for r in extract_targets(sentence, year=2026)] == expected


def test_a_figure_set_elsewhere_is_listed_for_the_office_to_enter():
    rule = extract_targets("死亡人数控制在上级下达的控制目标以内", year=2026)[0]
    assert rule.value is None and "value" in rule.note and rule.status == "review"


# ------------------------------------------------------------ the seed notices

@pytest.mark.parametrize("plan_id", sorted(PUBLISHED))
def test_seed_notices_are_the_published_ones(plan_id):
    shared = SEEDS / NOTICES[plan_id].name
    if shared.exists():
        assert shared.read_bytes() == NOTICES[plan_id].read_bytes()


def test_notice_head_sections_and_paragraphs():
    body = split_notice(NOTICES["fenghuang-2024-2026"].read_text(encoding="utf-8").splitlines())
    assert body.issued == "2024-05-29"
    titles = [(s.label, s.title, len(s.paragraphs)) for s in body.sections]
    # the preamble (the title's lines dropped) is one paragraph; 二 has 21 numbered paragraphs under its （一）… groups
    assert titles == [("", "总体要求", 1), ("一", "总体要求", 1), ("二", "主要任务", 21), ("三", "任务分工", 1), ("四", "保障措施", 6)]
    second = body.sections[2].paragraphs
    assert (second[0].label, second[0].group, second[0].heading) == ("1", "开展重大安全风险源头管控行动", "强化重大安全风险源头管控")
    assert second[-1].label == "21"
    # the body ends before the annex table
    assert "重点任务清单" not in body.sections[-1].paragraphs[-1].text


def test_dingshan_paragraphs_have_their_headings_and_no_word_markup():
    plan = import_prose(NOTICES["dingshan-2026"]).plan
    rows = [row for table in plan.tables for row in table.rows]
    assert len(plan.tables) == 6 and len(rows) == 21
    assert rows[0].cells["工作事项"] == "强化党政领导干部履职能力"
    assert all("bookmark" not in row.cells["工作内容"] for row in rows)
    assert (plan.id, plan.doc_number, plan.issued, plan.years) == ("dingshan-2026-notice", "丁山府发〔2026〕11号", "2026-04-07", [2026])
    skipped = import_prose(NOTICES["dingshan-2026"]).skipped_tables  # the annex typed after the text says where to go
    assert len(skipped) == 1 and "--notice dingshan-2026-notice.txt" in skipped[0]


# What the prose of each seed states and what of it the annex repeats: (targets in the
# prose, matches, disagreements, prose-only subjects).
EXPECTED = {
    "fenghuang-2024-2026": (23, 17, ["城镇市政消火栓建有率"],
                            {"事故起数", "事故死亡人数", "较大以上事故", "重点行业领域全覆盖培训",
                             "镇安委会重点成员单位至少明确工作人员专门负责此项工作"}),
    "dianjiang-2026": (1, 0, [], {"建设基层应急消防服务站点"}),
    "dingshan-2026": (1, 0, [], {"重大事故隐患判定标准全员培训"}),
}


@pytest.mark.parametrize("plan_id", sorted(PUBLISHED))
def test_seed_prose_against_its_annex(plan_id):
    annex_name, notice = PUBLISHED[plan_id]
    prose = import_prose(ANNEXES / notice).plan
    annex = import_annex(ANNEXES / annex_name, identity=read_notice(ANNEXES / notice)).plan
    comparison = compare_plans(annex, prose)
    targets, matches, different, prose_only = EXPECTED[plan_id]
    assert sum(1 for _ in prose.indicators()) == targets
    assert len(comparison.matched) == matches
    assert [p.annex.indicator.name for p in comparison.different] == different
    assert {p.indicator.name for p in comparison.only_prose} == prose_only
    assert len(comparison.only_annex) == sum(1 for _ in annex.indicators()) - matches - len(different)
    for pair in comparison.matched:  # a match is the same subject, unit, rule and deadline
        a, b = pair.annex.indicator, pair.prose.indicator
        assert subject_key(a.name) in subject_key(b.name) or subject_key(b.name) in subject_key(a.name)
        assert (a.op, a.value, a.unit, a.frequency) == (b.op, b.value, b.unit, b.frequency)


def test_fenghuang_matches_pair_each_year_with_its_own_figure():
    annex_name, notice = PUBLISHED["fenghuang-2024-2026"]
    comparison = compare_plans(import_annex(ANNEXES / annex_name).plan, import_prose(ANNEXES / notice).plan)
    pairs = {(p.prose.indicator.name, p.prose.indicator.deadline.canonical(), p.prose.indicator.value)
             for p in comparison.matched if p.prose.indicator.deadline}
    assert ("村（社区）应急救援站（点）建成率（2025年）", "2025-12-31", 0.9) in pairs
    assert ("村（社区）应急救援站（点）建成率（2026年）", "2026-12-31", 1.0) in pairs
    differing = comparison.different[0]
    assert "期限" in differing.differences[0] and "长期坚持" in differing.differences[0]


def test_every_prose_target_quotes_a_whole_sentence_of_its_paragraph():
    for notice in NOTICES.values():
        plan = import_prose(notice).plan
        for table in plan.tables:
            for row in table.rows:
                for ind in row.indicators:
                    assert ind.text in row.cells["工作内容"]
                    at = row.cells["工作内容"].index(ind.text)  # a whole sentence: it starts one
                    assert at == 0 or row.cells["工作内容"][at - 1] in "。；！？\n", ind.text
                assert row.is_task


# ------------------------------------------------------------ an unseen plan: a 街道, other words, GBK

UNSEEN = """桂街办发〔2025〕8号

桂花街道办事处关于印发《2025年桂花街道安全生产工作要点》的通知

各社区居委会，街道各科室，辖区各单位：
现将《2025年桂花街道安全生产工作要点》印发给你们，请遵照执行。

桂花街道办事处
2025年3月12日

2025年桂花街道安全生产工作要点

2025年，街道安全生产工作以防风险、除隐患、遏事故为主线，确保全年不发生较大及以上生产安全事故，生产安全事故死亡人数控制在区级下达的控制目标以内。

一、压实安全生产责任
1．落实领导责任。街道党工委每半年至少专题研究一次安全生产工作，主要领导每季度带队开展安全检查。（责任单位：党政办、应急办）
2．落实部门责任。由应急办牵头，综合执法队配合，每月召开安全形势分析会。各社区要建立安全网格员队伍，网格员配备率达到100%。
二、深化隐患排查整治
1．九小场所整治。年底前完成九小场所消防隐患排查整治200家，重大火灾隐患整改率不低于95%。（责任单位：综合执法队）
2．燃气安全。6月底前，餐饮场所燃气报警装置安装率达到100%，燃气管道老化更新改造3.5公里。
3．自建房整治。开展经营性自建房安全排查，实现排查全覆盖，杜绝一哄而上、简单粗暴。
三、提升应急处置能力
（一）队伍建设。社区应急救援队、志愿者队伍标准化建设达标率达90%以上；社区每年至少开展1次应急演练（人员密集场所每半年至少1次）。（责任单位：各社区；配合单位：应急办）
（二）物资保障。新建应急避难场所2个，应急物资储备库1个。12个社区全部配齐应急物资。
四、加强宣传培训
（一）开展“安全生产月”宣传活动，培训人员不少于1500人次，安全知识知晓率较上年提高5个百分点。
（二）街道各科室负责本领域安全宣传，辖区重点企业负责人培训覆盖率100%。
"""

UNSEEN_UNITS = """code,name,kind,aliases
GH-O01,街道党政办公室,办公室,党政办
GH-O02,街道应急管理办公室,办公室,应急办
GH-D01,街道综合执法队,大队,综合执法队
GH-S01,桂花社区,社区,
GH-S02,金桂社区,社区,
"""


@pytest.fixture
def unseen(tmp_path):
    path = tmp_path / "桂花街道2025要点.txt"
    path.write_bytes(UNSEEN.replace("\n", "\r\n").encode("gbk"))
    return path


def test_notice_encodings_are_detected():
    text = "一、总体要求\n1．改造老旧小区12个。"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("gbk"), text.encode("gb18030")):
        assert decode(data) == text


def test_read_notice_detects_the_encoding(unseen):
    identity = read_notice(unseen)  # GBK, CRLF
    assert (identity.title, identity.doc_number) == ("2025年桂花街道安全生产工作要点", "桂街办发〔2025〕8号")


def test_unseen_street_prose_plan(unseen):
    result = import_prose(unseen, identity=None)
    plan = result.plan
    assert (plan.title, plan.issuer, plan.doc_number, plan.years, plan.issued) == (
        "2025年桂花街道安全生产工作要点", "桂花街道办事处", "桂街办发〔2025〕8号", [2025], "2025-03-12")
    assert [t.title for t in plan.tables] == ["总体要求", "压实安全生产责任", "深化隐患排查整治", "提升应急处置能力", "加强宣传培训"]
    got = {(ind.name, ind.op, ind.value, ind.unit, ind.frequency, ind.deadline.canonical() if ind.deadline else None, ind.status)
           for _, _, ind in plan.indicators()}
    assert got == {
        ("较大及以上生产安全事故", "==", 0.0, "起", None, "2025-12-31", "parsed"),
        ("生产安全事故死亡人数", "<=", None, "人", None, "2025-12-31", "review"),
        ("安全生产工作", ">=", 1.0, "次", "half-year", None, "parsed"),
        ("带队开展安全检查", ">=", 1.0, "次", "quarter", None, "parsed"),
        ("召开安全形势分析会", ">=", 1.0, "次", "month", None, "parsed"),
        ("网格员配备率", ">=", 1.0, "%", None, None, "parsed"),
        ("九小场所消防隐患排查整治", ">=", 200.0, "家", None, "2025-12-31", "parsed"),
        ("重大火灾隐患整改率", ">=", 0.95, "%", None, None, "parsed"),
        ("餐饮场所燃气报警装置安装率", ">=", 1.0, "%", None, "2025-06-30", "parsed"),
        ("燃气管道老化更新改造", ">=", 3.5, "公里", None, "2025-06-30", "parsed"),
        ("经营性自建房安全排查覆盖率", ">=", 1.0, "%", None, None, "parsed"),
        ("社区应急救援队标准化建设达标率", ">=", 0.9, "%", None, None, "parsed"),
        ("志愿者队伍标准化建设达标率", ">=", 0.9, "%", None, None, "parsed"),
        ("应急演练", ">=", 1.0, "次", "year", None, "parsed"),
        ("应急演练（人员密集场所）", ">=", 1.0, "次", "half-year", None, "parsed"),
        ("新建应急避难场所", ">=", 2.0, "个", None, None, "parsed"),
        ("应急物资储备库", ">=", 1.0, "个", None, None, "parsed"),
        ("培训人员", ">=", 1500.0, "人次", None, None, "parsed"),
        ("安全知识知晓率", "qualitative", None, None, None, None, "review"),
        ("辖区重点企业负责人培训覆盖率", ">=", 1.0, "%", None, None, "parsed"),
    }
    rows = {row.label + row.cells["工作事项"]: row for table in plan.tables for row in table.rows}
    assert rows["1落实领导责任"].cells["责任单位"] == "党政办、应急办"
    assert (rows["2落实部门责任"].cells["责任单位"], rows["2落实部门责任"].cells["配合单位"]) == ("应急办", "综合执法队")
    assert (rows["（一）队伍建设"].cells["责任单位"], rows["（一）队伍建设"].cells["配合单位"]) == ("各社区", "应急办")
    assert rows["（二）街道各科室负责本领域安全宣传"].cells["责任单位"] == "街道各科室"
    # every target quotes its whole sentence, and the plan file round-trips
    for table in plan.tables:
        for row in table.rows:
            for ind in row.indicators:
                assert any(ind.text + end in row.cells["工作内容"] + "。" for end in "。；（"), ind.text
    (unseen.parent / "p.yaml").write_text(plan_to_yaml(plan), encoding="utf-8")
    assert plan_to_yaml(load_plan_file(unseen.parent / "p.yaml")) == plan_to_yaml(plan)
    problems = check_plan(plan)
    assert not [p for p in problems if p.severity == "error"]
    assert any(p.code == "target-review" and "value" in p.message for p in problems)


TOWNSHIP = """白沙乡2026年防灾减灾工作要点

为做好全乡防灾减灾工作，特制定本要点。
1. 汛前组织开展一次地质灾害隐患点全覆盖排查，隐患点监测覆盖率达到100%。
2. 每月开展森林防火巡查，防火期护林员在岗率不低于95%。
3. 由乡应急办牵头，各村配合，年底前建成村级应急物资储备点8个。

白沙乡人民政府
二〇二六年三月五日
"""


def test_unseen_township_plan_of_numbered_paragraphs_only(tmp_path):
    path = tmp_path / "baisha.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TOWNSHIP.encode("utf-8"))
    plan = import_prose(path).plan
    assert (plan.title, plan.issuer, plan.years, plan.issued) == ("白沙乡2026年防灾减灾工作要点", "白沙乡人民政府", [2026], "2026-03-05")
    assert len(plan.tables) == 1 and [r.label for r in plan.tables[0].rows] == ["前言", "1", "2", "3"]
    got = [(i.name, i.op, i.value, i.unit, i.frequency) for _, _, i in plan.indicators()]
    assert got == [("地质灾害隐患点全覆盖排查", ">=", 1.0, "次", None), ("隐患点监测覆盖率", ">=", 1.0, "%", None),
                   ("开展森林防火巡查", ">=", 1.0, "次", "month"), ("防火期护林员在岗率", ">=", 0.95, "%", None),
                   ("建成村级应急物资储备点", ">=", 8.0, "个", None)]
    last = plan.tables[0].rows[-1]
    assert (last.cells["责任单位"], last.cells["配合单位"]) == ("乡应急办", "各村")
    assert "白沙乡人民政府" not in last.cells["工作内容"]  # the signature is no part of the paragraph


COUNTY = """白马县人民政府办公室关于印发《白马县2026年城镇燃气安全专项整治实施方案》的通知
白府办发〔2026〕15号

各乡镇人民政府、街道办事处，县政府各部门：
《白马县2026年城镇燃气安全专项整治实施方案》已经县政府同意，现印发给你们，请认真组织实施。

白马县人民政府办公室
2026年2月28日

白马县2026年城镇燃气安全专项整治实施方案

一、工作目标
到2026年底，全县燃气事故起数和死亡人数实现“双下降”，坚决遏制较大及以上燃气事故，瓶装液化石油气用户安全检查率达到100%，餐饮用户“瓶改管”完成率不低于60%。
二、主要任务
（一）开展隐患排查。各乡镇（街道）每月至少开展1次燃气安全隐患排查，燃气经营企业每周自查1次。（牵头单位：县住房城乡建设委；配合单位：县市场监管局、县消防救援大队）
（二）推进管网改造。完成老旧燃气管道更新改造45公里、燃气立管改造1200户。
（三）加强执法检查。县住房城乡建设委负责组织联合执法，每季度不少于2次，对违法违规行为查处率100%。
（四）强化宣传培训。培训燃气从业人员不少于800人次，燃气安全知识进社区活动覆盖所有社区。
三、保障措施
（一）加强组织领导。成立专项整治工作专班，定期调度工作进展。
（二）严格督查考核。县安委办每月通报整治进展，对工作滞后的乡镇（街道）进行约谈。
"""


def test_unseen_county_programme(tmp_path):
    path = tmp_path / "baima.txt"
    path.write_text(COUNTY, encoding="gb18030")
    plan = import_prose(path).plan
    assert (plan.doc_number, plan.issuer, plan.issued) == ("白府办发〔2026〕15号", "白马县人民政府办公室", "2026-02-28")
    got = [(i.name, i.op, i.value, i.unit, i.frequency, i.relative, i.deadline.canonical() if i.deadline else None, i.status)
           for _, _, i in plan.indicators()]
    assert got == [
        ("全县燃气事故起数", ">", 0.0, "起", None, "decrease", "2026-12-31", "parsed"),
        ("全县燃气事故死亡人数", ">", 0.0, "人", None, "decrease", "2026-12-31", "parsed"),
        ("瓶装液化石油气用户安全检查率", ">=", 1.0, "%", None, None, "2026-12-31", "parsed"),
        ("餐饮用户“瓶改管”完成率", ">=", 0.6, "%", None, None, "2026-12-31", "parsed"),
        ("燃气安全隐患排查", ">=", 1.0, "次", "month", None, None, "parsed"),
        ("燃气经营企业自查", ">=", 1.0, "次", None, None, None, "review"),  # 每周: no such period in a plan
        ("老旧燃气管道更新改造", ">=", 45.0, "公里", None, None, None, "parsed"),
        ("燃气立管改造", ">=", 1200.0, "户", None, None, None, "parsed"),
        ("组织联合执法", ">=", 2.0, "次", "quarter", None, None, "parsed"),
        ("违法违规行为查处率", ">=", 1.0, "%", None, None, None, "parsed"),
        ("培训燃气从业人员", ">=", 800.0, "人次", None, None, None, "parsed"),
        ("燃气安全知识进社区活动覆盖率", ">=", 1.0, "%", None, None, None, "parsed"),
        ("通报整治进展", ">=", 1.0, "次", "month", None, None, "parsed"),
    ]
    first = plan.tables[1].rows[0]
    assert (first.cells["责任单位"], first.cells["配合单位"]) == ("县住房城乡建设委", "县市场监管局、县消防救援大队")


def test_responsible_units_named_in_the_text():
    assert responsible_units("由镇应急办牵头，镇综合执法大队配合，开展检查。") == ("镇应急办", "镇综合执法大队")
    assert responsible_units("（牵头单位：应急办；配合单位：党政办、各村）") == ("应急办", "党政办、各村")
    assert responsible_units("镇安委办负责牵头制定实施方案。") == ("镇安委办", "")
    assert responsible_units("加强组织领导，压实工作责任。") == ("", "")


# ------------------------------------------------------------ the command and its errors

def test_cli_imports_a_prose_notice_and_shows_each_target_with_its_sentence(runner, unseen, tmp_path):
    out = tmp_path / "gh.yaml"
    result = runner.invoke(cli, ["plan", "import", str(unseen), "--id", "guihua-2025", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "原句：2．落实部门责任" not in result.output  # the sentence, not the numbering
    assert "原句：6月底前，餐饮场所燃气报警装置安装率达到100%，燃气管道老化更新改造3.5公里" in result.output
    assert load_plan_file(out).id == "guihua-2025"
    check = runner.invoke(cli, ["plan", "check", str(out)])
    assert "生产安全事故死亡人数" in check.output  # the figure set elsewhere, for the office to enter
    assert "target-like-text" in check.output and "12个社区全部配齐应急物资" in check.output
    assert "paragraph-without-units" in check.output  # 燃气安全, 物资保障 … name no unit


def test_cli_annex_with_notice_prints_the_comparison(runner, tmp_path):
    annex, notice = PUBLISHED["fenghuang-2024-2026"]
    result = runner.invoke(cli, ["plan", "import", str(ANNEXES / annex), "--notice", str(ANNEXES / notice),
                                 "-o", str(tmp_path / "f.yaml")])
    assert result.exit_code == 0, result.output
    assert "正文与附件目标比对：一致 17 项，不一致 1 项" in result.output
    assert "【不一致】" in result.output and "城镇市政消火栓建有率" in result.output


def test_library_import_plan_keeps_the_annex_as_the_source_of_truth():
    annex, notice = PUBLISHED["dianjiang-2026"]
    result = import_plan(ANNEXES / annex, notice=ANNEXES / notice)
    assert all(t.kind != "prose" for t in result.plan.tables)
    assert [p.indicator.name for p in result.comparison.only_prose] == ["建设基层应急消防服务站点"]


def test_a_docx_of_paragraphs_imports_as_prose(tmp_path):
    import docx

    document = docx.Document()
    for line in UNSEEN.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "notice.docx"
    document.save(path)
    result = import_plan(path)
    assert result.plan.tables[1].kind == "prose" and sum(1 for _ in result.plan.indicators()) == 20


def test_text_without_targets_is_a_chinese_error_pointing_to_the_plan_format(tmp_path):
    path = tmp_path / "n.txt"
    path.write_text("关于开展检查的通知\n一、总体要求\n（一）加强组织领导。压实工作责任。\n", encoding="utf-8")
    with pytest.raises(AnnexError) as info:
        import_prose(path)
    message = str(info.value)
    assert "没有找到量化目标" in message and "docs/plan-format.md" in message
    letter = tmp_path / "letter.docx"
    import docx

    document = docx.Document()
    document.add_paragraph("请按时参会。")
    document.save(letter)
    with pytest.raises(AnnexError) as info:
        import_plan(letter)
    assert "没有可识别的附件表格" in str(info.value) and "docs/plan-format.md" in str(info.value)


def test_a_workbook_without_an_annex_table_is_a_chinese_error(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "电话"])
    workbook.save(tmp_path / "a.xlsx")
    with pytest.raises(AnnexError) as info:
        import_plan(tmp_path / "a.xlsx")
    assert "没有可识别的附件表格" in str(info.value) and "docs/plan-format.md" in str(info.value)


# ------------------------------------------------------------ end to end

def test_prose_plan_end_to_end(unseen, tmp_path):
    from toolkit.periods import parse_period
    from toolkit.pipeline.consolidate import consolidate
    from toolkit.pipeline.validate import validate_returns
    from toolkit.simulate import fill_template
    from toolkit.templates import build_templates
    from toolkit.units import load_units

    plan = import_prose(unseen).plan
    units_csv = tmp_path / "units.csv"
    units_csv.write_text(UNSEEN_UNITS, encoding="utf-8")
    units = load_units(units_csv)
    period = parse_period("2025Q2")
    built = build_templates(plan, units, period, tmp_path / "t")
    paths = {p.name.split("_")[0]: p for p in (tmp_path / "t").glob("*.xlsx")}
    assert {"GH-O02", "GH-D01", "GH-S01"} <= set(paths), built

    import openpyxl

    sheet = openpyxl.load_workbook(paths["GH-O02"]).worksheets[1]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("每月召开安全形势分析会" in t for t in texts)  # the paragraph the unit reports against
    header = [c.value for c in next(r for r in sheet.iter_rows() if any(c.value == "原句" for c in r))]
    source = header.index("原句")
    sentences = {row[source].value for row in sheet.iter_rows() if row[source].value and row[source].value != "原句"}
    assert "由应急办牵头，综合执法队配合，每月召开安全形势分析会" in sentences  # ... and each target's sentence

    def value_for(spot):
        return {"value": 1, "cumulative": 2, "numerator": 9, "denominator": 10, "status": "推进中",
                "progress": "已部署", "reporter": "张三", "phone": "1", "approver": "李四"}.get(spot.field)

    filled = fill_template(paths["GH-O02"], tmp_path / "r" / paths["GH-O02"].name, value_for,
                           saved_at=dt.datetime(2025, 7, 3, 9, 0))
    report = validate_returns(plan, [filled], units=units, period=period)
    assert not report.has_errors, [f.message for f in report.findings()]
    result = consolidate(plan, [tmp_path / "r"], units=units, period=period)
    names = {a.indicator_id for a in result.aggregates}
    assert any(i.startswith("work2") for i in names)
    assert {t.row_id for t in result.tasks} >= {"work2-1", "work2-2"}
    from toolkit.xlsx.leaders import write_consolidated_workbook

    write_consolidated_workbook(result, tmp_path / "汇总.xlsx")
    leaders = openpyxl.load_workbook(tmp_path / "汇总.xlsx")
    cells = {str(c.value) for ws in leaders.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert any("召开安全形势分析会" in c for c in cells)
