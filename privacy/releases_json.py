"""Releases as JSON for the ledger: plain data across the storage boundary, never pickle."""

from __future__ import annotations

import json

from privacy.epsilon import Epsilon
from privacy.queries import QuerySpec
from privacy.release import Release


def release_to_json(release: Release) -> str:
    """Canonical JSON of a release; `replayed` is not stored, it is a fact about each serving."""
    spec = release.spec
    return json.dumps(
        {
            "spec": {
                "query": spec.query.value,
                "window_days": spec.window_days,
                "bucket": spec.bucket.value,
                "goal": spec.goal,
            },
            "labels": list(release.labels),
            "values": list(release.values),
            "lower": list(release.lower),
            "upper": list(release.upper),
            "unit": release.unit,
            "epsilon_micro": release.epsilon.micro,
            "mechanism": release.mechanism,
            "scale": release.scale,
            "privacy_unit": release.privacy_unit,
            "data_version": release.data_version,
            "released_at": release.released_at,
        },
        sort_keys=True,
        allow_nan=False,
    )


def release_from_json(text: str, *, replayed: bool) -> Release:
    """Rebuild a stored release; the spec re-validates itself on the way in.

    >>> from privacy.queries import QueryId
    >>> r = Release(QuerySpec(QueryId.FAMILY_AVERAGE), ("all",), (8000.0,), (7000.0,), (9000.0,),
    ...             "steps per member-day", Epsilon.request(0.5), "discrete Laplace", 2.0,
    ...             "any one member's steps on any one day", False, 3, "2026-10-31T12:00:00+00:00")
    >>> back = release_from_json(release_to_json(r), replayed=True)
    >>> (back.values, back.epsilon, back.replayed)
    ((8000.0,), Epsilon(micro=500000), True)
    """
    raw = json.loads(text)
    return Release(
        spec=QuerySpec(**raw["spec"]),
        labels=tuple(raw["labels"]),
        values=tuple(float(v) for v in raw["values"]),
        lower=tuple(float(v) for v in raw["lower"]),
        upper=tuple(float(v) for v in raw["upper"]),
        unit=raw["unit"],
        epsilon=Epsilon(int(raw["epsilon_micro"])),
        mechanism=raw["mechanism"],
        scale=float(raw["scale"]),
        privacy_unit=raw["privacy_unit"],
        replayed=replayed,
        data_version=int(raw["data_version"]),
        released_at=raw["released_at"],
    )
