"""Read and write plan files (YAML, UTF-8), with problems reported by line.

A clerk edits these files in a text editor, so loading must point at the line
of a mistake and say how to fix it, and writing must be stable (same plan, same
bytes) so that a diff shows only what changed.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from toolkit.errors import PlanError, PlanFileErrors
from toolkit.fileio import write_atomic
from toolkit.names import clip
from toolkit.plan.model import (
    COLUMN_ROLES,
    FORMAT,
    FREQUENCIES,
    MEASURES,
    OPS,
    RELATIVES,
    REPORTERS,
    ROLLUPS,
    SCALES,
    SCOPES,
    STATUSES,
    TABLE_KINDS,
    Column,
    Indicator,
    Plan,
    Row,
    Table,
    valid_baseline,
)
from toolkit.plan.deadline import Deadline

# ---------------------------------------------------------------- loading


class _Mapping(dict):
    """A dict that remembers the line of each key (1-based) and its own."""

    line: int | None = None
    key_lines: dict


class _AliasRefused(yaml.MarkedYAMLError):
    pass


class _LineLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases (&name, *name): a plan file is
    written out in full, and nested aliases make a few hundred bytes expand
    to gigabytes (a "billion laughs")."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefused(problem="计划文件中不能使用 YAML 锚点和别名（&名称、*名称）", problem_mark=event.start_mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader, node, deep=False):
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        loader.construct_object(k, deep=True): k.start_mark.line + 1 for k, _ in node.value
    }
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_plan(path: str | Path) -> Plan:
    """Load and check a plan file; raise PlanFileErrors listing every problem."""
    path = Path(path)
    if not path.exists():
        raise PlanError("找不到计划文件", where=str(path), hint="给出计划文件（.yaml）的路径，或内置计划的名称（toolkit plan list）")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError(
            f"不是 UTF-8 编码的文本（第 {exc.start} 字节）", where=str(path), hint="在编辑器中另存为 UTF-8 编码"
        ) from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, _AliasRefused):
            raise PlanFileErrors(str(path), [(line, problem, "在每个用到的地方把内容完整写出来（复制过去），不要用 & 和 *")]) from None
        raise PlanFileErrors(str(path), [(line, f"YAML 格式错误：{clip(problem, 200)}", "检查这一行和上一行的缩进和引号")]) from None
    return plan_from_data(data, str(path))


def plan_from_data(data, where: str = "<plan>") -> Plan:
    checker = _Checker(where)
    plan = checker.plan(data)
    if checker.problems:
        raise PlanFileErrors(where, checker.problems)
    return plan


class _Checker:
    """Turns parsed YAML into a Plan, collecting every problem with its line."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[tuple[int | None, str, str | None]] = []

    def problem(self, node, key, message, hint=None):
        line = None
        if isinstance(node, _Mapping):
            line = node.key_lines.get(key, node.line) if key is not None else node.line
        self.problems.append((line, message, hint))

    def field(self, node, key, types, path, *, required=True, choices=None, default=None):
        if not isinstance(node, dict) or key not in node:
            if required:
                self.problem(node, None, f"{path}：缺少“{key}”", f"加一行“{key}: …”")
            return default
        value = node[key]
        if value is None and not required:
            return None
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
            names = "/".join(t.__name__ for t in _as_tuple(types))
            self.problem(node, key, f"{path}.{key}：应为 {names}，实际是 {clip(repr(value))}")
            return default
        if choices is not None and value not in choices:
            shown = ", ".join("null" if c is None else str(c) for c in choices)
            self.problem(node, key, f"{path}.{key}：“{clip(value)}”不在可选值中：{shown}", f"请用其中之一：{shown}")
            return default
        return value

    def plan(self, data) -> Plan | None:
        if not isinstance(data, dict):
            self.problems.append((None, "这不是计划文件（顶层应为“键: 值”形式的行）", "从 toolkit plan import 生成的文件开始修改"))
            return None
        fmt = self.field(data, "format", str, "plan")
        if fmt is not None and fmt != FORMAT:
            self.problem(data, "format", f"plan.format：不支持“{clip(fmt)}”", f"此版本的 toolkit 读取“{FORMAT}”格式")
        plan_id = self.field(data, "id", str, "plan")
        if plan_id is not None and not plan_id.strip():
            self.problem(data, "id", "plan.id 为空", "给计划一个简短的编号，例如 dingshan-2026")
        title = self.field(data, "title", str, "plan")
        issuer = self.field(data, "issuer", str, "plan", required=False)
        doc_number = self.field(data, "doc_number", str, "plan", required=False)
        years = self.field(data, "years", list, "plan", default=[])
        for year in years or []:
            if not isinstance(year, int) or not 1990 <= year <= 2100:
                self.problem(data, "years", f"plan.years：{clip(repr(year))} 不是年份", "年份写成列表，例如 [2026] 或 [2024, 2025, 2026]")
        source = self.field(data, "source", str, "plan", required=False)
        issued = self.field(data, "issued", str, "plan", required=False)
        tables_data = self.field(data, "tables", list, "plan", default=[])
        tables = []
        table_ids, indicator_ids, row_ids = set(), {}, set()
        for i, table_data in enumerate(tables_data or []):
            table = self.table(table_data, f"tables[{i}]")
            if table is None:
                continue
            if table.id in table_ids:
                self.problem(table_data, "id", f"tables[{i}].id：“{clip(table.id)}”已被另一张表使用", "每张表用自己的编号")
            table_ids.add(table.id)
            for r, (row, row_data) in enumerate(zip(table.rows, table_data.get("rows") or [])):
                if row.id in row_ids:
                    self.problem(row_data, "id", f"行编号“{clip(row.id)}”用了两次", "每行用自己的编号")
                row_ids.add(row.id)
                for k, (indicator, ind_data) in enumerate(zip(row.indicators, row_data.get("indicators") or [])):
                    if indicator.id in indicator_ids:
                        self.problem(ind_data, "id", f"指标编号“{clip(indicator.id)}”用了两次（另见第 {indicator_ids[indicator.id]} 行）", "每个指标用自己的编号")
                    else:
                        indicator_ids[indicator.id] = getattr(ind_data, "line", None)
            tables.append(table)
        if not tables and not self.problems:
            self.problem(data, "tables", "plan.tables：计划中没有表", "用 toolkit plan import 导入附件")
        keys: dict[str, int | None] = {}
        for table, table_data in zip(tables, tables_data or []):
            for row, row_data in zip(table.rows, table_data.get("rows") or []):
                for indicator, ind_data in zip(row.indicators, row_data.get("indicators") or []):
                    if not indicator.key:
                        continue
                    if indicator.key in keys:
                        self.problem(ind_data, "key", f"指标键“{clip(indicator.key)}”用了两次（另见第 {keys[indicator.key]} 行）",
                                     "键必须唯一：保留台账已知指标的键，给另一个指标换一个新键")
                    keys[indicator.key] = getattr(ind_data, "line", None)
        if self.problems:
            return None
        plan = Plan(id=plan_id, title=title, issuer=issuer, doc_number=doc_number, years=list(years), tables=tables, source=source,
                    issued=issued)
        from toolkit.plan.keys import fill_keys

        fill_keys(plan)  # plan files written before keys existed
        return plan

    def table(self, data, path) -> Table | None:
        if not isinstance(data, dict):
            self.problems.append((None, f"{path}: expected a table (id, title, kind, columns, rows)", None))
            return None
        n = len(self.problems)
        table_id = self.field(data, "id", str, path)
        title = self.field(data, "title", str, path)
        kind = self.field(data, "kind", str, path, choices=TABLE_KINDS)
        columns = []
        keys = set()
        for j, col in enumerate(self.field(data, "columns", list, path, default=[]) or []):
            cpath = f"{path}.columns[{j}]"
            key = self.field(col, "key", str, cpath)
            col_title = self.field(col, "title", str, cpath)
            role = self.field(col, "role", str, cpath, choices=COLUMN_ROLES, default="other")
            if key in keys:
                self.problem(col, "key", f"{cpath}.key：“{clip(key)}”用了两次", "同一张表中的列键必须唯一")
            keys.add(key)
            columns.append(Column(key=key, title=col_title, role=role))
        rows = []
        for r, row_data in enumerate(self.field(data, "rows", list, path, default=[]) or []):
            row = self.row(row_data, f"{path}.rows[{r}]", keys)
            if row is not None:
                rows.append(row)
        if len(self.problems) > n:
            return None
        return Table(id=table_id, title=title, kind=kind, columns=columns, rows=rows)

    def row(self, data, path, keys) -> Row | None:
        if not isinstance(data, dict):
            self.problems.append((None, f"{path}: expected a row (id, label, cells)", None))
            return None
        row_id = self.field(data, "id", str, path)
        label = self.field(data, "label", (str, int), path)
        cells = self.field(data, "cells", dict, path, default={}) or {}
        clean_cells = {}
        for key, text in cells.items():
            if key not in keys:
                self.problem(cells, key, f"{path}.cells：“{clip(key)}”不是本表的列", f"请用其中之一：{clip('、'.join(sorted(keys)), 200)}")
            clean_cells[key] = "" if text is None else str(text)
        deadline = self.deadline(data, "deadline", self.field(data, "deadline", str, path, required=False), path)
        review = [str(t) for t in (self.field(data, "review", list, path, required=False) or [])]
        include_related = self.field(data, "include_related", bool, path, required=False, default=False) or False
        is_task = self.field(data, "is_task", bool, path, required=False, default=False) or False
        merged_up = self.field(data, "merged_up", list, path, required=False) or []
        for key in merged_up:
            if key not in keys:
                self.problem(data, "merged_up", f"{path}.merged_up：“{clip(key)}”不是列键", f"请用其中之一：{clip('、'.join(sorted(keys)), 200)}")
        indicators = []
        for k, ind in enumerate(self.field(data, "indicators", list, path, required=False) or []):
            indicator = self.indicator(ind, f"{path}.indicators[{k}]")
            if indicator is not None:
                indicators.append(indicator)
        return Row(id=row_id, label=str(label), cells=clean_cells, indicators=indicators, deadline=deadline, is_task=is_task,
                   merged_up=[str(k) for k in merged_up], review=review, include_related=include_related)

    def deadline(self, node, key, text, path) -> Deadline | None:
        if text is None:
            return None
        try:
            return Deadline.from_canonical(text)
        except (ValueError, KeyError):
            self.problem(node, key, f"{path}.{key}：“{clip(text)}”不是完成时限", "日期写作 2026-11-30，多个日期写作 2025-12-31;2026-12-31，或写 every:year（每年）/ every:quarter（每季度）/ ongoing（长期坚持）")
            return None

    def indicator(self, data, path) -> Indicator | None:
        if not isinstance(data, dict):
            self.problems.append((None, f"{path}: expected an indicator (id, name, op, ...)", None))
            return None
        n = len(self.problems)
        values = {
            "id": self.field(data, "id", str, path),
            "key": self.field(data, "key", str, path, required=False, default="") or "",
            "name": self.field(data, "name", str, path),
            "text": self.field(data, "text", str, path),
            "op": self.field(data, "op", str, path, choices=OPS),
            "value": self.field(data, "value", (int, float), path, required=False),
            "scale": self.field(data, "scale", str, path, required=False, choices=SCALES),
            "unit": self.field(data, "unit", str, path, required=False),
            "relative": self.field(data, "relative", str, path, required=False, choices=RELATIVES),
            "baseline": self.field(data, "baseline", str, path, required=False),
            "deadline": self.field(data, "deadline", str, path, required=False),
            "frequency": self.field(data, "frequency", str, path, required=False, choices=FREQUENCIES),
            "status": self.field(data, "status", str, path, required=False, choices=STATUSES, default="parsed") or "parsed",
            "note": self.field(data, "note", str, path, required=False),
            "measure": self.field(data, "measure", str, path, choices=MEASURES),
            "rollup": self.field(data, "rollup", str, path, choices=ROLLUPS),
            "zero_tolerance": self.field(data, "zero_tolerance", bool, path, required=False, default=False) or False,
            "numerator": self.field(data, "numerator", str, path, required=False),
            "denominator": self.field(data, "denominator", str, path, required=False),
            "scope": self.field(data, "scope", str, path, required=False, choices=SCOPES, default="area") or "area",
            "reporters": self.field(data, "reporters", str, path, required=False, choices=REPORTERS, default="lead") or "lead",
            "series": self.field(data, "series", str, path, required=False),
        }
        values["deadline"] = self.deadline(data, "deadline", values["deadline"], path)
        if values["relative"] and values["baseline"] is None:
            values["baseline"] = "same-period-last-year"
        if values["baseline"] is not None and not valid_baseline(values["baseline"]):
            self.problem(data, "baseline", f"{path}.baseline：“{clip(values['baseline'])}”不是基线",
                         "用 same-period-last-year（上年同期）、last-year-total（上年全年）、previous-period（上一报送期）或 year:2025")
        if len(self.problems) > n:
            return None
        op, value = values["op"], values["value"]
        if op != "qualitative" and value is None and values["status"] == "parsed":
            self.problem(data, "value", f"{path}：op“{clip(op)}”需要 value", "加一行 value: 数字（100% 写作 1.0，3‰ 写作 0.003），或改为 op: qualitative（定性）")
        if values["measure"] == "rate" and values["rollup"] == "ratio" and not (values["numerator"] and values["denominator"]):
            self.problem(data, "measure", f"{path}：按 Σ分子/Σ分母汇总的比率需要 numerator（分子）和 denominator（分母）", "加上 numerator: … 和 denominator: …（单位统计的分子和分母各是什么）")
        if values["rollup"] == "ratio" and values["measure"] != "rate":
            self.problem(data, "rollup", f"{path}：rollup: ratio 只适用于 measure: rate（比率）", "计数和数量用 rollup: sum，其他用 none")
        if values["rollup"] == "sum" and values["measure"] not in ("count", "amount"):
            self.problem(data, "rollup", f"{path}：rollup: sum 只适用于计数和数量", "比率用 rollup: ratio，其他用 none")
        if value is not None:
            values["value"] = float(value)
        return Indicator(**values)


