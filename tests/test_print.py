"""What a reader sees on paper: every kind of output rendered through
LibreOffice to PDF (templates, the validation report, the leaders' workbook,
the 通报), for the demo and for a simulated period of 100 units; page counts,
annex text printed whole, and no text below 8 points at the scale each sheet
prints at. The 通报 is also read back with python-docx."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

import toolkit
from toolkit.periods import parse_period
from toolkit.plan import load_plan
from toolkit.simulate import simulate_returns
from toolkit.units import load_units
from toolkit.xlsx.style import A4_INCHES, MIN_PRINT_FONT, PRINT_MARGIN

ROOT = Path(__file__).resolve().parents[1]
LO = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                        reason="LibreOffice or poppler-utils is not installed")


# ------------------------------------------------------------------ helpers


def _units(n: int):
    """n units shaped like the 丁山镇 list: its offices and units, then numbered villages and communities."""
    base = load_units(ROOT / "examples" / "dingshan-units.csv")
    places = [u for u in base if u.kind in ("村", "社区")]
    units = [u for u in base if u.kind not in ("村", "社区")]
    k = 0
    while len(units) < n:
        place = places[k % len(places)]
        k += 1
        units.append(replace(place, code=f"{place.code}-{k:03d}", name=f"{place.name}{k}"))
    return units


def _plan_of(n: int):
    """The 丁山镇 plan grown to `n` indicators: copies of its 重点整治 table (重点整治（2）, …), ids and keys
    renamed, the last copy cut where the count is reached."""
    import copy

    import yaml

    from toolkit.plan.io import plan_from_data

    data = yaml.safe_load((ROOT / "templates" / "dingshan-2026.yaml").read_text(encoding="utf-8"))
    rect = next(t for t in data["tables"] if t["id"] == "rect")
    count = sum(len(r.get("indicators", [])) for t in data["tables"] for r in t["rows"])
    k = 1
    while count < n:
        k += 1
        table = copy.deepcopy(rect)
        table["id"], table["title"], table["rows"] = f"rect{k}", f"{rect['title']}（{k}）", []
        for row in copy.deepcopy(rect["rows"]):
            if count >= n:
                break
            row["id"] = row["id"].replace("rect-", f"rect{k}-")
            if "indicators" in row:
                row["indicators"] = row["indicators"][: n - count]
                for ind in row["indicators"]:
                    ind["id"] = ind["id"].replace("rect-", f"rect{k}-")
                    ind["key"] = ind["key"].replace("rect:", f"rect{k}:")
                count += len(row["indicators"])
            table["rows"].append(row)
        data["tables"].append(table)
    data["id"] = f"dingshan-{n}"
    return plan_from_data(data)


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _page_sheets(pdf: Path) -> list[str]:
    """The sheet each page prints (the page header's centre, the first line's second word in layout mode)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [(page.strip().split("\n", 1)[0].split() + ["", ""])[1] for page in text.split("\f") if page.strip()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _sheet_scale(ws) -> float:
    """The scale a sheet prints at: its explicit scale, or the one that fits its columns one page wide."""
    if not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage:
        return (ws.page_setup.scale or 100) / 100
    pixels = {}  # a width in the file includes the cell's padding: 7 pixels a unit (64 for a default column)
    for dim in ws.column_dimensions.values():
        for c in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
            pixels[c] = 0 if dim.hidden else round(dim.width * 7) if dim.width else 64
    last = ws.max_column
    area = ws.print_area if isinstance(ws.print_area, str) else (ws.print_area or [None])[0]
    if area:
        last = openpyxl.utils.cell.range_boundaries(area.split(",")[0].split("!")[-1].replace("$", ""))[2]
    total = sum(pixels.get(c, 64) for c in range(1, last + 1))
    page = A4_INCHES[1 if ws.page_setup.orientation == "portrait" else 0] - 2 * PRINT_MARGIN
    return min(1.0, page * 96 / total)


def _smallest_printed_font(path: Path) -> dict[str, float]:
    """Per visible sheet: scale × the smallest font of any cell with a value in a visible row and column."""
    book = openpyxl.load_workbook(path)
    result = {}
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        hidden_rows = {r for r, d in ws.row_dimensions.items() if d.hidden}
        hidden_cols = {c for d in ws.column_dimensions.values() if d.hidden
                       for c in range(d.min or 1, (d.max or d.min or 1) + 1)}
        sizes = [cell.font.sz or 11 for row in ws.iter_rows() for cell in row
                 if cell.value not in (None, "") and cell.row not in hidden_rows and cell.column not in hidden_cols]
        result[ws.title] = _sheet_scale(ws) * min(sizes or [10])
    return result


# ------------------------------------------------------------------ the outputs, rendered once


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or poppler-utils is not installed")
    work = tmp_path_factory.mktemp("print")
    demo = work / "demo"
    toolkit.run_demo(demo)
    outputs = {
        "demo-leaders": demo / "4-汇总" / "汇总_2026Q2.xlsx",
        "demo-report": demo / "3-退回修改" / "校验报告.xlsx",
        # the county's 65 indicators, 159 task reports and long lists of responsible departments; the ledger's
        # overview with its five more columns (landscape)
        "county-leaders": demo / "5-县级汇总" / "汇总_2026M03.xlsx",
        "ledger-leaders": demo / "6-台账" / "汇总_2026Q2_含趋势.xlsx",
    }
    templates = sorted((demo / "1-模板").glob("*.xlsx"))
    for t in templates:  # one template of each kind of unit: an office, a village, a unit in the area
        if t.name.startswith(("DS-O02", "DS-V01", "DS-U01")):
            outputs[f"template-{t.name[:6]}"] = t
    # a relative target's change, as the validation report shows it
    from toolkit.model.validation import Outcome, ValidationReport
    from toolkit.xlsx.report import write_report_workbook

    changes = ValidationReport(plan_id="p", period="2026Q2", files=[], outcomes=[
        Outcome("U1", "c1", "死亡人数", "met", 0.2295839753, "较上年同期下降≥10%", kind="change-decrease"),
        Outcome("U2", "c1", "死亡人数", "missed", -0.04, "较上年同期下降≥10%", kind="change-decrease"),
        Outcome("U1", "c2", "覆盖率", "met", 0.04, "较上年同期上升≥2%", kind="change-increase")])
    outputs["change-report"] = work / "change-report.xlsx"
    write_report_workbook(changes, outputs["change-report"], plan_title="测试计划")
    outputs["demo-brief"] = work / "通报_demo.docx"
    toolkit.brief(from_json=demo / "4-汇总" / "汇总_2026Q2.json", output=outputs["demo-brief"])

    # a simulated period of 100 units
    plan, units, period = load_plan("dingshan-2026"), _units(100), parse_period("2026Q2")
    returns = work / "returns100"
    simulate_returns(plan, units, period, returns, seed=1, variants=5, error_rate=0.1)
    big = work / "big"
    big.mkdir()
    toolkit.consolidate(plan, [returns], units=units, period=period, due="2026-07-10", output=big / "汇总.xlsx",
                        json=big / "汇总.json", brief=big / "通报.docx")
    toolkit.validate(plan, [returns], units=units, period=period, report=big / "校验报告.xlsx")
    outputs.update({"big-leaders": big / "汇总.xlsx", "big-brief": big / "通报.docx", "big-report": big / "校验报告.xlsx"})

    # 70 indicators (the most the overview is made for), the same 100 units
    plan70 = _plan_of(70)
    returns70 = work / "returns70"
    simulate_returns(plan70, units, period, returns70, seed=2, variants=5, error_rate=0.1)
    toolkit.consolidate(plan70, [returns70], units=units, period=period, due="2026-07-10",
                        output=work / "汇总70.xlsx", json=work / "汇总70.json")
    outputs["p70-leaders"] = work / "汇总70.xlsx"

    pdfs = work / "pdf"
    staged = work / "staged"
    staged.mkdir()
    for key, path in outputs.items():
        shutil.copy(path, staged / f"{key}{path.suffix}")
    profile = work / "lo-profile"
    completed = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                                "pdf", "--outdir", str(pdfs), *map(str, sorted(staged.iterdir()))],
                               capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr
    return {"outputs": outputs, "pdf": {key: pdfs / f"{key}.pdf" for key in outputs}, "demo": demo, "big": big,
            "p70": work / "汇总70.json"}


