"""`apipulse calibrate [--days N] [--team T] [--by NAME] [--write]`: the documented entry point.

Proposes thresholds from the trailing history of each asset into
`expectations/thresholds/<team>.yml` and prints a diff; writes only with `--write`.
The logic lives in `orchestration/calibration.py` (so the installed `apipulse` command has
it); this module re-exports it:

    from expectations.calibration import register   # register(subparsers) adds `calibrate`
"""

from orchestration.calibration import (  # noqa: F401
    DEFAULT_DAYS,
    TeamProposal,
    calibrate,
    cmd_calibrate,
    propose_bounds,
    quantile,
    register,
)

if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m expectations.calibration")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    sys.exit(cmd_calibrate(parser.parse_args(["calibrate", *sys.argv[1:]])))
