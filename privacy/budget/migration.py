"""Moving a store from renewing per-period budgets to lifetime blocks, in place and never in its favour.

Each old release charged its epsilon to every day (or week) of its window; each block is seeded with the
sum of what it actually received, even past the lifetime budget (such a block is closed for good). The
old releases stay on the noticeboard as `legacy` rows; the period tables are dropped.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta

from privacy.budget import ledger
from privacy.budget.blocks import blocks_between
from privacy.budget.ledger import Claim, Kind
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit

OLD_TABLES = ("ledger_spent", "ledger_family", "ledger_epoch", "ledger_releases")


def migrate(conn: sqlite3.Connection) -> int:
    """Migrate a period ledger if the store has one; returns how many old releases were carried over."""
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    if "ledger_releases" not in present:
        return 0
    ledger.ensure_schema(conn)
    rows = conn.execute(
        "SELECT id, viewer_id, replay_key, query_key, epsilon_micro, release_json, created_at"
        " FROM ledger_releases ORDER BY id"
    ).fetchall()
    with ledger.immediate(conn):
        for row in rows:
            claim, json_text, at = _legacy_claim(*row)
            ledger.charge_legacy(conn, claim, json_text, at)
        for table in OLD_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    return len(rows)


def _legacy_claim(
    release_id: int,
    viewer_id: int,
    replay_key: str,
    query_key: str,
    epsilon_micro: int,
    release_json: str,
    created_at: str,
) -> tuple[Claim, str, datetime]:
    """An old release as a claim on the blocks its window covered: the window ended on the key's `end`."""
    parts = dict(p.split("=", 1) for p in replay_key.split("|")[1:])
    last = date.fromisoformat(parts["end"])
    window = int(query_key.split("/")[1])
    first = last - timedelta(days=window - 1)
    unit = PrivacyUnit(parts["unit"])
    claim = Claim(
        question=f"legacy/{release_id}",
        seq=0,
        generation=0,
        kind=Kind.LEGACY,
        product=None,
        query_key=query_key,
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        unit=unit.value,
        charge=Epsilon(epsilon_micro),
        blocks=blocks_between(first, last, unit),
        viewer_id=viewer_id,
    )
    return claim, json.dumps({"legacy": json.loads(release_json)}), datetime.fromisoformat(created_at)
