"""Every table that names a member is in the privacy registry (or says why not), so export
and erasure cannot forget a new one; and the README and schema describe every field."""

from __future__ import annotations

from api.privacy.member_data import NOT_MEMBER_DATA, REGISTRY, exported
from db import all_models


def _names_a_member(table) -> bool:  # type: ignore[no-untyped-def]
    for column in table.columns:
        if column.name in {"member_id", "recipient_user_id"}:
            return True
        if any(fk.column.table.name in {"members", "users"} for fk in column.foreign_keys):
            return True
    return table.name in {"members", "users"}


def test_every_table_naming_a_member_is_registered() -> None:
    registered = {k.table for k in REGISTRY}
    missing = [t.name for t in all_models.metadata.sorted_tables
               if _names_a_member(t) and t.name not in registered
               and t.name not in NOT_MEMBER_DATA]
    assert missing == [], (f"add these tables to api.privacy.member_data.REGISTRY (or to "
                           f"NOT_MEMBER_DATA with a reason): {missing}")


def test_the_registry_names_real_tables_and_columns() -> None:
    tables = {t.name: t for t in all_models.metadata.sorted_tables}
    for kind in REGISTRY:
        assert kind.table in tables
        assert kind.column in tables[kind.table].columns
        for name in (*kind.omit, *kind.clear, *kind.fields):
            assert name in tables[kind.table].columns, (kind.name, name)
    assert set(NOT_MEMBER_DATA) <= set(tables)


def test_every_exported_field_is_explained() -> None:
    unexplained = [f"{k.name}.{c.name}" for k in exported() for c in k.columns()
                   if not k.describe(c.name)]
    assert unexplained == []


def test_secrets_are_never_exported() -> None:
    columns = {c.name for k in exported() for c in k.columns()}
    assert not columns & {"password_hash", "token_hash", "csrf_token"}
