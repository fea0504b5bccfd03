"""toolkit: spreadsheet reporting for local work-safety and disaster-prevention plans.

The four pipeline stages each have a module (or subpackage) and a CLI command:
plan (annex tables as data), templates, validate, consolidate.
"""

__version__ = "0.1.0"