pytestmark = [LO, pytest.mark.slow, pytest.mark.libreoffice]


# ------------------------------------------------------------------ tests


def test_the_seventy_indicator_plan_has_seventy(rendered):
    data = json.loads(rendered["p70"].read_text(encoding="utf-8"))
    assert len(data["aggregates"]) == 70 == len(list(_plan_of(70).indicators()))


@pytest.mark.parametrize("which", ["demo", "county", "ledger", "big", "p70"])
def test_leaders_overview_is_a_brief_of_at_most_two_pages_with_its_chart_on_the_first(rendered, which):
    pdf = rendered["pdf"][f"{which}-leaders"]
    pages, sheets = _pdf_pages(pdf), _page_sheets(pdf)
    assert len(pages) == len(sheets)
    overview = [p for p, sheet in zip(pages, sheets) if sheet == "领导总览"]
    assert 1 <= len(overview) <= 2, len(overview)
    assert sheets[0] == "领导总览"
    assert "执行情况汇总" in _squash(overview[0]) and "各状态指标数" in _squash(overview[0])  # the chart's title
    # the long lists do not print
    assert not {"校验问题", "数据"} & set(sheets), sorted(set(sheets))


@pytest.mark.parametrize("which", ["demo", "county", "ledger", "big", "p70"])
def test_every_text_of_the_leaders_overview_prints_whole(rendered, which):
    pages, sheets = _pdf_pages(rendered["pdf"][f"{which}-leaders"]), _page_sheets(rendered["pdf"][f"{which}-leaders"])
    printed = _squash("".join(p for p, sheet in zip(pages, sheets) if sheet == "领导总览"))
    ws = openpyxl.load_workbook(rendered["outputs"][f"{which}-leaders"])["领导总览"]
    checked = 0
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and not cell.value.startswith("="):
                assert _squash(cell.value) in printed, (which, cell.coordinate, cell.value[:40])
                checked += 1
    assert checked > 60


