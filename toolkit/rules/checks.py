"""One long DataFrame of every input cell of every return, checked with pandera.

Rows: one per unit × indicator (or task row) × field, with file, sheet and
cell, the value as typed and as read. Two pandera passes over the whole frame,
never one per file:

1. types: what people typed, read as numbers, statuses or text
   (toolkit.normalize); a cell that could not be read fails here, so a bad
   type never hides a range failure in the same column;
2. values: one schema compiled from the plan and the rule packs: ranges,
   required inputs, cross-field rules, and the targets. Target checks run on
   derived `result` rows (the rate from numerator and denominator, the
   cumulative count, the change against the baseline); a miss is a failure
   case like any other, kept at warning level by the finding registry (pandera's
   own raise_warning would drop the failure cases).

Every failure case maps back to its row, and so to file, sheet and cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from toolkit.rules.packs import Rule
from toolkit.rules.judge import compare, judgement
from toolkit.xlsx.style import TEXT_LIMIT  # one limit for the template and the check

NUMERIC_KINDS = ("integer", "decimal", "percent")
# Inputs that must be filled (unless the task row is 不适用): the figures a
# target is judged on, and a task's status.
REQUIRED_FIELDS = ("value", "cumulative", "numerator", "denominator", "status")


@dataclass
class Failure:
    code: str
    index: int  # row of the frame


# Columns whose strings arrive once per return (each return's cells are sent
# from its worker process with strings of their own): made to share one
# object per distinct value, which for a province's returns saves hundreds of MB.
_SHARED_STRINGS = ("sheet", "cell", "row_id", "indicator_id", "typed")


def build_frame(returns) -> pd.DataFrame:
    """The long frame of every input cell of the given returns (ReturnData,
    their cells already typed into columns by toolkit.intake)."""
    from toolkit.intake import type_cells
    from toolkit.model.returns import COLUMNS

    for ret in returns:
        if ret.cells is None:
            type_cells(ret, keep_raw=True)
    counts = np.array([len(ret.cells["cell"]) for ret in returns], dtype=np.int64)
    total = int(counts.sum())
    data = {}
    for name in COLUMNS:  # each column filled slice by slice: no list of a million entries in between
        column = np.empty(total, dtype=float if name == "number" else object)
        position = 0
        for ret, count in zip(returns, counts.tolist()):
            column[position:position + count] = ret.cells[name]
            position += count
        if name in _SHARED_STRINGS and total:
            codes, uniques = pd.factorize(column, use_na_sentinel=False)
            column = np.asarray(uniques, dtype=object)[codes]
        data[name] = column
    # each cell's return, by id (a categorical: one code per return, not a string per cell)
    positions = np.repeat(np.arange(len(returns)), counts)
    frame = pd.DataFrame({
        "file": pd.Categorical.from_codes(positions, categories=[ret.id for ret in returns]),
        "unit": pd.Series(np.array([ret.unit for ret in returns] or [None], dtype=object)[positions], dtype=object),
        **{name: pd.Series(values, dtype=float if name == "number" else object) for name, values in data.items()},
    })
    for name in ("field", "kind"):
        frame[name] = frame[name].astype("category")
    return frame


def fill_baselines(frame: pd.DataFrame, baselines: dict) -> None:
    """Blank baseline cells take the office's figure for that unit and indicator."""
    rows = (frame["field"] == "baseline") & frame["number"].isna() & frame["problem"].isna()
    for index in frame.index[rows]:
        value = baselines.get((frame.at[index, "unit"], frame.at[index, "indicator_id"]))
        if value is not None:
            frame.at[index, "number"] = float(value)
            frame.at[index, "note"] = "基线取自基线文件"


