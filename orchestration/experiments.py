"""Experiment significance: SciPy tests over the onboarding outcomes of assigned consumers.

`experiment_results(con)` is a pure function of the warehouse contents: it reads
`marts.fct_experiment_consumers` (one row per experiment × assigned consumer, built by dbt)
and returns one row per experiment × variant × metric:

- onboarding_success_rate: share of the variant's consumers with a first success within the
  onboarding window; two-sided two-proportion z-test (pooled) against the control.
- time_to_first_success: median minutes to first success over consumers that succeeded;
  two-sided Mann-Whitney U test against the control.
- first_day_client_error_rate: client errors ÷ requests in each consumer's first 24 hours,
  pooled over the variant; two-sided two-proportion z-test on the request counts (requests
  of one consumer are not independent, so read this p-value as optimistic).

lift = variant value ÷ control value − 1 (negative for a faster time). The sample-ratio
mismatch check (`srm_p_value`) is a chi-square goodness-of-fit test of the variants' cohort
sizes against equal allocation, one value per experiment. The Dagster asset writes the
result to `marts.experiment_results`.
"""

import math

import dagster as dg
import pandas as pd
from scipy import stats

from orchestration.resources import WarehouseResource

SOURCE_TABLE = "marts.fct_experiment_consumers"
RESULT_TABLE = "marts.experiment_results"
CONTROL_VARIANT = "control"
ALPHA = 0.05

RESULT_COLUMNS = [
    "experiment_id",
    "variant",
    "is_control",
    "metric_id",
    "cohort_size",
    "sample_size",
    "value",
    "control_value",
    "lift",
    "test",
    "p_value",
    "is_significant",
    "srm_p_value",
]


def two_proportion_z_test(successes_a: int, n_a: int, successes_b: int, n_b: int) -> float | None:
    """Two-sided p-value of H0: p_a = p_b, with the pooled standard error; None when undefined."""
    if n_a == 0 or n_b == 0:
        return None
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return None
    z = (successes_b / n_b - successes_a / n_a) / se
    return float(2 * stats.norm.sf(abs(z)))


def mann_whitney_p(control: list[float], variant: list[float]) -> float | None:
    """Two-sided Mann-Whitney U p-value (SciPy's default method); None with an empty sample."""
    if len(control) == 0 or len(variant) == 0:
        return None
    return float(stats.mannwhitneyu(variant, control, alternative="two-sided").pvalue)


def srm_p_value(cohort_sizes: list[int]) -> float | None:
    """Chi-square goodness-of-fit p-value of the cohort sizes against equal allocation."""
    if len(cohort_sizes) < 2 or sum(cohort_sizes) == 0:
        return None
    return float(stats.chisquare(cohort_sizes).pvalue)


def _lift(value: float | None, control_value: float | None) -> float | None:
    if value is None or control_value is None or control_value == 0:
        return None
    return value / control_value - 1


def _median(values: pd.Series) -> float | None:
    return float(values.median()) if len(values) else None