def _overview_pages_at_excel_scale(path: Path) -> int:
    """Pages 领导总览 takes where its fonts print as the page setup says (7 pixels a width unit, as Excel sets
    宋体; LibreOffice without 宋体 sets the columns wider and prints smaller): its rows' heights laid down
    the page, no row split, the table's header row repeated."""
    ws = openpyxl.load_workbook(path)["领导总览"]
    scale = _sheet_scale(ws)
    body = (A4_INCHES[0] - ws.page_margins.top - ws.page_margins.bottom) * 72 / scale
    repeated = int(ws.print_title_rows.split(":")[0].strip("$"))
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    last = openpyxl.utils.cell.range_boundaries(area.split(",")[0].split("!")[-1].replace("$", ""))[3]
    default = ws.sheet_format.defaultRowHeight or 15
    heights = [ws.row_dimensions[r].height or default for r in range(1, last + 1)]
    pages, used = 1, 0.0
    for r, h in enumerate(heights, start=1):
        if used + h > body:
            pages, used = pages + 1, heights[repeated - 1]
        used += h
    return pages


@pytest.mark.parametrize("which", ["demo", "county", "ledger", "big", "p70"])
def test_leaders_overview_fits_two_pages_at_the_scale_its_fonts_are_checked_at(rendered, which):
    assert _overview_pages_at_excel_scale(rendered["outputs"][f"{which}-leaders"]) <= 2


def test_the_overview_names_at_most_twelve_late_units_and_counts_the_rest(rendered):
    """A brief: the first twelve late units by name, then how many in all; 报送情况 names every one."""
    units = json.loads(rendered["p70"].read_text(encoding="utf-8"))["units"]
    late = [u["name"] for u in units if u["on_time"] is False]
    assert len(late) > 12
    ws = openpyxl.load_workbook(rendered["outputs"]["p70-leaders"])["领导总览"]
    notes = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "逾期报送：" in c.value]
    assert len(notes) == 1
    shown = notes[0].split("逾期报送：")[1]
    assert shown.startswith("、".join(late[:12]) + f"等 {len(late)} 个单位")
    assert late[12] not in shown


@pytest.mark.parametrize("which", ["demo", "big"])
def test_page_counts_stay_within_bounds(rendered, which):
    counts = {kind: len(_pdf_pages(rendered["pdf"][f"{which}-{kind}"])) for kind in ("leaders", "report", "brief")}
    assert counts["brief"] <= (6 if which == "demo" else 14), counts  # 100 units: a long 黑榜
    assert counts["leaders"] <= (40 if which == "demo" else 120), counts
    assert counts["report"] <= (40 if which == "demo" else 150), counts