def _as_tuple(types):
    return types if isinstance(types, tuple) else (types,)


# ---------------------------------------------------------------- writing

_INDICATOR_KEEP_NULL = {"value"}


class _Dumper(yaml.SafeDumper):
    pass


class _Flow(dict):
    pass


class _FlowList(list):
    pass


def _represent_str(dumper, text):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, lambda d, s: d.represent_sequence("tag:yaml.org,2002:seq", s, flow_style=True))
_Dumper.add_representer(_Flow, lambda d, m: d.represent_mapping("tag:yaml.org,2002:map", m, flow_style=True))


def plan_to_yaml(plan: Plan) -> str:
    data = plan.to_dict()
    data["years"] = _FlowList(data["years"])
    for table in data["tables"]:
        table["columns"] = [_Flow(c) for c in table["columns"]]
        for row in table["rows"]:
            if row["deadline"] is None:
                row.pop("deadline")
            if not row["is_task"]:
                row.pop("is_task")
            if row["merged_up"]:
                row["merged_up"] = _FlowList(row["merged_up"])
            else:
                row.pop("merged_up")
            if not row["review"]:
                row.pop("review")
            if not row["include_related"]:
                row.pop("include_related")
            if not row["indicators"]:
                row.pop("indicators")
                continue
            row["indicators"] = [
                {k: v for k, v in ind.items() if k in _INDICATOR_KEEP_NULL or (v is not None and v is not False)}
                for ind in row["indicators"]
            ]
    header = (
        "# toolkit plan file: the annex tables of a published plan as data.\n"
        "# Edit with any text editor (UTF-8); check with: toolkit plan check FILE\n"
        "# Format: docs/plan-format.md\n"
    )
    return header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000, indent=2)


def save_plan(plan: Plan, path: str | Path) -> None:
    write_atomic(path, plan_to_yaml(plan))