def results_from_frame(
    consumers: pd.DataFrame, control_variant: str = CONTROL_VARIANT
) -> pd.DataFrame:
    """The result rows from a frame shaped like fct_experiment_consumers (see module doc)."""
    rows: list[dict] = []
    for experiment_id, experiment in consumers.groupby("experiment_id", sort=True):
        sizes = experiment.groupby("variant").size()
        srm = srm_p_value([int(n) for n in sizes.to_list()])
        control = experiment[experiment["variant"] == control_variant]
        control_times = control.loc[
            control["has_first_success"].fillna(False).astype(bool), "minutes_to_first_success"
        ].dropna()
        control_within = int(control["is_first_success_within_window"].fillna(False).sum())
        control_requests = int(control["first_day_request_count"].fillna(0).sum())
        control_errors = int(control["first_day_client_error_count"].fillna(0).sum())
        control_rates = {
            "onboarding_success_rate": control_within / len(control) if len(control) else None,
            "time_to_first_success": _median(control_times),
            "first_day_client_error_rate": control_errors / control_requests
            if control_requests
            else None,
        }
        for variant, group in experiment.groupby("variant", sort=True):
            is_control = variant == control_variant
            has_control = len(control) > 0
            times = group.loc[
                group["has_first_success"].fillna(False).astype(bool), "minutes_to_first_success"
            ].dropna()
            within = int(group["is_first_success_within_window"].fillna(False).sum())
            requests = int(group["first_day_request_count"].fillna(0).sum())
            errors = int(group["first_day_client_error_count"].fillna(0).sum())
            metrics = {
                "onboarding_success_rate": (
                    len(group),
                    within / len(group) if len(group) else None,
                    "two_proportion_z",
                    None
                    if is_control or not has_control
                    else two_proportion_z_test(control_within, len(control), within, len(group)),
                ),
                "time_to_first_success": (
                    len(times),
                    _median(times),
                    "mann_whitney_u",
                    None
                    if is_control or not has_control
                    else mann_whitney_p(control_times.to_list(), times.to_list()),
                ),
                "first_day_client_error_rate": (
                    requests,
                    errors / requests if requests else None,
                    "two_proportion_z",
                    None
                    if is_control or not has_control
                    else two_proportion_z_test(control_errors, control_requests, errors, requests),
                ),
            }
            for metric_id, (sample_size, value, test, p_value) in metrics.items():
                control_value = control_rates[metric_id] if has_control else None
                rows.append(
                    {
                        "experiment_id": experiment_id,
                        "variant": variant,
                        "is_control": is_control,
                        "metric_id": metric_id,
                        "cohort_size": int(len(group)),
                        "sample_size": int(sample_size),
                        "value": value,
                        "control_value": control_value,
                        "lift": None if is_control else _lift(value, control_value),
                        "test": test,
                        "p_value": p_value,
                        "is_significant": None if p_value is None else bool(p_value < ALPHA),
                        "srm_p_value": srm,
                    }
                )
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    for column in ("value", "control_value", "lift", "p_value", "srm_p_value"):
        frame[column] = frame[column].astype("float64")
    frame["is_significant"] = frame["is_significant"].astype("boolean")
    return frame


def experiment_results(con) -> pd.DataFrame:
    """One row per experiment × variant × metric with lift, p_value, is_significant, srm_p_value."""
    consumers = con.execute(
        f"""
        select experiment_id, consumer_id, variant, has_first_success,
               is_first_success_within_window, minutes_to_first_success,
               first_day_request_count, first_day_client_error_count
        from {SOURCE_TABLE}
        """
    ).df()
    return results_from_frame(consumers)


@dg.asset(
    key=["marts", "experiment_results"],
    deps=[dg.AssetKey(["marts", "fct_experiment_consumers"])],
    group_name="marts_experiments",
    kinds={"python", "duckdb"},
    owners=["team:devrel"],
    pool="warehouse",
)
def experiment_results_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """p-values (two-proportion z, Mann-Whitney U) and the SRM check per experiment × variant × metric."""
    with warehouse.connect() as con:
        results = experiment_results(con)
        con.register("experiment_results_frame", results)
        con.execute(f"create schema if not exists {RESULT_TABLE.split('.')[0]}")
        # Replace in one transaction so a failed write leaves the previous table in place.
        con.execute("begin transaction")
        con.execute(f"drop table if exists {RESULT_TABLE}")
        con.execute(f"create table {RESULT_TABLE} as select * from experiment_results_frame")
        con.execute("commit")
        con.unregister("experiment_results_frame")
    significant = results[results["is_significant"].fillna(False)]
    context.log.info(
        f"{len(results)} experiment result rows, {len(significant)} significant at {ALPHA}"
    )
    return dg.MaterializeResult(
        metadata={
            "rows": len(results),
            "significant": len(significant),
        }
    )
