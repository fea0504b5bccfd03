"""The reporting units list: who fills a template.

A units list is a small table a clerk keeps in Excel or WPS: one line per
reporting unit with its code and name, and optionally its kind (村, 社区,
办公室 …), parent, contact, other names used for it in plans (aliases) and
an explicit list of the tables/rows it reports (rows), and whether it is
territorial or sectoral (territorial). It may be saved as
.xlsx or as CSV in whatever encoding Excel on a Chinese Windows PC uses
(UTF-8 with or without BOM, GBK/GB18030, or "Unicode text" = UTF-16 with
tabs). Column titles may be English or Chinese.

Every problem in the file is collected and reported at once, each with its
line number, so the clerk can fix the file in one go.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UnitsError
from toolkit.names import CODE_LIMIT, NAME_LIMIT, clip, name_problems, same_name, template_stem


@dataclass(frozen=True)
class Unit:
    code: str  # unique, e.g. "DS-V01"
    name: str  # e.g. "青坪村"
    kind: str | None  # e.g. 村, 社区, 办公室, 中心, 大队, 学校, 卫生院, 派出所, 企业, 乡镇, 街道, 部门
    parent: str | None
    contact: str | None
    aliases: tuple[str, ...] = ()  # other names used in plans, e.g. ("经发办", "经济发展办公室")
    rows: tuple[str, ...] = ()  # override: exactly these table ids / row ids are reported by this unit
    territorial: bool | None = None  # override of the kind's rule (see is_territorial)

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by the aliases."""
        return (self.name, *self.aliases)

    @property
    def is_territorial(self) -> bool:
        """Territorial units (村, 社区 in a town; 乡镇, 街道 in a county) partition
        the area: counts of events are summed over them. Sectoral units (offices,
        departments, 辖区单位) report the same events by sector (行业口径), a
        cross-check, not an addition. The kind decides unless the units list's
        territorial column says otherwise."""
        if self.territorial is not None:
            return self.territorial
        kind = re.sub(r"\s+", "", unicodedata.normalize("NFKC", self.kind or ""))
        return kind in TERRITORIAL_KINDS

    @property
    def partition(self) -> str:
        return "territorial" if self.is_territorial else "sectoral"


# Kinds of units that partition the area (with the spellings clerks use).
TERRITORIAL_KINDS = frozenset("村 行政村 村委会 村民委员会 社区 居委会 社区居委会 居民委员会 村居 "
                              "镇 乡 乡镇 镇人民政府 乡人民政府 街道 街道办事处 街道办".split())
_TERRITORIAL_WORDS = {"是": True, "属地": True, "true": True, "yes": True, "y": True, "1": True, "territorial": True,
                      "否": False, "行业": False, "部门": False, "false": False, "no": False, "n": False, "0": False,
                      "sectoral": False}


# Accepted column titles per field (compared after NFKC, without spaces,
# case-insensitively). The first field whose titles contain the header wins.
FIELD_TITLES: dict[str, tuple[str, ...]] = {
    "code": ("code", "编码", "代码", "单位编码", "单位代码", "编号"),
    "name": ("name", "名称", "单位名称", "单位", "填报单位"),
    "kind": ("kind", "type", "类型", "单位类型", "类别"),
    "parent": ("parent", "上级", "上级单位"),
    "contact": ("contact", "联系人", "联系方式", "联系电话", "电话"),
    "aliases": ("aliases", "alias", "别名", "简称"),
    "rows": ("rows", "填报范围", "填报行"),
    "territorial": ("territorial", "属地", "属地单位", "口径", "属地/行业"),
}
REQUIRED_FIELDS = ("code", "name")
# Fields that may come from several columns, joined with a space
# (e.g. 联系人 and 联系电话 side by side).
_JOINED_FIELDS = ("contact",)

_ALIAS_SEPARATORS = re.compile(r"[、;；，,\n]+")
_ROWS_SEPARATORS = re.compile(r"[、;；，,\s]+")
# How far down a title row (e.g. "丁山镇填报单位名单") may push the header.
_HEADER_SEARCH_LINES = 5

_FIX_DUPLICATE = "每个单位的编码（code）必须唯一：改掉其中一行的编码，或删除重复的那一行"
_FIX_EMPTY = "填上编码（code）和名称（name）；不用的行请整行删除"
_FIX_EXTRA = "这一行的格子比表头多：检查是否有多余的逗号/制表符，或在表头补上列名；单位名称里的逗号请改成“、”"
_FIX_HEADER = "第一行应为列名，至少包括 code（编码）和 name（名称），例如：code,name,kind,parent,contact,aliases,rows"


