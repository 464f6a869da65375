"""The experiment statistics on tiny cases worked out by hand (orchestration/experiments.py)."""

import math

import duckdb
import pandas as pd
import pytest
from scipy import stats

from orchestration.experiments import (
    experiment_results,
    mann_whitney_p,
    results_from_frame,
    srm_p_value,
    two_proportion_z_test,
)


def test_two_proportion_z_test_by_hand():
    # control 10/20 = 0.5, variant 15/20 = 0.75. Pooled p = 25/40 = 0.625;
    # se = sqrt(0.625 x 0.375 x (1/20 + 1/20)) = sqrt(0.0234375) = 0.1530931;
    # z = 0.25 / 0.1530931 = 1.6329932; two-sided p = erfc(z / sqrt 2) = 0.1024704.
    z = 0.25 / math.sqrt(0.625 * 0.375 * 0.1)
    assert z == pytest.approx(1.6329932, abs=1e-7)
    p = two_proportion_z_test(10, 20, 15, 20)
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    assert p == pytest.approx(0.1024704, abs=1e-6)
    # The same 2x2 table as a chi-square test without continuity correction: chi2 = z^2.
    chi2, p_chi2, _, _ = stats.chi2_contingency([[10, 10], [15, 5]], correction=False)
    assert chi2 == pytest.approx(z**2)
    assert p == pytest.approx(p_chi2)


def test_two_proportion_z_test_undefined_cases():
    assert two_proportion_z_test(0, 0, 3, 10) is None  # empty arm
    assert two_proportion_z_test(5, 5, 7, 7) is None  # everyone succeeded: no variance


def test_mann_whitney_exact_small_case():
    # Every variant time (4, 5, 6) beats none of the control's (1, 2, 3): U = 9 of 9, the most
    # extreme of C(6, 3) = 20 equally likely rankings; two-sided exact p = 2 / 20 = 0.1.
    assert mann_whitney_p([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == pytest.approx(0.1)
    assert mann_whitney_p([], [1.0]) is None


def test_srm_chi_square_against_equal_allocation():
    assert srm_p_value([50, 50]) == pytest.approx(1.0)
    # 60 vs 40 expected 50/50: chi2 = 10^2/50 + 10^2/50 = 4, 1 df: p = erfc(sqrt(4/2)) = 0.0455003.
    assert srm_p_value([60, 40]) == pytest.approx(math.erfc(math.sqrt(2)), rel=1e-9)
    assert srm_p_value([60, 40]) == pytest.approx(0.0455003, abs=1e-6)
    assert srm_p_value([10]) is None


def _consumers() -> pd.DataFrame:
    rows = []
    # control: 3 consumers, first successes at 1, 2, 3 minutes (all within the window) and one
    # (edge) that never called: 3/4 within; first day 2 client errors / 10 requests.
    for i, minutes in enumerate([1.0, 2.0, 3.0]):
        rows.append(
            ("x", f"c{i}", "control", True, True, minutes, 5 if i < 2 else 0, 1 if i < 2 else 0)
        )
    rows.append(("x", "c9", "control", False, False, None, 0, 0))
    # treatment: 4 consumers at 4, 5, 6 minutes, one succeeding after the window: 3/4 within;
    # first day 1 client error / 10 requests.
    for i, minutes in enumerate([4.0, 5.0, 6.0]):
        rows.append(
            ("x", f"t{i}", "treatment", True, True, minutes, 5 if i < 2 else 0, 1 if i == 0 else 0)
        )
    rows.append(("x", "t9", "treatment", True, False, None, 0, 0))
    return pd.DataFrame(
        rows,
        columns=[
            "experiment_id",
            "consumer_id",
            "variant",
            "has_first_success",
            "is_first_success_within_window",
            "minutes_to_first_success",
            "first_day_request_count",
            "first_day_client_error_count",
        ],
    )


def test_results_from_frame_lift_p_values_and_srm():
    results = results_from_frame(_consumers()).set_index(["variant", "metric_id"])
    assert len(results) == 6  # 2 variants x 3 metrics

    rate = results.loc[("treatment", "onboarding_success_rate")]
    assert rate["value"] == 0.75 and rate["control_value"] == 0.75
    assert rate["lift"] == pytest.approx(0.0)
    assert rate["p_value"] == pytest.approx(1.0)  # 3/4 vs 3/4: z = 0
    assert not rate["is_significant"]

    time = results.loc[("treatment", "time_to_first_success")]
    # Medians 5 (of 4, 5, 6) vs 2 (of 1, 2, 3): lift 5 / 2 - 1 = 1.5; t9 has a success flag but no
    # time, so the sample is the 3 timed consumers; exact Mann-Whitney p = 0.1 (as above).
    assert time["value"] == 5.0 and time["control_value"] == 2.0
    assert time["lift"] == pytest.approx(1.5)
    assert time["sample_size"] == 3
    assert time["p_value"] == pytest.approx(0.1)

    errors = results.loc[("treatment", "first_day_client_error_rate")]
    # 1/10 vs 2/10: lift 0.1 / 0.2 - 1 = -0.5; pooled 3/20 = 0.15,
    # z = 0.1 / sqrt(0.15 x 0.85 x 0.2) = 0.6262243 -> p = erfc(z / sqrt 2).
    assert errors["lift"] == pytest.approx(-0.5)
    z = 0.1 / math.sqrt(0.15 * 0.85 * 0.2)
    assert errors["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)))

    control = results.loc[("control", "onboarding_success_rate")]
    assert control["is_control"] and pd.isna(control["lift"]) and pd.isna(control["p_value"])
    assert (results["srm_p_value"] == 1.0).all()  # 4 vs 4


def test_experiment_results_reads_the_mart_from_a_connection():
    con = duckdb.connect()
    con.execute("create schema marts")
    frame = _consumers()
    con.register("frame", frame)
    con.execute("create table marts.fct_experiment_consumers as select * from frame")
    results = experiment_results(con)
    assert list(results["metric_id"].unique()) == [
        "onboarding_success_rate",
        "time_to_first_success",
        "first_day_client_error_rate",
    ]
    assert results.loc[results["variant"] == "treatment", "p_value"].notna().all()


def test_experiment_results_asset_writes_the_table(tmp_path):
    import dagster as dg

    from orchestration.experiments import experiment_results_asset
    from orchestration.resources import WarehouseResource

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        frame = _consumers()
        con.register("frame", frame)
        con.execute("create table marts.fct_experiment_consumers as select * from frame")
    result = dg.materialize(
        [experiment_results_asset], resources={"warehouse": WarehouseResource(path=str(path))}
    )
    assert result.success
    assert experiment_results_asset.key == dg.AssetKey(["marts", "experiment_results"])
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from marts.experiment_results").fetchone() == (6,)
