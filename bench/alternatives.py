"""The same gateway-derived facts with the tools a user would pick instead of the warehouse:
pandas (json lines -> json_normalize -> groupby) and polars (scan_ndjson with a schema,
lazy). Both read the same gzip Kong JSON-lines daily files and the consumer registry pages,
and produce the facts bench/limit.sql produces, under the same names and columns, so
bench/compare.py checks them against the product exactly like the limit.
"""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

VERSION_RE = r"^/(v[0-9]+)(?:/|$)"
MAX_WEEK_OFFSET = 12
WINDOWS = {"5m": 1, "1h": 12, "6h": 72, "3d": 864}  # 5-minute buckets


def run(engine: str, gateway_files: list[Path], consumer_files: list[Path], seeds: Path) -> dict:
    if engine == "pandas":
        return run_pandas(gateway_files, consumer_files, seeds)
    if engine == "polars":
        return run_polars(gateway_files, consumer_files, seeds)
    raise ValueError(engine)


def to_parquet(engine: str, frame, path: Path) -> None:
    if engine == "pandas":
        import duckdb

        con = duckdb.connect()
        con.register("f", frame)
        con.execute(f"copy (select * from f) to '{path}' (format parquet)")
        con.close()
    else:
        frame.write_parquet(path)


# --- pandas ---------------------------------------------------------------------------------