def _squash(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


_TITLE_TO_FIELD = {_squash(title): field for field, titles in FIELD_TITLES.items() for title in titles}


def _clean(value) -> str:
    """A cell as text: numbers without a spurious .0, spaces stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        value = value.isoformat()
    text = str(value).replace("\u3000", " ").replace("\ufeff", "")
    return " ".join(text.split()) if "\n" not in text else "\n".join(" ".join(p.split()) for p in text.splitlines())


def load_units(path) -> list[Unit]:
    """Read a units list (.csv or .xlsx). Raises UnitsError listing every problem."""
    path = Path(path)
    if not path.exists():
        raise UnitsError("找不到单位清单", where=str(path),
                         hint="检查文件路径和文件名；单位清单可以是 .xlsx 或 .csv 文件")
    if path.is_dir():
        raise UnitsError("这是一个文件夹，不是单位清单", where=str(path),
                         hint="给出单位清单文件本身的路径，例如 单位清单.xlsx")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        lines = _read_xlsx(path)
    elif suffix in (".xls", ".et", ".ods", ".wps"):
        raise UnitsError(f"不能读取 {suffix} 文件", where=str(path),
                         hint="在 Excel/WPS 中打开后“另存为” .xlsx（Excel 工作簿）或 CSV（逗号分隔）再试")
    else:
        lines = _read_csv(path)
    return _parse(path, lines)


# ---------------------------------------------------------------- reading


def _read_csv(path: Path) -> list[tuple[int, list[str]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnitsError(f"无法读取文件：{exc.strerror or exc}", where=str(path),
                         hint="关闭正在打开这个文件的 Excel/WPS，或检查文件权限后再试") from None
    text = _decode(path, data)
    sample = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            lines.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnitsError(f"不是可读取的 CSV 文件（{exc}）", where=f"{path}, 第{start}行",
                         hint="检查该行的引号是否成对；或在 Excel/WPS 中另存为 .xlsx 再试") from None
    return lines


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode text"
        return data.decode("utf-16")
    if data.startswith(b"PK\x03\x04"):
        raise UnitsError("这像是扩展名不对的 Excel 工作簿", where=str(path),
                         hint="把文件扩展名改为 .xlsx 再试")
    if b"\x00" in data[:4096]:
        raise UnitsError("不是文本（CSV）文件", where=str(path),
                         hint="单位清单应为 .xlsx 或 .csv；在 Excel/WPS 中“另存为” CSV（逗号分隔）或 .xlsx")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnitsError("无法按 UTF-8 或 GBK 编码读取文件", where=str(path),
                     hint="在 Excel/WPS 中“另存为” CSV UTF-8（逗号分隔）或 .xlsx 再试")  # pragma: no cover


def _read_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    import zipfile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnitsError(f"无法打开工作簿（{exc.__class__.__name__}）", where=str(path),
                         hint="确认文件是 .xlsx 格式且没有损坏；可在 Excel/WPS 中打开后重新“另存为” .xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        lines = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_clean(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            lines.append((number, cells))
        return lines
    finally:
        workbook.close()


# ---------------------------------------------------------------- parsing


def _header_fields(cells: list[str]) -> list[str | None]:
    return [_TITLE_TO_FIELD.get(_squash(c)) for c in cells]


def _parse(path: Path, lines: list[tuple[int, list[str]]]) -> list[Unit]:
    problems: list[tuple[str, str, str]] = []  # (where, message, hint)
    lines = [(n, [_clean(c) for c in cells]) for n, cells in lines]
    content = [(n, cells) for n, cells in lines if any(cells)]
    if not content:
        raise UnitsError("单位清单是空的", where=str(path), hint=_FIX_HEADER)

    # The header is the first non-blank line, or a later one among the first
    # few when a title line sits above it.
    header_index = 0
    for i, (_, cells) in enumerate(content[:_HEADER_SEARCH_LINES]):
        if all(f in _header_fields(cells) for f in REQUIRED_FIELDS):
            header_index = i
            break
    header_line, header = content[header_index]
    fields = _header_fields(header)
    columns: dict[str, list[int]] = {}
    for index, field in enumerate(fields):
        if field:
            columns.setdefault(field, []).append(index)
    for field, indexes in columns.items():
        if len(indexes) > 1 and field not in _JOINED_FIELDS:
            titles = "、".join(f"“{header[i]}”" for i in indexes)
            problems.append((f"{path}, 第{header_line}行", f"列 {titles} 都表示“{field}”",
                             "每种信息只保留一列：删除或改名多余的列"))
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        wanted = "、".join(f"{f}（{FIELD_TITLES[f][1]}）" for f in missing)
        found = "、".join(h for h in header if h) or "（空）"
        raise UnitsError(f"表头中没有 {wanted} 列（现有：{found}）",
                         where=f"{path}, 第{header_line}行", hint=_FIX_HEADER)

    units: list[Unit] = []
    seen: dict[str, dict[str, tuple[str, int]]] = {}  # what must be unique -> its key -> (as written, line)
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    for line, cells in content[header_index + 1:]:
        where = f"{path}, 第{line}行"
        extra = [c for c in cells[width:] if c]
        if extra:
            problems.append((where, f"有 {len(cells)} 格，但表头只有 {width} 列"
                                    f"（多出：{clip('、'.join(extra[:3]))}）", _FIX_EXTRA))

        def value(field: str) -> str:
            parts = [cells[i] for i in columns.get(field, []) if i < len(cells) and cells[i]]
            return " ".join(parts) if field in _JOINED_FIELDS else (parts[0] if parts else "")

        code, name = value("code"), value("name")
        empty = [title for title, text in (("code（编码）", code), ("name（名称）", name)) if not text]
        if empty:
            problems.append((where, f"{'和'.join(empty)}为空", _FIX_EMPTY))
            continue
        naming = _naming_problems(code, name, f"第{line}行", seen)
        if naming:
            problems.extend((where, message, hint) for message, hint in naming)
            continue
        aliases = tuple(dict.fromkeys(a.strip() for a in _ALIAS_SEPARATORS.split(value("aliases")) if a.strip()))
        rows = tuple(dict.fromkeys(r for r in _ROWS_SEPARATORS.split(value("rows")) if r))
        territorial = None
        if value("territorial"):
            territorial = _TERRITORIAL_WORDS.get(_squash(value("territorial")))
            if territorial is None:
                problems.append((where, f"territorial（属地/行业）：“{clip(value('territorial'))}”既不是属地也不是行业",
                                 "属地单位（村、社区、乡镇、街道）填“属地”或“是”，部门和辖区单位填“行业”或“否”；不填则按类型（kind）判断"))
        units.append(Unit(code=code, name=name, kind=value("kind") or None, parent=value("parent") or None,
                          contact=value("contact") or None, aliases=tuple(a for a in aliases if a != name), rows=rows,
                          territorial=territorial))

    if not units and not problems:
        problems.append((f"{path}, 第{header_line}行", "表头下面没有填报单位",
                         "在表头下面每行填写一个填报单位（编码、名称……）"))
    if problems:
        raise _errors(path, problems)
    return units


_FIX_NAME = ("编码和名称会成为模板的文件名：去掉其中的控制字符和 < > : \" / \\ | ? *，不要以“.”开头或结尾，"
             f"编码不超过 {CODE_LIMIT} 个字、名称不超过 {NAME_LIMIT} 个字（更长的全称可写在 aliases 别名列）")
_FIX_SAME_NAME = "每个单位的名称必须不同（不区分大小写）：改掉其中一行的名称，或删除重复的那一行"
_FIX_SAME_FILE = "两个单位的模板文件名相同，后生成的会覆盖先生成的：改掉其中一行的编码，例如不要在编码里用“_”"


def _naming_problems(code: str, name: str, line, seen: dict) -> list[tuple[str, str]]:
    """What stops this unit's code and name from naming its files (Windows
    rules), and clashes with a unit before it (`seen`, updated): the same
    code or name in any letter case, or the same template file name.
    `line` is how the unit is referred to (第3行)."""
    problems = [(f"编码“{clip(code)}”{why}", _FIX_NAME) for why in name_problems(code, CODE_LIMIT)]
    problems += [(f"名称“{clip(name)}”{why}", _FIX_NAME) for why in name_problems(name, NAME_LIMIT)]
    if problems:
        return problems
    for kind, key, hint in (("code", same_name(code), _FIX_DUPLICATE), ("name", same_name(name), _FIX_SAME_NAME),
                            ("file", same_name(template_stem(code, name)), _FIX_SAME_FILE)):
        earlier = seen.setdefault(kind, {}).get(key)
        if earlier is None:
            continue
        other, at = earlier
        if kind == "code":
            message = f"编码“{clip(code)}”与{at}的编码“{clip(other)}”重复（不区分大小写）"
        elif kind == "name":
            message = f"名称“{clip(name)}”与{at}的名称“{clip(other)}”重复（不区分大小写）"
        else:
            message = f"模板文件名“{clip(template_stem(code, name))}_…”与{at}（{clip(other)}）的相同"
        problems.append((message, hint))
    if not problems:
        seen["code"][same_name(code)] = (code, line)
        seen["name"][same_name(name)] = (name, line)
        seen["file"][same_name(template_stem(code, name))] = (f"{code} {name}", line)
    return problems


def check_units(units) -> None:
    """The checks load_units makes on codes and names, for a list of Unit
    given by a program: raises UnitsError listing every problem."""
    seen: dict = {}
    problems = []
    for i, unit in enumerate(units, start=1):
        problems += [(f"第{i}个单位（{clip(unit.code)}）", message, hint)
                     for message, hint in _naming_problems(unit.code, unit.name, f"第{i}个单位", seen)]
    if problems:
        raise _errors(Path("单位清单"), problems)


def _errors(path: Path, problems: list[tuple[str, str, str]]) -> UnitsError:
    if len(problems) == 1:
        where, message, hint = problems[0]
        return UnitsError(message, where=where, hint=hint)
    lines = [f"  {where}: {message}" for where, message, _ in problems]
    hints = list(dict.fromkeys(hint for _, _, hint in problems))
    return UnitsError(f"单位清单有 {len(problems)} 处问题：\n" + "\n".join(lines),
                      where=str(path), hint="；\n    ".join(hints))
