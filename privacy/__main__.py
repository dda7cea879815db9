"""Command line of the privacy layer: `release`, `budget`, `board` and `account`, on the store at HEARTH_DB.

Exit codes: 0 with JSON on stdout; 3 for a refusal (nothing was spent) or a missing store; 2 for usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from data.console import silence_stdout
from privacy.accounts import cli as accounts_cli
from privacy.engine.periods import Period
from privacy.epsilon import InvalidEpsilon
from privacy.queries import InvalidQuery, QueryId, QuerySpec
from privacy.release import Refused, Release
from privacy.service import Hearth
from privacy.settings import BadSetting, Settings

REFUSED = 3


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and dispatch; refusals exit 3 having spent nothing."""
    args = _parser().parse_args(argv)
    if args.command == "account":
        return accounts_cli.run(args)
    try:
        hearth = Hearth.open(Settings.from_env(), create=False)
    except (Refused, BadSetting) as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return REFUSED
    try:
        return args.run(hearth, args)
    except (Refused, InvalidEpsilon, InvalidQuery, ValueError) as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return REFUSED
    except BrokenPipeError:
        silence_stdout()
        print("refused: stdout was closed before everything was written", file=sys.stderr)
        return REFUSED
    finally:
        hearth.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m privacy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", help="ask the family's noticeboard one question; JSON out")
    release.add_argument("--viewer", required=True, help="the member asking")
    release.add_argument("--query", required=True, choices=[q.value for q in QueryId])
    days = release.add_mutually_exclusive_group(required=True)
    days.add_argument("--window", type=int, help="the last 7, 30, 90 or 365 days the family's imports cover")
    days.add_argument("--from", dest="first", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    release.add_argument("--to", dest="last", type=date.fromisoformat, help="last day, with --from")
    release.add_argument("--epsilon", required=True, help="privacy loss per day to spend on this question")
    release.set_defaults(run=_release)
    budget = commands.add_parser("budget", help="the lifetime budget per day and the viewer's share, as JSON")
    budget.add_argument("--viewer", required=True)
    budget.add_argument("--from", dest="first", type=date.fromisoformat)
    budget.add_argument("--to", dest="last", type=date.fromisoformat)
    budget.set_defaults(run=_budget)
    board = commands.add_parser("board", help="the family's noticeboard: every release, no values")
    board.set_defaults(run=_board)
    accounts_cli.register(commands)
    return parser


def _release(hearth: Hearth, args: argparse.Namespace) -> int:
    viewer = hearth.operator_session(args.viewer)
    if (args.first is None) != (args.last is None):
        raise Refused("--from and --to go together")
    period = Period(args.first, args.last) if args.first else None
    spec = QuerySpec(QueryId(args.query), window_days=args.window if period is None else None)
    release = hearth.ask(viewer, spec, _number(args.epsilon), period)
    print(json.dumps(_as_json(release), indent=2))
    return 0


def _budget(hearth: Hearth, args: argparse.Namespace) -> int:
    view = hearth.budget(hearth.operator_session(args.viewer), args.first, args.last)
    days = [
        {"date": d.day.isoformat(), "spent": d.spent_micro / 1e6, "remaining": d.remaining_micro / 1e6}
        for d in view.days
    ]
    share = {"quota_per_day": view.quota_micro / 1e6, "left_over_range": view.share_left_micro / 1e6}
    out = {
        "viewer": args.viewer,
        "lifetime": view.lifetime_micro / 1e6,
        "reserve": view.reserve_micro / 1e6,
        "share": share,
        "days": days,
    }
    print(json.dumps(out, indent=2))
    return 0


def _board(hearth: Hearth, args: argparse.Namespace) -> int:
    names = {m.id: m.name for m in hearth.roster()}
    rows = [
        {
            "query": s.query_key.split("/")[0],
            "product": s.product,
            "period": [s.first_day, s.last_day],
            "epsilon": s.charge_micro / 1e6,
            "kind": s.kind.value,
            "released_on": s.created_at[:10],
            "by_visit_of": names.get(s.requested_by),
        }
        for s in hearth.board()
    ]
    print(json.dumps(rows, indent=2))
    return 0


def _number(text: str) -> float:
    """Parse epsilon text; NaN and inf parse here and are refused by `Epsilon` itself."""
    try:
        return float(text)
    except ValueError:
        raise InvalidEpsilon(f"epsilon must be a number, got {text[:20]!r}") from None


def _as_json(release: Release) -> dict[str, object]:
    return {
        "query": release.spec.query.value,
        "period": [release.first, release.last],
        "labels": list(release.labels),
        "values": list(release.values),
        "intervals": [[lo, hi] for lo, hi in zip(release.lower, release.upper, strict=True)],
        "unit": release.unit,
        "epsilon_spent": 0.0 if release.replayed else release.epsilon.value,
        "epsilon_of_release": release.epsilon.value,
        "replayed": release.replayed,
        "mechanism": release.mechanism,
        "scale": release.scale,
        "privacy_unit": release.privacy_unit,
        "included": list(release.included),
        "left_out": list(release.left_out),
        "released_at": release.released_at,
    }


if __name__ == "__main__":
    sys.exit(main())