def _objects(values) -> pd.Series:
    """A column of Python objects: pandas 3 would infer its string dtype, which
    is slow to iterate row by row (and these columns are)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return pd.Series(array, dtype=object)


# ------------------------------------------------------------------ pass 1


def types_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {"problem": pa.Column(object, nullable=True, checks=pa.Check(lambda s: s.isna(), name="type", error="cell could not be read as its type"))},
        name="types",
    )


def run_types_pass(frame: pd.DataFrame) -> list[Failure]:
    try:
        types_schema().validate(frame[["problem"]], lazy=True)
    except pa.errors.SchemaErrors as errors:
        index = errors.failure_cases["index"].dropna().astype(int).unique()
        return [Failure(frame.at[i, "problem"], int(i)) for i in sorted(index)]
    return []


# ------------------------------------------------------------------ results


def add_results(frame: pd.DataFrame, plan, period_of_file: dict[str, object], windows: dict | None = None) -> pd.DataFrame:
    """Append one `result` row per file × indicator: the figure its target is
    judged on, with the rule (op, target) and whether it is due. The row points
    at the input cell that figure mostly comes from.

    windows: the ledger's 本期 figures of earlier periods ({(unit, indicator id,
    period code): number}, toolkit.store.queries.window_figures), or None
    without a ledger: with them a frequency's window of several periods is
    judged on their sum (toolkit.rules.judge)."""
    extra = {"op": pd.Series(dtype=object), "target": pd.Series(dtype=float), "due": pd.Series(dtype=bool),
             "checkable": pd.Series(dtype=bool), "per_unit": pd.Series(dtype=bool), "state": pd.Series(dtype=object),
             "basis": pd.Series(dtype=object), "judge_note": pd.Series(dtype=object)}
    if frame.empty:
        return frame.assign(**extra, group=pd.Series(dtype=int))
    indicators = {ind.id: ind for _, _, ind in plan.indicators()}
    keyed = frame.loc[frame["indicator_id"] != "", ["file", "indicator_id", "field", "number", "cell", "unit", "sheet", "row_id"]]
    # one row per file × indicator, even when every input of it is blank
    indexed = keyed.assign(field=keyed["field"].astype(str)).set_index(["file", "indicator_id", "field"])
    wide = indexed["number"].unstack("field")
    cells = indexed["cell"].unstack("field")
    for name in ("value", "cumulative", "numerator", "denominator", "baseline"):
        if name not in wide:
            wide[name] = np.nan
            cells[name] = None
    firsts = keyed.drop_duplicates(["file", "indicator_id"]).set_index(["file", "indicator_id"]).loc[wide.index]

    # How each indicator is judged, once per (indicator, period).
    file_ids = np.asarray(wide.index.get_level_values("file"), dtype=object)
    indicator_ids = wide.index.get_level_values("indicator_id").to_numpy()
    period_codes = np.array([period_of_file[f].code for f in file_ids.tolist()], dtype=object)
    # one judgement per distinct (indicator, period), spread to its rows by index
    indicator_codes, unique_indicators = pd.factorize(indicator_ids)
    period_index, unique_periods = pd.factorize(period_codes)
    codes, pair_codes = pd.factorize(indicator_codes * len(unique_periods) + period_index)
    pairs = [(unique_indicators[k // len(unique_periods)], unique_periods[k % len(unique_periods)]) for k in pair_codes]
    periods = {period_of_file[f].code: period_of_file[f] for f in np.unique(file_ids)}
    judged = [judgement(indicators[i], periods[code], history=windows is not None) for i, code in pairs]

    def spread(values, dtype):
        return np.array(values, dtype=dtype)[codes]

    source = spread([j.source for j in judged], object)
    relative = spread([indicators[i].relative or "" for i, _ in pairs], object)
    is_rate = spread([indicators[i].measure == "rate" for i, _ in pairs], bool)

    numerator, denominator = wide["numerator"].to_numpy(float), wide["denominator"].to_numpy(float)
    value, cumulative, baseline = wide["value"].to_numpy(float), wide["cumulative"].to_numpy(float), wide["baseline"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(denominator > 0, numerator / denominator, np.nan)
    has_cumulative = ~np.isnan(cumulative)
    count = np.where(has_cumulative, cumulative, value)
    count_cell = np.where(has_cumulative, cells["cumulative"].to_numpy(object), cells["value"].to_numpy(object))
    change_base = np.where(is_rate, rate, count)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(relative == "decrease", (baseline - change_base) / baseline, (change_base - baseline) / baseline)
    change = np.where(baseline > 0, change, np.nan)

    actual = np.select([source == "rate", source == "cumulative", source == "change"], [rate, count, change], value)
    checkable = spread([j.checkable for j in judged], bool)
    state = spread([j.state for j in judged], object)
    judge_note = spread([j.review_note for j in judged], object)
    if (source == "window").any():
        _add_window_figures(actual, checkable, state, judge_note, source == "window", pairs, codes, indicators, periods,
                            firsts["unit"].to_numpy(object), windows, spread([j.target for j in judged], float),
                            spread([j.op for j in judged], object), spread([j.due for j in judged], bool))
    numerator_cell = cells["numerator"].to_numpy(object)
    cell = np.select([source == "rate", source == "cumulative", (source == "change") & is_rate, source == "change"],
                     [numerator_cell, count_cell, numerator_cell, count_cell], cells["value"].to_numpy(object))
    count = len(file_ids)

    def objects(values):
        return _objects(values if not np.isscalar(values) and values is not None else [values] * count)

    results = pd.DataFrame({
        "file": pd.Categorical(file_ids, categories=frame["file"].cat.categories), "unit": objects(firsts["unit"].to_numpy()), "sheet": objects(firsts["sheet"].to_numpy()),
        "cell": objects(cell), "row_id": objects(firsts["row_id"].to_numpy()), "indicator_id": objects(indicator_ids),
        "field": objects("result"), "kind": objects("decimal"), "typed": objects(""), "number": actual.astype(float),
        "text": objects(None), "problem": objects(None), "note": objects(None),
        "op": objects(spread([j.op for j in judged], object)), "target": spread([j.target for j in judged], float),
        "due": spread([j.due for j in judged], bool), "checkable": checkable,
        "per_unit": spread([j.per_unit for j in judged], bool), "state": objects(state),
        "basis": objects(spread([j.basis for j in judged], object)),
        "judge_note": objects(judge_note),
    })
    frame = frame.assign(op=np.full(len(frame), None, dtype=object), target=np.nan, due=False, checkable=False,
                         per_unit=False, state=np.full(len(frame), None, dtype=object),
                         basis=np.full(len(frame), None, dtype=object),
                         judge_note=np.full(len(frame), None, dtype=object))
    for name in ("field", "kind"):  # the same categories on both sides: concat keeps them without re-reading
        categories = frame[name].cat.categories.union(pd.Index(results[name].unique()), sort=False)
        frame[name] = frame[name].cat.set_categories(categories)
        results[name] = pd.Categorical(results[name], categories=categories)
    combined = pd.concat([frame, results], ignore_index=True)
    combined["group"] = combined.groupby(["file", "row_id", "indicator_id"], sort=False, observed=True).ngroup()
    return combined


def _add_window_figures(actual, checkable, state, judge_note, rows, pairs, codes, indicators, periods, units,
                        windows, target, op, due) -> None:
    """A frequency's window of several periods (`rows`): its figure is this
    period's own plus the earlier periods' from the ledger. A window that
    closes short of its target with earlier periods missing from the ledger
    cannot be judged ("incomplete"); one that reached it can, whatever is missing."""
    from toolkit.periods import period_label
    from toolkit.rules.judge import window_before
    from toolkit.words import window_label

    earlier = {}  # pair code -> [(period code, label)]
    for k in np.unique(codes[rows]).tolist():
        indicator_id, code = pairs[k]
        earlier[k] = [(p.code, period_label(p.code)) for p in window_before(indicators[indicator_id], periods[code])]
    for r in np.flatnonzero(rows).tolist():
        if np.isnan(actual[r]):
            continue  # this period's own figure is blank: nothing to add it to
        indicator_id, code = pairs[codes[r]]
        found = [(windows.get((units[r], indicator_id, c)), label) for c, label in earlier[codes[r]]]
        actual[r] += sum(n for n, _ in found if n is not None)
        missing = [label for n, label in found if n is None]
        if not missing or (op[r] in (">=", ">") and compare(actual[r:r + 1], op[r:r + 1], target[r:r + 1])[0]):
            continue
        if due[r]:
            period = periods[code]
            name = window_label(indicators[indicator_id].frequency, period.year, period.end.month)
            judge_note[r] = (f"台账中缺少{'、'.join(missing)}的报表，无法判断{name}是否达标"
                             f"（已有各期合计 {actual[r]:g} {indicators[indicator_id].unit or '次'}）")
            state[r], checkable[r], actual[r] = "incomplete", False, np.nan


# ------------------------------------------------------------------ pass 2


class _Groups:
    """Per-group lookups of other fields, computed once per frame."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._number: dict[str, pd.Series] = {}
        self._text: dict[str, pd.Series] = {}

    def number_of(self, field: str, groups: pd.Series) -> np.ndarray:
        if field not in self._number:
            rows = self.frame[self.frame["field"] == field]
            self._number[field] = pd.Series(rows["number"].to_numpy(), index=rows["group"].to_numpy())
        series = self._number[field]
        return series.reindex(groups.to_numpy()).to_numpy(dtype=float)

    def text_of(self, field: str, groups: pd.Series) -> np.ndarray:
        if field not in self._text:
            rows = self.frame[self.frame["field"] == field]
            self._text[field] = pd.Series(rows["text"].to_numpy(), index=rows["group"].to_numpy())
        return self._text[field].reindex(groups.to_numpy()).to_numpy(dtype=object)

    def not_applicable(self, frame: pd.DataFrame) -> np.ndarray:
        """Whether each row's annex row is marked 不适用 (its task status)."""
        rows = self.frame.loc[self.frame["field"] == "status", ["file", "row_id", "text"]]
        rows = rows.drop_duplicates(["file", "row_id"], keep="last")
        found = frame[["file", "row_id"]].merge(rows, on=["file", "row_id"], how="left", sort=False)["text"]
        return found.eq("不适用").to_numpy(dtype=bool)


