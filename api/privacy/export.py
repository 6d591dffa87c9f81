"""A member's data as one zip (GDPR Art. 15 and 20): readable by people and by programs.

Inside ``spotter-export-<member>/``:

* ``<kind>.json``: one document per data kind, ``{"kind", "title", "records": [...]}``;
* ``<kind>.csv``: the same records for the tabular kinds (JSON cells as JSON text);
* ``schema.json``: a JSON Schema (draft 2020-12) of the whole export (``export.json``'s
  shape); every ``<kind>.json`` is its ``kinds.<kind>`` part;
* ``export.json``: every kind in one document, with when and for whom it was made;
* ``README.txt``: what each kind and each field means.

The schema and README are generated from :mod:`api.privacy.member_data`, so they describe
exactly what is exported.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer
from sqlalchemy.ext.asyncio import AsyncSession

from api.privacy.collect import collect
from api.privacy.member_data import DataKind, exported

FORMAT_VERSION = 1
SCHEMA_ID = "https://spotter.invalid/schemas/member-export-v1.json"


def _column_schema(kind: DataKind, column: Any) -> dict[str, Any]:
    ctype = column.type
    if isinstance(ctype, Boolean):
        base: dict[str, Any] = {"type": "boolean"}
    elif isinstance(ctype, Integer):
        base = {"type": "integer"}
    elif isinstance(ctype, Float):
        base = {"type": "number"}
    elif isinstance(ctype, DateTime):
        base = {"type": "string", "format": "date-time"}
    elif isinstance(ctype, Date):
        base = {"type": "string", "format": "date"}
    elif isinstance(ctype, JSON):
        base = {"type": ["object", "array"]}
    else:
        base = {"type": "string"}
    if column.nullable and not column.primary_key:
        types = base["type"] if isinstance(base["type"], list) else [base["type"]]
        base["type"] = [*types, "null"]
    return {**base, "description": kind.describe(column.name)}


def kind_schema(kind: DataKind) -> dict[str, Any]:
    columns = kind.columns()
    record = {"type": "object", "additionalProperties": False,
              "required": [c.name for c in columns],
              "properties": {c.name: _column_schema(kind, c) for c in columns}}
    return {"type": "object", "description": kind.title, "additionalProperties": False,
            "required": ["kind", "title", "records"],
            "properties": {"kind": {"const": kind.name}, "title": {"type": "string"},
                           "records": {"type": "array", "items": record}}}


def export_schema() -> dict[str, Any]:
    """The documented schema of ``export.json``."""
    kinds = exported()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
        "title": "Spotter member data export",
        "description": "Everything Spotter holds about one member, one part per data kind.",
        "type": "object", "additionalProperties": False,
        "required": ["format_version", "member_id", "exported_at", "kinds"],
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "member_id": {"type": "string", "description": "the member exported"},
            "exported_at": {"type": "string", "format": "date-time"},
            "kinds": {"type": "object", "additionalProperties": False,
                      "required": [k.name for k in kinds],
                      "properties": {k.name: kind_schema(k) for k in kinds}}}}


def readme() -> str:
    lines = ["Your data from Spotter", "======================", "",
             "One JSON file per kind of data (and a CSV for tables), export.json with all",
             "of it, and schema.json describing export.json (JSON Schema 2020-12).",
             "Times are UTC in ISO 8601 unless a field says Unix seconds.", ""]
    for kind in exported():
        lines += [f"{kind.name}.json{' / ' + kind.name + '.csv' if kind.tabular else ''}",
                  f"  {kind.title}"]
        lines += [f"  - {c.name}: {kind.describe(c.name) or c.name}" for c in kind.columns()]
        lines.append("")
    lines += ["Not included: password and token hashes (secrets, not data about you);",
              "other members' data in class-level summaries; and the short-lived copies",
              "of class data on the live board and the message broker (raw heart-rate",
              "samples, kept at most the studio's raw-sample retention), whose results",
              "are in real_time_insights and class_summaries."]
    return "\n".join(lines) + "\n"


async def build_document(db: AsyncSession, member_id: str) -> dict[str, Any]:
    records = await collect(db, member_id)
    return {"format_version": FORMAT_VERSION, "member_id": member_id,
            "exported_at": datetime.now(UTC).isoformat(),
            "kinds": {k.name: {"kind": k.name, "title": k.title, "records": records[k.name]}
                      for k in exported()}}


def _csv(kind: DataKind, records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    names = [c.name for c in kind.columns()]
    writer = csv.DictWriter(out, fieldnames=names)
    writer.writeheader()
    for record in records:
        writer.writerow({k: json.dumps(v) if isinstance(v, dict | list) else v
                         for k, v in record.items()})
    return out.getvalue()


def to_zip(document: dict[str, Any]) -> bytes:
    folder = f"spotter-export-{document['member_id']}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def put(name: str, text: str) -> None:
            archive.writestr(f"{folder}/{name}", text)

        put("README.txt", readme())
        put("schema.json", json.dumps(export_schema(), indent=2))
        put("export.json", json.dumps(document, indent=2))
        for kind in exported():
            part = document["kinds"][kind.name]
            put(f"{kind.name}.json", json.dumps(part, indent=2))
            if kind.tabular:
                put(f"{kind.name}.csv", _csv(kind, part["records"]))
    return buffer.getvalue()


async def export_zip(db: AsyncSession, member_id: str) -> bytes:
    return to_zip(await build_document(db, member_id))
