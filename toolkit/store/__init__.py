"""The ledger: every return of every period in one SQLite file (see ledger.py)."""

from toolkit.store.ledger import Ledger, LedgerBusy, LedgerError, open_ledger

__all__ = ["Ledger", "LedgerBusy", "LedgerError", "open_ledger"]