def _missed(frame: pd.DataFrame) -> np.ndarray:
    """Result rows whose target binds the unit, is due and is not met (the
    target check's failures). An area target's unit rows are never missed:
    only the area figure is judged (toolkit.rules.judge)."""
    is_result = (frame["field"] == "result").to_numpy()
    number = frame["number"].to_numpy(dtype=float)
    judged = np.flatnonzero(is_result & frame["checkable"].to_numpy(dtype=bool) & frame["due"].to_numpy(dtype=bool)
                            & frame["per_unit"].to_numpy(dtype=bool) & ~np.isnan(number))
    missed = np.zeros(len(frame), dtype=bool)
    missed[judged] = ~compare(number[judged], frame["op"].to_numpy(dtype=object)[judged],
                              frame["target"].to_numpy(dtype=float)[judged])
    return missed


def values_schema(rules: list[Rule], groups: _GroupsCache) -> pa.DataFrameSchema:
    """The schema every return is checked against, compiled from the rule packs
    and the plan's targets (carried on the frame's result rows)."""

    def not_negative(df):
        inputs = (df["field"] != "result") & df["kind"].isin(NUMERIC_KINDS)
        return ~(inputs & (df["number"] < 0))

    def percent_in_range(df):
        return ~((df["kind"] == "percent") & (df["field"] != "result") & (df["number"] > 1 + 1e-9))

    def required(df):
        # a task row marked 不适用 needs no figures; its status is always required; a
        # cooperating unit need not give the area figure its lead unit reports
        blank = df["field"].isin(REQUIRED_FIELDS) & df["__blank"]
        exempt = (df["__not_applicable"] | df["__optional"]) & (df["field"] != "status")
        return ~(blank & ~exempt)

    def text_length(df):
        lengths = df["text"].str.len().fillna(0)  # blanks are None
        return ~(df["kind"].eq("text") & (lengths > TEXT_LIMIT))

    def target(df):
        return pd.Series(~_missed(df), index=df.index)

    # ignore_na=False: every check deals with blanks itself, and pandera's
    # default would test the whole frame for missing values once per check
    checks = [
        pa.Check(not_negative, name="negative", ignore_na=False),
        pa.Check(percent_in_range, name="percent-out-of-range", ignore_na=False),
        pa.Check(required, name="required-missing", ignore_na=False),
        pa.Check(text_length, name="text-too-long", ignore_na=False),
        pa.Check(target, name="target-missed", ignore_na=False),
    ]
    checks.extend(_compile(rule, groups) for rule in rules)
    return pa.DataFrameSchema(
        {
            "number": pa.Column(float, nullable=True),
            "field": pa.Column("category"),
            "group": pa.Column(int),
        },
        checks=checks,
        name="values",
    )


