"""Command-line face of the privacy layer: `release`, `budget` and `account`, on the store at HEARTH_DB."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from privacy.accounts import cli as accounts_cli
from privacy.epsilon import InvalidEpsilon
from privacy.queries import InvalidQuery, QueryId, QuerySpec
from privacy.release import Refused, Release
from privacy.service import Hearth

REFUSED = 3


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and dispatch; refusals exit 3 having spent nothing."""
    args = _parser().parse_args(argv)
    if args.command == "account":
        return accounts_cli.run(args)
    hearth = Hearth.open()
    try:
        if args.command == "budget":
            return _budget(hearth, args.viewer)
        return _release(hearth, args)
    finally:
        hearth.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m privacy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", help="make (or replay) one release and print it as JSON")
    release.add_argument("--viewer", required=True, help="the member asking")
    release.add_argument("--query", required=True, choices=[q.value for q in QueryId])
    release.add_argument("--window", type=int, default=30, help="days back from today (7, 30, 90, 365)")
    release.add_argument("--epsilon", required=True, help="privacy loss to spend on this view")
    budget = commands.add_parser("budget", help="print the viewer's spent and remaining epsilon as JSON")
    budget.add_argument("--viewer", required=True)
    accounts_cli.register(commands)
    return parser


def _release(hearth: Hearth, args: argparse.Namespace) -> int:
    try:
        viewer = hearth.operator_session(args.viewer)
        spec = QuerySpec(QueryId(args.query), window_days=args.window)
        release = hearth.release(viewer, spec, _number(args.epsilon))
    except (Refused, InvalidEpsilon, InvalidQuery) as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return REFUSED
    print(json.dumps(_as_json(release), indent=2))
    return 0


def _budget(hearth: Hearth, name: str) -> int:
    try:
        budget = hearth.budget(hearth.operator_session(name))
    except Refused as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return REFUSED
    print(
        json.dumps(
            {
                "viewer": name,
                "spent": budget.spent_micro / 1e6,
                "remaining": budget.remaining_micro / 1e6,
                "total": budget.total_micro / 1e6,
                "family_remaining": None
                if budget.family_remaining_micro is None
                else budget.family_remaining_micro / 1e6,
                "renews_on": budget.renews_on.isoformat(),
            },
            indent=2,
        )
    )
    return 0


def _number(text: str) -> float:
    """Parse epsilon text; NaN and inf parse here and are refused by `Epsilon` itself."""
    try:
        return float(text)
    except ValueError:
        raise InvalidEpsilon(f"epsilon must be a number, got {text!r}") from None


def _as_json(release: Release) -> dict[str, object]:
    spec = asdict(release.spec)
    return {
        "query": release.spec.query.value,
        "spec": {k: str(v) if not isinstance(v, int) else v for k, v in spec.items()},
        "labels": list(release.labels),
        "values": list(release.values),
        "intervals": [[lo, hi] for lo, hi in zip(release.lower, release.upper, strict=True)],
        "unit": release.unit,
        "epsilon_spent": 0.0 if release.replayed else release.epsilon.value,
        "epsilon_of_release": release.epsilon.value,
        "replayed": release.replayed,
        "fresh": not release.replayed,
        "mechanism": release.mechanism,
        "scale": release.scale,
        "privacy_unit": release.privacy_unit,
        "data_version": release.data_version,
    }


if __name__ == "__main__":
    sys.exit(main())
