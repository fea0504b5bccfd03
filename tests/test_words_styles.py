"""Words and styles in one place each (toolkit.words, toolkit.xlsx.style):
writers choose formats by the model's kind of number, never by a target's
words, and the old import paths still work."""

from __future__ import annotations

import io

import openpyxl
import pytest

from toolkit.plan import load_plan
from toolkit.model.validation import NUMBER_KINDS, number_kind

PLANS = ("dingshan-2026", "dianjiang-2026", "fenghuang-2024-2026")


@pytest.mark.parametrize("plan_id", PLANS)
def test_every_indicator_has_a_kind_and_the_words_agree(plan_id):
    for _, _, indicator in load_plan(plan_id).indicators():
        kind = number_kind(indicator)
        assert kind in NUMBER_KINDS
        # decided by the indicator's meaning: a relative target is a change, a rate shows in its own scale
        if indicator.relative and indicator.checkable:
            assert kind.startswith("change")
        elif indicator.measure in ("rate", "percentage"):
            assert kind == ("rate-permille" if indicator.scale == "permille" else "rate-percent")
        elif indicator.measure in ("count", "frequency", "amount"):
            assert kind == ("amount" if indicator.measure == "amount" else "count")


def test_the_leaders_workbook_follows_the_kind_not_the_words():
    from tests.test_consolidate_workbook import sample
    from toolkit.xlsx.leaders import render_consolidated_workbook

    c = sample()
    rate = c.aggregates[1]
    rate.target, rate.kind = "≥100", "rate-permille"  # words without a scale: the kind decides
    ws = openpyxl.load_workbook(io.BytesIO(render_consolidated_workbook(c)))["领导总览"]
    cell = next(row[3] for row in ws.iter_rows(min_row=11) if row[1].value == rate.indicator)
    assert cell.value == pytest.approx(1000) and "‰" in cell.number_format


def test_the_validation_report_follows_the_kind_not_the_words():
    from toolkit.model.validation import Outcome, ValidationReport
    from toolkit.xlsx.report import render_report_workbook

    outcomes = [Outcome("U1", "core-1", "覆盖率", "met", 0.95, "≥95", kind="rate-percent"),
                Outcome("U1", "core-2", "受害率", "met", 0.0004, "≤0.9", kind="rate-permille"),
                Outcome("U1", "core-3", "起数", "met", 2.0, "=0%", kind="count")]
    report = ValidationReport(plan_id="p", period=None, files=[], outcomes=outcomes)
    ws = openpyxl.load_workbook(io.BytesIO(render_report_workbook(report)))["目标"]
    assert [ws.cell(r, 4).number_format for r in (2, 3, 4)] == ["0.0%", "0.000%", "General"]


def test_one_word_per_status_and_the_one_deliberate_difference():
    from toolkit.model import consolidation as model
    from toolkit.words import CHECKED_FILE_STATUS_WORDS, FILE_STATUS_WORDS

    assert model.FILE_STATUS_WORDS is FILE_STATUS_WORDS
    assert {k for k in FILE_STATUS_WORDS if FILE_STATUS_WORDS[k] != CHECKED_FILE_STATUS_WORDS[k]} == {"used"}


def test_the_limits_live_in_the_style_module_and_the_consolidation_reads_them_there(monkeypatch):
    from toolkit.rules import checks
    from toolkit.xlsx import style

    assert checks.TEXT_LIMIT is style.TEXT_LIMIT and style.TEXT_LIMIT == 500
    monkeypatch.setattr(style, "DATA_SHEET_LIMIT", 10)
    import toolkit.xlsx.leaders as leaders

    assert leaders.style.DATA_SHEET_LIMIT == 10


def test_a_change_says_which_way():
    from toolkit.words import change_words, figure_words
    from toolkit.xlsx.style import leaders_figure

    assert change_words(-0.123) == "下降12.3%" and change_words(0.04) == "上升4.0%" and change_words(0) == "持平"
    assert figure_words(0.2295839753, "change-decrease") == "下降23.0%"  # signed in the target's direction
    assert figure_words(-0.04, "change-decrease") == "上升4.0%"
    assert figure_words(0.04, "change-increase") == "上升4.0%"
    assert leaders_figure(0.2295839753, "change-decrease")[1].startswith('"下降"')


def test_status_tables_drive_the_overview_counts_and_colours():
    from tests.test_consolidate_workbook import sample
    from toolkit.words import STATUS_WORDS
    from toolkit.xlsx.leaders import render_consolidated_workbook
    from toolkit.xlsx.style import CHART_COLOURS, STATUS_COLOURS

    for code in ("in-progress", "needs-baseline", "qualitative", "review", "met", "missed", "no-data"):
        assert code in STATUS_WORDS and code in STATUS_COLOURS and code in CHART_COLOURS
    c = sample()
    c.aggregates[1].status, c.aggregates[2].status = "in-progress", "some-new-code"
    ws = openpyxl.load_workbook(io.BytesIO(render_consolidated_workbook(c)))["领导总览"]
    words = [row[3].value for row in ws.iter_rows(min_row=1, max_row=20) if row[5].value
             and str(row[5].value).startswith("=COUNTIF")]  # the status counts, in D–F
    assert words == ["未达标", "达标", "进行中（未到期）", "无数据", "some-new-code"]  # table order, then codes not yet known
    assert "进行中（未到期） 1 项" in ws["A3"].value


def test_the_brief_reads_back_with_python_docx():
    import docx

    from tests.test_consolidate_workbook import sample
    from toolkit.docx.brief import render_brief

    c = sample()
    document = docx.Document(io.BytesIO(render_brief(c)))
    texts = [p.text for p in document.paragraphs]
    assert texts[1] == f"关于{c.period_label}《{c.plan_title}》落实情况的通报"
    opening = next(t for t in texts if "应报送单位" in t)
    for unit in c.units:
        if unit.status == "missing" or unit.on_time is False:
            assert unit.name in opening
    assert any(t.rows[0].cells[1].text == "指标" for t in document.tables)
    assert round(document.sections[0].left_margin / docx.shared.Mm(1)) == 28