class _GroupsCache:
    """The per-group lookups of the frame being validated, shared by all rule
    checks of one run and dropped after it (pandera keeps schemas, and so
    their checks, registered on validated frames)."""

    def __init__(self):
        self.frame, self.groups = None, None

    def __call__(self, df) -> _Groups:
        if self.frame is not df:  # the frame itself is held: an id could be reused by another object
            self.frame, self.groups = df, _Groups(df)
        return self.groups

    def clear(self):
        self.frame, self.groups = None, None


def _compile(rule: Rule, groups: _GroupsCache) -> pa.Check:

    if rule.kind == "compare":
        def check(df):
            mine = (df["field"] == rule.field).to_numpy()
            values = df["number"].to_numpy(dtype=float)
            other = groups(df).number_of(rule.other, df["group"]) if rule.other else np.full(len(df), rule.value)
            both = mine & ~np.isnan(values) & ~np.isnan(other)
            ok = compare(values, np.full(len(df), rule.op, dtype=object), other)
            return pd.Series(~(both & ~ok), index=df.index)
    elif rule.kind == "required_when":
        def check(df):
            mine = (df["field"] == rule.field).to_numpy()
            blank = df["__empty"].to_numpy()
            trigger = np.isin(groups(df).text_of(rule.when, df["group"]).astype(str), rule.values)
            return pd.Series(~(mine & blank & trigger), index=df.index)
    elif rule.kind == "required_if_missed":
        def check(df):
            mine = (df["field"] == rule.field).to_numpy()
            blank = df["__empty"].to_numpy()
            missed_groups = set(df.loc[_missed(df), "group"])
            missed = df["group"].isin(missed_groups).to_numpy()
            return pd.Series(~(mine & blank & missed), index=df.index)
    else:  # required, required_if_relative: the field exists only where it is asked for
        def check(df):
            mine = (df["field"] == rule.field).to_numpy()
            blank = df["__blank"].to_numpy()
            return pd.Series(~(mine & blank), index=df.index)
    return pa.Check(check, name=rule.code, ignore_na=False)


