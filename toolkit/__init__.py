"""toolkit: spreadsheet reporting for local work-safety and disaster-prevention plans.

    import toolkit
    plan = toolkit.load_plan("dingshan-2026")
    report = toolkit.validate(plan, ["回收/"], units="examples/dingshan-units.csv", period="2026Q2")

The public API (toolkit.api) is one function per CLI command: load_plan,
check_plan, assignment, build_templates, validate, consolidate, brief, simulate_returns,
run_demo; the ledger (open_ledger, history_periods, history_units,
history_indicator, history_import, history_export); the clerk's desk
(receive_uploads, period_status; `toolkit serve`);
and the results they return (ValidationReport, Consolidation, ReturnData,
Finding) with to_json/from_json. Names are imported on first use, so
`import toolkit` (and `toolkit --help`) stays fast.
"""

__version__ = "0.1.0"

_API = {
    "load_plan": "toolkit.api", "load_units": "toolkit.api", "check_plan": "toolkit.api", "assignment": "toolkit.api",
    "build_templates": "toolkit.api", "validate": "toolkit.api", "consolidate": "toolkit.api",
    "brief": "toolkit.api", "simulate_returns": "toolkit.api", "run_demo": "toolkit.api",
    "open_ledger": "toolkit.api", "history_periods": "toolkit.api", "history_units": "toolkit.api",
    "history_indicator": "toolkit.api", "history_import": "toolkit.api", "history_export": "toolkit.api",
    "receive_uploads": "toolkit.api", "period_status": "toolkit.api",
    "read_returns": "toolkit.intake",
    "ReturnData": "toolkit.model.returns", "ValidationReport": "toolkit.model.validation",
    "Consolidation": "toolkit.model.consolidation", "Finding": "toolkit.findings",
    "Plan": "toolkit.plan.model", "Unit": "toolkit.units", "Period": "toolkit.periods",
    "ToolkitError": "toolkit.errors", "OutputsNotWritten": "toolkit.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(__all__)