def run_pandas(gateway_files, consumer_files, seeds: Path) -> dict:
    import numpy as np
    import pandas as pd

    frames = []
    for path in gateway_files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        df = pd.json_normalize(records)
        del records

        def col(name, df=df):
            return df[name] if name in df else pd.Series([None] * len(df), index=df.index)

        frames.append(pd.DataFrame({
            "request_id": df["request.id"],
            "started_at": df["started_at"].astype("int64"),
            "consumer_id": col("consumer.id").combine_first(col("authenticated_entity.consumer_id.id")),
            "route_name": col("route.name"),
            "uri": df["request.uri"],
            "status_code": df["response.status"].astype("int64"),
            "latency_ms": df["latencies.request"].astype("float64"),
        }))
        del df
    req = pd.concat(frames, ignore_index=True)
    del frames
    req = req.drop_duplicates("request_id", keep="first")
    path = req["uri"].str.split("?", n=1).str[0]
    req["route_name"] = req["route_name"].fillna(path.replace("", None))
    req["api_version"] = path.str.extract(VERSION_RE, expand=False)
    req["requested_at"] = pd.to_datetime(req["started_at"], unit="ms")
    req["requested_on"] = req["requested_at"].dt.floor("D")
    routes = pd.read_csv(seeds / "api_routes.csv")
    slos = pd.read_csv(seeds / "slos.csv")
    req = req.merge(routes[["route_name", "product_id", "is_health_check"]], on="route_name",
                    how="left")
    req["product_id"] = req["product_id"].fillna("unmapped")
    health = req["is_health_check"].fillna(False).astype(bool)
    status = req["status_code"]
    req["is_success"] = status.between(200, 399)
    req["is_valid"] = (status != 429) & ~health
    req["is_good"] = req["is_valid"] & (status < 500)
    facts = {}

    ok = req[req["is_success"]].assign(
        route_name=lambda d: d["route_name"].fillna("unknown"),
        api_version=lambda d: d["api_version"].fillna("unversioned"),
    )
    g = ok.groupby(["requested_on", "route_name", "api_version"])["latency_ms"]
    facts["latency_daily"] = pd.DataFrame({
        "successful_requests": g.size(),
        "latency_p50_ms": g.quantile(0.5),
        "latency_p95_ms": g.quantile(0.95),
        "latency_p99_ms": g.quantile(0.99),
    }).reset_index()

    thresholds = slos[slos["sli"] == "latency"].groupby("product_id")["latency_threshold_ms"].max()
    thr = req["product_id"].map(thresholds)
    req["minute_start_at"] = req["requested_at"].dt.floor("min")
    req["is_slow"] = req["is_valid"] & (req["latency_ms"] > thr)
    minutes = req.groupby(["product_id", "minute_start_at"]).agg(
        total_requests=("request_id", "size"), valid_requests=("is_valid", "sum"),
        good_requests=("is_good", "sum"), slow_valid_requests=("is_slow", "sum"),
    ).reset_index()
    minutes["requested_on"] = minutes["minute_start_at"].dt.floor("D")
    minutes["bucket_number"] = ((minutes["minute_start_at"] - pd.Timestamp(0))
                                // pd.Timedelta(minutes=5)).astype("int64")

    daily = minutes.groupby(["requested_on", "product_id"])[
        ["total_requests", "valid_requests", "good_requests"]].sum()
    days = sorted(daily.index.get_level_values(0).unique())
    products = sorted(daily.index.get_level_values(1).unique())
    full = daily.reindex(pd.MultiIndex.from_product([days, products],
                                                    names=["requested_on", "product_id"]),
                         fill_value=0)
    roll = (full.reset_index().set_index("requested_on").groupby("product_id")[
        ["valid_requests", "good_requests"]].rolling("28D").sum())
    roll.columns = ["valid_requests_28d", "good_requests_28d"]
    avail = full.reset_index().merge(roll.reset_index(), on=["product_id", "requested_on"])
    avail["availability"] = avail["good_requests"] / avail["valid_requests"].replace(0, np.nan)
    avail["availability_28d"] = (avail["good_requests_28d"]
                                 / avail["valid_requests_28d"].replace(0, np.nan))
    facts["availability_daily"] = avail

    cons = req[req["consumer_id"].notna()]
    facts["onboarding"] = cons.groupby("consumer_id").agg(
        first_call_at=("requested_at", "min"),
        first_success_at=("requested_at", lambda s: s[cons.loc[s.index, "is_success"]].min()),
    ).reset_index()

    cdays = cons.loc[cons["is_success"], ["consumer_id", "requested_on"]].drop_duplicates()
    first_on, last_on = req["requested_on"].min(), req["requested_on"].max()
    rows = []
    for day in pd.date_range(first_on, last_on, freq="D"):
        def active(n, day=day):
            return cdays.loc[(cdays["requested_on"] <= day)
                             & (cdays["requested_on"] > day - pd.Timedelta(days=n)),
                             "consumer_id"].nunique()
        rows.append((day, active(1), active(7), active(28)))
    facts["active_consumers_daily"] = pd.DataFrame(
        rows, columns=["activity_on", "active_consumers", "active_consumers_7d",
                       "active_consumers_28d"])

    registry = []
    for path in consumer_files:
        registry.extend(json.loads(Path(path).read_text()).get("data", []))
    reg = pd.DataFrame(registry)[["id", "created_at"]].dropna().drop_duplicates("id")
    reg["signed_up_on"] = pd.to_datetime(reg["created_at"], unit="s").dt.floor("D")
    reg["cohort_week_start_on"] = reg["signed_up_on"] - pd.to_timedelta(
        reg["signed_up_on"].dt.weekday, unit="D")
    cohorts = reg.groupby("cohort_week_start_on").size().rename("cohort_size")
    j = reg.rename(columns={"id": "consumer_id"}).merge(cdays, on="consumer_id")
    j = j[j["requested_on"] >= j["signed_up_on"]]
    j["week_offset"] = (j["requested_on"] - j["signed_up_on"]).dt.days // 7
    retained = (j.drop_duplicates(["cohort_week_start_on", "consumer_id", "week_offset"])
                .groupby(["cohort_week_start_on", "week_offset"]).size().rename("retained"))
    grid = pd.MultiIndex.from_product([cohorts.index, range(MAX_WEEK_OFFSET + 1)],
                                      names=["cohort_week_start_on", "week_offset"]).to_frame(
                                          index=False)
    grid = grid.merge(cohorts.reset_index(), on="cohort_week_start_on").merge(
        retained.reset_index(), on=["cohort_week_start_on", "week_offset"], how="left")
    starts = grid["cohort_week_start_on"] + pd.to_timedelta(grid["week_offset"] * 7, unit="D")
    observable = (starts >= first_on) & (starts <= last_on)
    grid["retained_consumers"] = grid["retained"].fillna(0).astype("Int64").where(observable)
    facts["cohort_retention"] = grid.drop(columns="retained")

    facts["slo_daily"], facts["slo_burn_rates"] = _pandas_slos(pd, np, minutes, slos)
    return facts


def _slo_events(pd, frame, slos, key):
    prod = frame.groupby(["product_id", key]).agg(
        valid=("valid_requests", "sum"), good=("good_requests", "sum"),
        slow=("slow_valid_requests", "sum")).reset_index()
    keys = sorted(prod[key].unique())
    out = []
    for s in slos.itertuples():
        p = prod[prod["product_id"] == s.product_id].set_index(key).reindex(keys)
        bad = (p["valid"] - p["good"]) if s.sli == "availability" else p["slow"]
        out.append(pd.DataFrame({"slo_id": s.slo_id, key: keys, "target": s.target,
                                 "window_days": s.window_days,
                                 "valid_requests": p["valid"].fillna(0).astype("int64").values,
                                 "bad_requests": bad.fillna(0).astype("int64").values}))
    return out


def _pandas_slos(pd, np, minutes, slos):
    daily_parts, burn_parts = [], []
    for part in _slo_events(pd, minutes, slos, "requested_on"):
        s = part.set_index("requested_on")
        w = f"{int(part['window_days'].iloc[0])}D"
        part["valid_requests_window"] = s["valid_requests"].rolling(w).sum().astype("int64").values
        part["bad_requests_window"] = s["bad_requests"].rolling(w).sum().astype("int64").values
        part["sli"] = 1 - part["bad_requests"] / part["valid_requests"].replace(0, np.nan)
        part["slo_attainment"] = 1 - (part["bad_requests_window"]
                                      / part["valid_requests_window"].replace(0, np.nan))
        daily_parts.append(part)
    for part in _slo_events(pd, minutes, slos, "bucket_number"):
        full = part.set_index("bucket_number")[["valid_requests", "bad_requests"]]
        dense = full.reindex(range(full.index.min(), full.index.max() + 1), fill_value=0)
        target = part["target"].iloc[0]
        for name, k in WINDOWS.items():
            v = dense["valid_requests"].rolling(k, min_periods=1).sum().reindex(full.index)
            b = dense["bad_requests"].rolling(k, min_periods=1).sum().reindex(full.index)
            part[f"valid_requests_{name}"] = v.astype("int64").values
            part[f"burn_rate_{name}"] = ((b / v.replace(0, np.nan)) / (1 - target)).values
        burn_parts.append(part)
    return pd.concat(daily_parts, ignore_index=True), pd.concat(burn_parts, ignore_index=True)


# --- polars ---------------------------------------------------------------------------------


def run_polars(gateway_files, consumer_files, seeds: Path) -> dict:
    import polars as pl

    schema = {
        "request": pl.Struct({"id": pl.String, "uri": pl.String}),
        "response": pl.Struct({"status": pl.Int32}),
        "latencies": pl.Struct({"request": pl.Float64}),
        "started_at": pl.Int64,
        "route": pl.Struct({"name": pl.String}),
        "consumer": pl.Struct({"id": pl.String}),
        "authenticated_entity": pl.Struct({"consumer_id": pl.Struct({"id": pl.String})}),
    }
    routes = pl.read_csv(seeds / "api_routes.csv").select(
        "route_name", "product_id", "is_health_check")
    slos = pl.read_csv(seeds / "slos.csv", schema_overrides={"latency_threshold_ms": pl.Float64,
                                                              "target": pl.Float64})
    path = pl.col("request").struct.field("uri").str.split("?").list.first()
    lines = pl.scan_ndjson([str(p) for p in gateway_files], schema=schema).select(
        request_id=pl.col("request").struct.field("id"),
        requested_at=pl.from_epoch("started_at", time_unit="ms"),
        consumer_id=pl.coalesce(pl.col("consumer").struct.field("id"),
                                pl.col("authenticated_entity").struct.field("consumer_id")
                                .struct.field("id")),
        route_name=pl.coalesce(pl.col("route").struct.field("name"),
                               pl.when(path != "").then(path)),
        api_version=path.str.extract(VERSION_RE, 1),
        status_code=pl.col("response").struct.field("status"),
        latency_ms=pl.col("latencies").struct.field("request"),
    )
    status = pl.col("status_code")
    health = pl.col("is_health_check").fill_null(False)
    req = (
        lines.unique("request_id", keep="any")
        .join(routes.lazy(), on="route_name", how="left")
        .with_columns(
            requested_on=pl.col("requested_at").dt.date(),
            product_id=pl.col("product_id").fill_null("unmapped"),
            is_success=status.is_between(200, 399).fill_null(False),
            is_valid=(status != 429).fill_null(True) & ~health,
        )
        .with_columns(is_good=pl.col("is_valid") & (status < 500).fill_null(False))
        .collect()
    )
    facts = {}
    facts["latency_daily"] = (
        req.filter("is_success")
        .with_columns(pl.col("route_name").fill_null("unknown"),
                      pl.col("api_version").fill_null("unversioned"))
        .group_by("requested_on", "route_name", "api_version")
        .agg(successful_requests=pl.len(),
             latency_p50_ms=pl.col("latency_ms").quantile(0.5, "linear"),
             latency_p95_ms=pl.col("latency_ms").quantile(0.95, "linear"),
             latency_p99_ms=pl.col("latency_ms").quantile(0.99, "linear"))
    )
    thresholds = (slos.filter(pl.col("sli") == "latency").group_by("product_id")
                  .agg(thr=pl.col("latency_threshold_ms").max()))
    minutes = (
        req.lazy().join(thresholds.lazy(), on="product_id", how="left")
        .group_by("product_id", minute_start_at=pl.col("requested_at").dt.truncate("1m"))
        .agg(total_requests=pl.len(), valid_requests=pl.col("is_valid").sum(),
             good_requests=pl.col("is_good").sum(),
             slow_valid_requests=(pl.col("is_valid") & (pl.col("latency_ms") > pl.col("thr")))
             .fill_null(False).sum())
        .with_columns(requested_on=pl.col("minute_start_at").dt.date(),
                      bucket_number=pl.col("minute_start_at").dt.epoch("s") // 60 // 5)
        .collect()
    )
    daily = minutes.group_by("requested_on", "product_id").agg(
        pl.col("total_requests", "valid_requests", "good_requests").sum())
    spine = daily.select("requested_on").unique().join(
        daily.select("product_id").unique(), how="cross")
    filled = spine.join(daily, on=["requested_on", "product_id"], how="left").fill_null(0)
    calendar = pl.DataFrame({"requested_on": pl.date_range(
        filled["requested_on"].min(), filled["requested_on"].max(), "1d", eager=True)})
    dense = (calendar.join(filled.select("product_id").unique(), how="cross")
             .join(filled, on=["requested_on", "product_id"], how="left").fill_null(0)
             .sort("product_id", "requested_on")
             .with_columns(valid_requests_28d=pl.col("valid_requests").rolling_sum(28, min_samples=1)
                           .over("product_id"),
                           good_requests_28d=pl.col("good_requests").rolling_sum(28, min_samples=1)
                           .over("product_id")))
    avail = filled.join(dense.select("requested_on", "product_id", "valid_requests_28d",
                                     "good_requests_28d"), on=["requested_on", "product_id"])
    facts["availability_daily"] = avail.with_columns(
        availability=_div(pl.col("good_requests"), pl.col("valid_requests")),
        availability_28d=_div(pl.col("good_requests_28d"), pl.col("valid_requests_28d")))

    cons = req.filter(pl.col("consumer_id").is_not_null())
    facts["onboarding"] = cons.group_by("consumer_id").agg(
        first_call_at=pl.col("requested_at").min(),
        first_success_at=pl.col("requested_at").filter("is_success").min())
    cdays = cons.filter("is_success").select("consumer_id", "requested_on").unique()
    first_on, last_on = req["requested_on"].min(), req["requested_on"].max()
    days = pl.DataFrame({"activity_on": pl.date_range(first_on, last_on, "1d", eager=True)})
    window = days.join(cdays, how="cross").filter(
        (pl.col("requested_on") <= pl.col("activity_on"))
        & (pl.col("requested_on") > pl.col("activity_on") - timedelta(days=28)))
    active = window.group_by("activity_on").agg(
        active_consumers=pl.col("consumer_id").filter(
            pl.col("requested_on") == pl.col("activity_on")).n_unique(),
        active_consumers_7d=pl.col("consumer_id").filter(
            pl.col("requested_on") > pl.col("activity_on") - timedelta(days=7)).n_unique(),
        active_consumers_28d=pl.col("consumer_id").n_unique())
    facts["active_consumers_daily"] = days.join(active, on="activity_on", how="left").fill_null(0)

    registry = []
    for p in consumer_files:
        registry.extend({"id": c.get("id"), "created_at": c.get("created_at")}
                        for c in json.loads(Path(p).read_text()).get("data", []))
    reg = (pl.DataFrame(registry, schema={"id": pl.String, "created_at": pl.Int64})
           .drop_nulls().unique("id")
           .with_columns(signed_up_on=pl.from_epoch("created_at", time_unit="s").dt.date())
           .with_columns(cohort_week_start_on=pl.col("signed_up_on").dt.truncate("1w")))
    cohorts = reg.group_by("cohort_week_start_on").agg(cohort_size=pl.len())
    retained = (reg.rename({"id": "consumer_id"}).join(cdays, on="consumer_id")
                .filter(pl.col("requested_on") >= pl.col("signed_up_on"))
                .with_columns(week_offset=((pl.col("requested_on") - pl.col("signed_up_on"))
                                           .dt.total_days() // 7).cast(pl.Int64))
                .unique(["cohort_week_start_on", "consumer_id", "week_offset"])
                .group_by("cohort_week_start_on", "week_offset").agg(retained=pl.len()))
    grid = (cohorts.join(pl.DataFrame({"week_offset": list(range(MAX_WEEK_OFFSET + 1))},
                                      schema={"week_offset": pl.Int64}), how="cross")
            .join(retained, on=["cohort_week_start_on", "week_offset"], how="left"))
    starts = pl.col("cohort_week_start_on") + pl.duration(days=7 * pl.col("week_offset"))
    facts["cohort_retention"] = grid.with_columns(
        retained_consumers=pl.when((starts >= first_on) & (starts <= last_on))
        .then(pl.col("retained").fill_null(0))).drop("retained")

    facts["slo_daily"], facts["slo_burn_rates"] = _polars_slos(pl, minutes, slos)
    return facts


def _div(a, b):
    import polars as pl

    return pl.when(b != 0).then(a.cast(pl.Float64) / b.cast(pl.Float64))


def _polars_events(pl, minutes, slos, key):
    prod = minutes.group_by("product_id", key).agg(
        v=pl.col("valid_requests").sum(), g=pl.col("good_requests").sum(),
        s=pl.col("slow_valid_requests").sum())
    keys = prod.select(key).unique()
    return (slos.join(keys, how="cross")
            .join(prod, on=["product_id", key], how="left")
            .with_columns(valid_requests=pl.col("v").fill_null(0),
                          bad_requests=pl.when(pl.col("sli") == "availability")
                          .then(pl.col("v") - pl.col("g")).otherwise(pl.col("s")).fill_null(0))
            .select("slo_id", "target", "window_days", key, "valid_requests", "bad_requests"))


def _polars_slos(pl, minutes, slos):
    ev = _polars_events(pl, minutes, slos, "requested_on")
    cal = pl.DataFrame({"requested_on": pl.date_range(ev["requested_on"].min(),
                                                      ev["requested_on"].max(), "1d", eager=True)})
    parts = []
    for (_slo_id,), part in ev.partition_by("slo_id", as_dict=True).items():
        w = int(part["window_days"][0])
        dense = (cal.join(part.select("requested_on", "valid_requests", "bad_requests"),
                          on="requested_on", how="left").fill_null(0).sort("requested_on")
                 .with_columns(valid_requests_window=pl.col("valid_requests").rolling_sum(w, min_samples=1),
                               bad_requests_window=pl.col("bad_requests").rolling_sum(w, min_samples=1)))
        parts.append(part.join(dense.select("requested_on", "valid_requests_window",
                                            "bad_requests_window"), on="requested_on"))
    daily = pl.concat(parts).with_columns(
        sli=1 - _div(pl.col("bad_requests"), pl.col("valid_requests")),
        slo_attainment=1 - _div(pl.col("bad_requests_window"), pl.col("valid_requests_window")))

    ev = _polars_events(pl, minutes, slos, "bucket_number")
    lo, hi = ev["bucket_number"].min(), ev["bucket_number"].max()
    dense_keys = pl.DataFrame({"bucket_number": pl.int_range(lo, hi + 1, eager=True)})
    parts = []
    for (_slo_id,), part in ev.partition_by("slo_id", as_dict=True).items():
        target = float(part["target"][0])
        dense = (dense_keys.join(part.select("bucket_number", "valid_requests", "bad_requests"),
                                 on="bucket_number", how="left").fill_null(0)
                 .sort("bucket_number"))
        cols = []
        for name, k in WINDOWS.items():
            v = pl.col("valid_requests").rolling_sum(k, min_samples=1)
            b = pl.col("bad_requests").rolling_sum(k, min_samples=1)
            cols += [v.alias(f"valid_requests_{name}"),
                     (_div(b, v) / (1 - target)).alias(f"burn_rate_{name}")]
        dense = dense.select("bucket_number", *cols)
        parts.append(part.select("slo_id", "bucket_number").join(dense, on="bucket_number"))
    return daily, pl.concat(parts)