_CHECKED_COLUMNS = ["file", "row_id", "indicator_id", "field", "kind", "number", "text", "group",
                    "op", "target", "due", "checkable", "per_unit"]


def optional_figures(frame: pd.DataFrame, lead_only: set[tuple[str, str]]) -> np.ndarray:
    """Rows of `frame` whose unit need not fill them: (unit, indicator id) in
    `lead_only`, an area figure its row's lead unit reports (toolkit.assign)."""
    if not lead_only or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    # as integer pairs: a province's frame has millions of rows
    unit_codes, units = pd.factorize(frame["unit"].to_numpy(object))
    indicator_codes, indicators = pd.factorize(frame["indicator_id"].to_numpy(object))
    unit_index = {u: k for k, u in enumerate(units)}
    indicator_index = {i: k for k, i in enumerate(indicators)}
    wanted = [unit_index[u] * len(indicators) + indicator_index[i] for u, i in lead_only
              if u in unit_index and i in indicator_index]
    return np.isin(unit_codes.astype(np.int64) * len(indicators) + indicator_codes, wanted)


def run_values_pass(frame: pd.DataFrame, rules: list[Rule], lead_only: set[tuple[str, str]] = frozenset()) -> list[Failure]:
    """All failures of the values schema, as (code, frame row). `lead_only`:
    (unit, indicator id) whose figures the unit may leave blank (a cooperating
    unit of an area figure its lead reports)."""
    if frame.empty:
        return []
    not_applicable = _Groups(frame).not_applicable(frame)
    # computed once, for every check that needs them
    empty = frame["number"].isna().to_numpy() & frame["text"].isna().to_numpy()
    no_problem = frame["problem"].isna().to_numpy()
    # only what the checks look at: pandera's failure cases copy the rows checked
    checked = frame[_CHECKED_COLUMNS].assign(__not_applicable=not_applicable, __empty=empty,
                                             __blank=empty & no_problem,
                                             __optional=optional_figures(frame, set(lead_only)))
    groups = _GroupsCache()
    try:
        values_schema(rules, groups).validate(checked, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()][["check", "index"]].drop_duplicates()
        return [Failure(str(check), int(index)) for check, index in zip(cases["check"], cases["index"])]
    finally:
        groups.clear()
    return []
