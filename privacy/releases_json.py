"""Releases as JSON for the ledger: plain data across the storage boundary, never pickle."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from privacy.epsilon import Epsilon
from privacy.queries import QuerySpec
from privacy.release import Release

SERVED = frozenset({"replayed", "combined", "question", "noise"})
"""Facts about each serving, not about the release: never stored."""


def release_to_json(release: Release) -> str:
    """Canonical JSON of a release."""
    raw = {f.name: getattr(release, f.name) for f in fields(Release) if f.name not in SERVED}
    raw["spec"] = {k: str(v) if hasattr(v, "value") else v for k, v in asdict(release.spec).items()}
    raw["epsilon"] = release.epsilon.micro
    return json.dumps(raw, sort_keys=True, allow_nan=False)


def release_from_json(text: str, *, replayed: bool) -> Release:
    """Rebuild a stored release; the spec and epsilon re-validate themselves on the way in.

    >>> from privacy.queries import QueryId
    >>> r = Release(QuerySpec(QueryId.FAMILY_AVERAGE, None), ("2026-10-19 to 2026-10-25",), (8000.0,),
    ...             (7000.0,), (9000.0,), "steps per member-day", Epsilon.request(1), "discrete Laplace",
    ...             25000.0, (35,), "any one member's steps on any one day", "2026-10-19", "2026-10-25",
    ...             ("Maya",), (), "2026-10-31T12:00:00+00:00")
    >>> back = release_from_json(release_to_json(r), replayed=True)
    >>> (back.values, back.epsilon, back.replayed, back == r)
    ((8000.0,), Epsilon(micro=1000000), True, False)
    """
    raw = json.loads(text)
    tuples = {k: tuple(v) for k, v in raw.items() if isinstance(v, list)}
    return Release(
        **raw | tuples | {"spec": QuerySpec(**raw["spec"]), "epsilon": Epsilon(int(raw["epsilon"]))},
        replayed=replayed,
    )
