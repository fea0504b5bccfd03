"""How the ledger keeps an issued consolidation (consolidations.json_gz).

A consolidation is its lists (Consolidation.compact: field names and rows) and
its values, a million at a province's size. The values are kept column by
column as codes into each column's distinct values, every distinct value once
as the JSON text the issued file gave it: quick to write (no million-element
JSON to encode), quick to load (the codes are one array per column), and the
values' part of the JSON issued is put together again from those texts
without encoding a value twice.

    blob = zlib( MAGIC | header length (8 bytes) | header JSON | codes (int32, column after column) )
    header = {"compact": …, "rows": n, "values": {key: [JSON text of each distinct value]}}

Blobs written before (zlib of {"compact", "values": {key: [value, …]}}) are read too.
"""

from __future__ import annotations

import json
import zlib
from itertools import repeat

import numpy as np

from toolkit.model.consolidation import _ENCODE, VALUE_KEYS, VALUES_MARK

MAGIC = b"TKV1"


class StoredValues:
    """A consolidation's values as codes (VALUE_KEYS order) into JSON texts of distinct values."""

    def __init__(self, rows: int, texts: dict[str, list[str]], codes: dict[str, np.ndarray]):
        self.rows, self.texts, self.codes = rows, texts, codes

    @classmethod
    def from_columns(cls, columns: dict) -> StoredValues:
        """From {key: sequence of values} (Consolidation.value_columns, or a table's columns)."""
        import pandas as pd

        texts, codes = {}, {}
        rows = 0
        for key in VALUE_KEYS:
            column = np.asarray(columns[key], dtype=object)
            rows = len(column)
            if set(map(type, column)) - {str, float, type(None)}:
                # ints or booleans would share a code with equal floats (1 == 1.0 == True): by their text
                column = np.array([_ENCODE(v) for v in column.tolist()], dtype=object)
                found, uniques = pd.factorize(column, use_na_sentinel=False)
                texts[key] = list(uniques)
            else:
                found, uniques = pd.factorize(column, use_na_sentinel=False)
                # a missing number is null, as Consolidation.json_chunks writes it
                texts[key] = [_ENCODE(None if isinstance(v, float) and v != v else v) for v in uniques.tolist()]
            codes[key] = found.astype(np.int32)
        return cls(rows, texts, codes)

    def columns(self) -> dict[str, np.ndarray]:
        """{key: object array of the values}."""
        out = {}
        for key in VALUE_KEYS:
            values = np.empty(len(self.texts[key]), dtype=object)
            values[:] = [json.loads(text) for text in self.texts[key]]
            out[key] = values[self.codes[key]]
        return out

    def json_list(self) -> str:
        """The values as the JSON list `Consolidation.json_chunks` writes ("[\\n    {…},\\n    {…}\\n  ]")."""
        return "".join(self.json_list_chunks())

    def json_list_chunks(self, rows_per_chunk: int = 20_000):
        """json_list() in pieces of `rows_per_chunk` values: a province's list is
        hundreds of MB of text, never held whole."""
        if not self.rows:
            yield "[]"
            return
        heads = [("{" if k == 0 else ", ") + _ENCODE(key) + ": " for k, key in enumerate(VALUE_KEYS)]
        texts = {key: np.asarray(self.texts[key], dtype=object) for key in VALUE_KEYS}
        yield "[\n    "
        for start in range(0, self.rows, rows_per_chunk):
            stop = min(self.rows, start + rows_per_chunk)
            pieces = []
            for head, key in zip(heads, VALUE_KEYS):
                pieces.append(repeat(head))
                pieces.append(texts[key][self.codes[key][start:stop]].tolist())
            pieces.append(repeat("}"))
            yield ("" if start == 0 else ",\n    ") + ",\n    ".join(map("".join, zip(*pieces)))
        yield "\n  ]"

    def json_text_chunks(self, head: str):
        """The JSON of `json_chunks(values=False)` (`head`) with these values put
        back, in pieces: the text issued."""
        at = head.index(VALUES_MARK) + len(VALUES_MARK) - 2
        yield head[:at]
        yield from self.json_list_chunks()
        yield head[at + 2:]


def pack(compact: dict, values: StoredValues) -> bytes:
    header = json.dumps({"compact": compact, "rows": values.rows, "values": values.texts},
                        ensure_ascii=False, allow_nan=False).encode("utf-8")
    body = b"".join(values.codes[key].astype("<i4").tobytes() for key in VALUE_KEYS)
    return zlib.compress(MAGIC + len(header).to_bytes(8, "little") + header + body, 1)


def unpack(blob: bytes) -> tuple[dict, StoredValues]:
    """(the compact consolidation, its values) of a stored blob."""
    data = zlib.decompress(blob)
    if not data.startswith(MAGIC):  # written before: the values as JSON columns
        stored = json.loads(data.decode("utf-8"))
        return stored["compact"], StoredValues.from_columns(stored["values"])
    size = int.from_bytes(data[4:12], "little")
    header = json.loads(data[12:12 + size].decode("utf-8"))
    rows = header["rows"]
    codes, at = {}, 12 + size
    for key in VALUE_KEYS:
        codes[key] = np.frombuffer(data, dtype="<i4", count=rows, offset=at).astype(np.intp)
        at += 4 * rows
    return header["compact"], StoredValues(rows, header["values"], codes)