def test_no_text_prints_below_eight_points(rendered):
    for key, path in rendered["outputs"].items():
        if path.suffix != ".xlsx":
            continue
        for sheet, size in _smallest_printed_font(path).items():
            assert size >= MIN_PRINT_FONT - 0.05, (key, sheet, round(size, 2))


def test_every_annex_text_of_a_template_prints_whole(rendered):
    checked = 0
    for key in (k for k in rendered["outputs"] if k.startswith("template-")):
        printed = _squash("".join(_pdf_pages(rendered["pdf"][key])))
        book = openpyxl.load_workbook(rendered["outputs"][key])
        for ws in book.worksheets:
            if ws.sheet_state != "visible" or ws.title == "填报说明":
                continue
            for row in ws.iter_rows(min_row=3):
                for cell in row:
                    if isinstance(cell.value, str) and cell.protection.locked and len(cell.value) > 4 \
                            and cell.data_type != "f" and not cell.value.startswith("="):
                        assert _squash(cell.value) in printed, (key, ws.title, cell.coordinate, cell.value[:40])
                        checked += 1
    assert checked > 20


def test_templates_show_no_plan_id_or_fingerprint(rendered):
    for key in (k for k in rendered["outputs"] if k.startswith("template-")):
        printed = "".join(_pdf_pages(rendered["pdf"][key]))
        assert "dingshan-2026" not in printed and "指纹" not in printed, key


def test_changes_read_with_their_direction(rendered):
    book = openpyxl.load_workbook(rendered["outputs"]["change-report"])
    formats = [book["目标"].cell(r, 4).number_format for r in (2, 3, 4)]
    assert "下降" in formats[0] and formats[0] == formats[1] and formats[2].startswith('"上升"')
    printed = _squash("".join(_pdf_pages(rendered["pdf"]["change-report"])))
    assert "下降23.0%" in printed and "上升4.0%" in printed  # the U2 row: 4% up against a 下降 target
    assert "0.2295839753" not in printed and "测试计划2026年第二季度校验报告" in printed


def test_the_brief_reads_back_in_word_and_renders(rendered):
    import docx
    from docx.shared import Mm, Pt

    for which in ("demo", "big"):
        path = rendered["outputs"][f"{which}-brief"]
        document = docx.Document(path)
        texts = [p.text for p in document.paragraphs]
        assert re.fullmatch(r"（文号）〔2026〕　号", texts[0])
        assert texts[1].startswith("关于2026年第二季度") and texts[1].endswith("落实情况的通报")
        for heading in ("一、报送情况", "二、指标完成情况", "三、单位排名（红黑榜）", "四、任务推进情况", "五、下一步工作要求"):
            assert heading in texts
        section = document.sections[0]
        assert (round(section.top_margin / Mm(1)), round(section.bottom_margin / Mm(1)),
                round(section.left_margin / Mm(1)), round(section.right_margin / Mm(1))) == (37, 35, 28, 26)
        title = document.paragraphs[1].runs[0]
        assert title.font.size == Pt(22)
        assert title._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
            == "方正小标宋简体"
        headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
        assert ["序号", "单位", "报送", "一次通过", "达标/考核项"] in headers or which == "big"
        printed = _squash("".join(_pdf_pages(rendered["pdf"][f"{which}-brief"])))
        assert _squash(texts[1]) in printed
    # the demo names its late and missing units, and its missed targets with the units responsible
    document = docx.Document(rendered["outputs"]["demo-brief"])
    opening = next(p.text for p in document.paragraphs if "应报送单位" in p.text)
    data = json.loads((rendered["demo"] / "4-汇总" / "汇总_2026Q2.json").read_text(encoding="utf-8"))
    for unit in data["units"]:
        if unit["status"] == "missing" or unit["on_time"] is False:
            assert unit["name"] in opening
    missed = next(t for t in document.tables if t.rows[0].cells[0].text == "序号" and t.rows[0].cells[1].text == "指标")
    names = {a["indicator"] for a in data["aggregates"] if a["status"] == "missed"}
    assert {r.cells[1].text for r in missed.rows[1:]} == names


def test_brief_from_json_and_from_returns_agree(rendered, tmp_path):
    again = tmp_path / "again.docx"
    toolkit.brief(from_json=rendered["big"] / "汇总.json", output=again)
    import docx

    assert [p.text for p in docx.Document(again).paragraphs] == \
        [p.text for p in docx.Document(rendered["outputs"]["big-brief"]).paragraphs]

