"""`python -m orchestration.sample_data OUT_DIR [--consumers N --days N --requests-per-day N
--seed N --start YYYY-MM-DD --quiet]`: write the sample world and say what was written."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from orchestration.sample_data import WorldParams, generate_world


def main(argv: list[str] | None = None) -> int:
    defaults = WorldParams()
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.sample_data",
        description="Write the deterministic sample world.",
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=defaults.start,
        help="first day, YYYY-MM-DD (default %(default)s)",
    )
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--consumers", type=int, default=defaults.consumers)
    parser.add_argument("--requests-per-day", type=int, default=defaults.requests_per_day)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        params = WorldParams(
            seed=args.seed,
            start=args.start,
            days=args.days,
            consumers=args.consumers,
            requests_per_day=args.requests_per_day,
        )
    except ValueError as exc:
        parser.error(str(exc))
    summary = generate_world(args.out_dir, params, progress=not args.quiet)
    print(summary)
    out = summary.out_dir
    folders = Counter(str(p.relative_to(out).parent) for p in summary.files)
    sizes = Counter()
    for p in summary.files:
        sizes[str(p.relative_to(out).parent)] += p.stat().st_size
    for folder in sorted(folders):
        print(f"  {folder}/: {folders[folder]} file(s), {sizes[folder] / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
