"""Great Expectations: team-owned suites (suites/), their thresholds (thresholds/) and the
calibration command (calibration.py). See README.md."""
