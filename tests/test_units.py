"""The reporting units list: CSV in the encodings Excel writes, .xlsx,
Chinese or English headers, and every problem reported at once with its line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from toolkit.errors import UnitsError
from toolkit.units import Unit, load_units

from .conftest import ROOT

UNITS_CSV = ROOT / "examples" / "dingshan-units.csv"

ENGLISH = (
    "code,name,kind,parent,contact,aliases,rows\n"
    "DS-O03,镇经济发展办公室,办公室,丁山镇,张某 138-0000-0003,经发办、经济发展办公室,\n"
    "DS-V01,青坪村,村,丁山镇,孙某 138-0000-0021,,core;rect-2\n"
)
EXPECTED = [
    Unit("DS-O03", "镇经济发展办公室", "办公室", "丁山镇", "张某 138-0000-0003", ("经发办", "经济发展办公室"), ()),
    Unit("DS-V01", "青坪村", "村", "丁山镇", "孙某 138-0000-0021", (), ("core", "rect-2")),
]


def _write(tmp_path, text, encoding="utf-8", name="units.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_excel_writes(tmp_path, encoding):
    assert load_units(_write(tmp_path, ENGLISH, encoding)) == EXPECTED


def test_tab_separated_and_windows_line_ends(tmp_path):
    text = ENGLISH.replace(",", "\t").replace("\n", "\r\n")
    assert load_units(_write(tmp_path, text, "utf-16", name="units.txt")) == EXPECTED


@pytest.mark.parametrize("header", [
    "编码,名称,类型,上级,联系人,别名,填报范围",
    "代码,单位名称,单位类型,上级,联系方式,别名,填报范围",
    "单位编码, 单位名称 ,类型,上级,联系人,别名,填报范围",
    "CODE,Name,Kind,Parent,Contact,Aliases,Rows",
])
def test_chinese_and_english_headers(tmp_path, header):
    text = header + "\n" + ENGLISH.split("\n", 1)[1]
    assert load_units(_write(tmp_path, text, "gbk")) == EXPECTED


def test_spaces_blank_lines_separators_and_optional_columns(tmp_path):
    text = (
        "name,code,别名,rows,备注\n"
        "\n"
        "  镇应急管理办公室 , DS-O05 ,应急办;安委办，镇安委会办公室,core rect-19、rect-2，task-1,随便写\n"
        ",,,,\n"
        "青坪村,DS-V01,,,\n"
    )
    units = load_units(_write(tmp_path, text))
    assert units == [
        Unit("DS-O05", "镇应急管理办公室", None, None, None, ("应急办", "安委办", "镇安委会办公室"),
             ("core", "rect-19", "rect-2", "task-1")),
        Unit("DS-V01", "青坪村", None, None, None),
    ]


def test_contact_columns_are_joined(tmp_path):
    text = "编码,名称,联系人,联系电话\nV1,青坪村,孙某,138-0000-0021\nV2,长田村,,138-0000-0022\n"
    assert [u.contact for u in load_units(_write(tmp_path, text))] == ["孙某 138-0000-0021", "138-0000-0022"]


def test_trailing_empty_cells_are_not_extra(tmp_path):
    text = "code,name\nV1,青坪村,,,\n"
    assert load_units(_write(tmp_path, text))[0].name == "青坪村"


def test_xlsx_with_chinese_headers_and_a_title_line(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["丁山镇填报单位名单"])
    sheet.append(["编码", "名称", "类型", "上级", "联系人", "别名", "填报范围"])
    sheet.append(["DS-O03", "镇经济发展办公室", "办公室", "丁山镇", "张某 138-0000-0003", "经发办、经济发展办公室", None])
    sheet.append([None, None])
    sheet.append(["DS-V01", " 青坪村 ", "村", "丁山镇", "孙某 138-0000-0021", None, "core;rect-2"])
    sheet.append([101, "长田村", "村", None, 13800000022, None, None])  # numbers typed into cells
    workbook.create_sheet("其他").append(["code", "name"])
    path = tmp_path / "单位清单.xlsx"
    workbook.save(path)
    units = load_units(path)
    assert units[:2] == EXPECTED
    assert units[2] == Unit("101", "长田村", "村", None, "13800000022")


def test_the_example_units_list():
    data = UNITS_CSV.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    assert data[3:].split(b"\r\n")[0] == b"code,name,kind,parent,contact,aliases,rows"
    units = load_units(UNITS_CSV)
    names = {u.name for u in units}
    for name in ("镇平安法治办公室", "镇经济发展办公室", "镇民生服务办公室", "镇新时代文明实践服务中心",
                 "镇产业发展服务中心", "镇派出所", "丁山学校", "丁山卫生院", "镇党政办公室", "镇应急管理办公室", "青坪村"):
        assert name in names
    assert any(u.kind == "大队" and "综合执法大队" in u.names for u in units)
    assert "应急办" in next(u for u in units if u.name == "镇应急管理办公室").aliases
    kinds = [u.kind for u in units]
    assert kinds.count("村") >= 10 and 2 <= kinds.count("社区") <= 3
    assert all(u.contact and "0000" in u.contact for u in units)  # obviously fictitious
    prefixes = {"办公室": "DS-O", "中心": "DS-C", "大队": "DS-D", "村": "DS-V", "社区": "DS-S"}
    for unit in units:
        assert unit.code.startswith(prefixes.get(unit.kind, "DS-U"))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("text, where, words", [
    ("code,name\nV1,青坪村\nV1,长田村\n", "units.csv, 第3行", ["编码“V1”与第2行的编码“V1”重复", "第3行"]),
    ("code,name\nV1,青坪村\n,长田村\n", "units.csv, 第3行", ["code（编码）为空"]),
    ("code,name\nV1,青坪村\nV2,\n", "units.csv, 第3行", ["name（名称）为空"]),
    ("code,name\nV1,青坪村,多余\n", "units.csv, 第2行", ["有 3 格", "表头只有 2 列", "多余"]),
    ("编码,类型\nV1,村\n", "units.csv, 第1行", ["没有 name（名称） 列", "现有：编码、类型"]),
    ("名称,类型\n青坪村,村\n", "units.csv, 第1行", ["没有 code"]),
    ("单位,类型\n青坪村,村\n", "units.csv, 第1行", ["没有 code"]),
    ("code,name\n\n", "units.csv, 第1行", ["没有填报单位"]),
    ("", "units.csv", ["空的"]),
])
def test_errors_name_file_line_and_fix(tmp_path, text, where, words):
    with pytest.raises(UnitsError) as caught:
        load_units(_write(tmp_path, text))
    error = caught.value
    assert error.where.endswith(where)
    for word in words:
        assert word in str(error)
    assert error.hint


def test_all_problems_are_reported_at_once(tmp_path):
    text = (
        "code,name,kind\n"
        "V1,青坪村,村\n"
        "V2,,村\n"
        "V1,长田村,村\n"
        "\n"
        "V4,石龙村,村,多余\n"
        ",金竹村,村\n"
    )
    with pytest.raises(UnitsError) as caught:
        load_units(_write(tmp_path, text))
    error = caught.value
    assert error.where.endswith("units.csv")
    lines = str(error).splitlines()
    assert "4 处问题" in lines[0]
    assert [line for line in lines if "第" in line and "units.csv," in line] == [
        f"  {tmp_path / 'units.csv'}, 第3行: name（名称）为空",
        f"  {tmp_path / 'units.csv'}, 第4行: 编码“V1”与第2行的编码“V1”重复（不区分大小写）",
        f"  {tmp_path / 'units.csv'}, 第6行: 有 4 格，但表头只有 3 列（多出：多余）",
        f"  {tmp_path / 'units.csv'}, 第7行: code（编码）为空",
    ]
    assert "解决办法" in str(error)


def test_duplicate_code_in_xlsx_names_the_sheet_rows(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    for values in (["编码", "名称"], ["V1", "青坪村"], ["V2", "长田村"], ["V1", "石龙村"]):
        workbook.active.append(values)
    path = tmp_path / "u.xlsx"
    workbook.save(path)
    with pytest.raises(UnitsError, match="第4行：编码“V1”与第2行的编码“V1”重复") as caught:
        load_units(path)
    assert caught.value.where == f"{path}, 第4行"


def test_duplicate_column_titles(tmp_path):
    with pytest.raises(UnitsError, match="“名称”、“name”"):
        load_units(_write(tmp_path, "code,名称,name\nV1,青坪村,青坪村\n"))


@pytest.mark.parametrize("name, content, words", [
    ("missing.csv", None, ["找不到"]),
    ("old.xls", b"\xd0\xcf\x11\xe0", ["不能读取 .xls", "另存为"]),
    ("broken.xlsx", b"not a zip", ["无法打开工作簿"]),
    ("renamed.csv", b"PK\x03\x04rest", ["Excel 工作簿", ".xlsx"]),
    ("binary.csv", b"\x00\x01\x02", ["不是文本"]),
])
def test_unreadable_files(tmp_path, name, content, words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnitsError) as caught:
        load_units(path)
    assert str(path) in str(caught.value)
    for word in words:
        assert word in str(caught.value)
    assert caught.value.hint


def test_folder_is_not_a_units_list(tmp_path):
    with pytest.raises(UnitsError, match="文件夹"):
        load_units(tmp_path)


def test_importing_stays_light():
    code = ("import sys, toolkit.units, toolkit.periods, toolkit.assign; "
            "heavy = [m for m in ('pandas', 'openpyxl', 'docx') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------- territorial or sectoral

@pytest.mark.parametrize("kind, territorial", [
    ("村", True), ("社区", True), ("居委会", True), ("镇", True), ("乡", True), ("乡镇", True), ("街道", True),
    ("街道办事处", True),
    ("办公室", False), ("中心", False), ("大队", False), ("部门", False), ("学校", False), ("派出所", False),
    ("企业", False), (None, False),
])
def test_kind_decides_territorial_or_sectoral(kind, territorial):
    unit = Unit(code="X", name="某单位", kind=kind, parent=None, contact=None)
    assert unit.is_territorial is territorial
    assert unit.partition == ("territorial" if territorial else "sectoral")


def test_territorial_column_overrides_the_kind(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,属地\nV1,青坪村,村,\nE1,丁山工业园,园区,属地\nV2,长田村,村,行业\n", encoding="utf-8")
    units = {u.code: u for u in load_units(path)}
    assert (units["V1"].is_territorial, units["E1"].is_territorial, units["V2"].is_territorial) == (True, True, False)


def test_territorial_column_rejects_other_words(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,territorial\nV1,青坪村,也许\n", encoding="utf-8")
    with pytest.raises(UnitsError, match="既不是属地也不是行业"):
        load_units(path)
