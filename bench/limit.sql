-- The limit: one hand-written DuckDB script over the same raw files the product reads,
-- computing the same gateway-derived facts. No staging layers, no views, no tests: one
-- scan of the gzip JSON lines (read_json with explicit columns), one deduplicated request
-- table, then each fact. bench/step.py substitutes ${GATEWAY_GLOB}, ${CONSUMERS_GLOB} and
-- ${SEEDS_DIR}; every fact lands in a table of the limit's own DuckDB file.
--
-- Semantics follow the metric catalog (the marts' docs blocks): success = status 200-399;
-- valid = not 429 and not a health check; good = valid and status < 500; one row per
-- request_id (shippers deliver at least once: repeated lines are identical).

set preserve_insertion_order = false;

create or replace table routes as
select route_name, product_id, is_health_check
from read_csv('${SEEDS_DIR}/api_routes.csv', header = true,
              columns = {'route_name': 'VARCHAR', 'route_template': 'VARCHAR',
                         'http_method': 'VARCHAR', 'product_id': 'VARCHAR',
                         'released_on': 'DATE', 'is_health_check': 'BOOLEAN'});

create or replace table slos as
select * from read_csv('${SEEDS_DIR}/slos.csv', header = true,
                       columns = {'slo_id': 'VARCHAR', 'product_id': 'VARCHAR', 'sli': 'VARCHAR',
                                  'target': 'DOUBLE', 'latency_threshold_ms': 'DOUBLE',
                                  'window_days': 'INTEGER'});

-- Kong file-log lines: only the fields the facts need.
create or replace table requests as
with lines as (
    select
        request.id as request_id,
        make_timestamp(started_at * 1000) as requested_at,
        coalesce(consumer.id, authenticated_entity.consumer_id.id) as consumer_id,
        coalesce(route.name, nullif(split_part(request.uri, '?', 1), '')) as route_name,
        nullif(regexp_extract(split_part(request.uri, '?', 1), '^/(v[0-9]+)(/|$)', 1), '') as api_version,
        response.status as status_code,
        latencies.request as latency_ms
    from read_json('${GATEWAY_GLOB}', format = 'newline_delimited', compression = 'gzip',
        columns = {
            'request': 'STRUCT(id VARCHAR, uri VARCHAR)',
            'response': 'STRUCT(status INTEGER)',
            'latencies': 'STRUCT(request DOUBLE)',
            'started_at': 'BIGINT',
            'route': 'STRUCT(name VARCHAR)',
            'consumer': 'STRUCT(id VARCHAR)',
            'authenticated_entity': 'STRUCT(consumer_id STRUCT(id VARCHAR))'
        })
),
dedup as (
    select distinct on (request_id) * from lines
)
select
    d.*,
    cast(d.requested_at as date) as requested_on,
    coalesce(r.product_id, 'unmapped') as product_id,
    coalesce(d.status_code between 200 and 399, false) as is_success,
    coalesce(d.status_code between 500 and 599, false) as is_server_error,
    not coalesce(d.status_code = 429, false) and not coalesce(r.is_health_check, false) as is_valid,
    not coalesce(d.status_code = 429, false) and not coalesce(r.is_health_check, false)
        and coalesce(d.status_code < 500, false) as is_good
from dedup d
left join routes r on d.route_name = r.route_name;

-- Daily route × version facts: successes and their latency percentiles (the three calls
-- share one aggregate: DuckDB computes identical aggregate expressions once).
create or replace table latency_daily as
select
    requested_on,
    coalesce(route_name, 'unknown') as route_name,
    coalesce(api_version, 'unversioned') as api_version,
    count(*) as successful_requests,
    quantile_cont(latency_ms, [0.5, 0.95, 0.99])[1] as latency_p50_ms,
    quantile_cont(latency_ms, [0.5, 0.95, 0.99])[2] as latency_p95_ms,
    quantile_cont(latency_ms, [0.5, 0.95, 0.99])[3] as latency_p99_ms
from requests
where is_success
group by all;

-- Per product × minute: the counts availability, SLOs and burn rates are built from.
create or replace table product_minutes as
select
    q.product_id,
    date_trunc('minute', q.requested_at) as minute_start_at,
    cast(epoch(date_trunc('minute', q.requested_at)) // 60 as bigint) as minute_number,
    count(*) as total_requests,
    count(*) filter (where q.is_valid) as valid_requests,
    count(*) filter (where q.is_good) as good_requests,
    count(*) filter (where q.is_valid and q.latency_ms > t.latency_threshold_ms) as slow_valid_requests
from requests q
left join (select product_id, max(latency_threshold_ms) as latency_threshold_ms
           from slos where sli = 'latency' group by all) t
    on q.product_id = t.product_id
group by all;

-- Availability per day × product (every product seen, on every day with traffic) and 28d.
create or replace table availability_daily as
with daily as (
    select cast(minute_start_at as date) as requested_on, product_id,
           sum(total_requests) as total_requests, sum(valid_requests) as valid_requests,
           sum(good_requests) as good_requests
    from product_minutes group by all
),
filled as (
    select d.requested_on, p.product_id,
           coalesce(x.total_requests, 0) as total_requests,
           coalesce(x.valid_requests, 0) as valid_requests,
           coalesce(x.good_requests, 0) as good_requests
    from (select distinct requested_on from daily) d
    cross join (select distinct product_id from daily) p
    left join daily x using (requested_on, product_id)
)
select
    requested_on, product_id, total_requests, valid_requests, good_requests,
    good_requests / nullif(valid_requests, 0)::double as availability,
    sum(valid_requests) over w as valid_requests_28d,
    sum(good_requests) over w as good_requests_28d,
    sum(good_requests) over w / nullif(sum(valid_requests) over w, 0)::double as availability_28d
from filled
window w as (partition by product_id order by requested_on
             range between interval 27 days preceding and current row);

-- Onboarding: per consumer, first call and first success.
create or replace table onboarding as
select
    consumer_id,
    min(requested_at) as first_call_at,
    min(requested_at) filter (where is_success) as first_success_at,
    count(*) as request_count,
    count(*) filter (where is_success) as success_count
from requests
where consumer_id is not null
group by all;

-- Active consumers: consumer-days with a success, over the observed day spine.
create or replace table consumer_days as
select distinct consumer_id, requested_on as activity_on
from requests where consumer_id is not null and is_success;

create or replace table active_consumers_daily as
with bounds as (select min(requested_on) as first_on, max(requested_on) as last_on from requests),
days as (
    select cast(d as date) as date_day
    from bounds, range(bounds.first_on, bounds.last_on + interval 1 day, interval 1 day) t(d)
)
select
    days.date_day as activity_on,
    count(distinct c.consumer_id) filter (where c.activity_on = days.date_day) as active_consumers,
    count(distinct c.consumer_id) filter (where c.activity_on > days.date_day - 7) as active_consumers_7d,
    count(distinct c.consumer_id) as active_consumers_28d
from days
left join consumer_days c
    on c.activity_on <= days.date_day and c.activity_on > days.date_day - 28
group by all;

-- Weekly sign-up cohorts (the registry's created_at) × week offset 0..12.
create or replace table cohort_retention as
with consumers as (
    select unnest(data, recursive := false) as c
    from read_json('${CONSUMERS_GLOB}', format = 'auto',
                   columns = {'data': 'STRUCT(id VARCHAR, created_at BIGINT)[]'})
),
signed as (
    select distinct c.id as consumer_id, make_timestamp(c.created_at * 1000000) as signed_up_at
    from consumers where c.created_at is not null
),
cohort_of as (
    select consumer_id, cast(signed_up_at as date) as signed_up_on,
           cast(date_trunc('week', signed_up_at) as date) as cohort_week_start_on
    from signed
),
cohorts as (select cohort_week_start_on, count(*) as cohort_size from cohort_of group by all),
retained as (
    select cohort_week_start_on, week_offset, count(*) as retained_consumers
    from (
        select distinct o.cohort_week_start_on, o.consumer_id,
               floor(datediff('day', o.signed_up_on, d.activity_on) / 7)::int as week_offset
        from cohort_of o join consumer_days d
          on o.consumer_id = d.consumer_id and d.activity_on >= o.signed_up_on
    ) group by all
),
bounds as (select min(activity_on) as first_on, max(activity_on) as last_on from (
    select requested_on as activity_on from requests))
select
    c.cohort_week_start_on, o.week_offset, c.cohort_size,
    case when c.cohort_week_start_on + cast(7 * o.week_offset as integer) between b.first_on and b.last_on
         then coalesce(r.retained_consumers, 0) end as retained_consumers
from cohorts c
cross join range(0, 13) o(week_offset)
cross join bounds b
left join retained r
    on r.cohort_week_start_on = c.cohort_week_start_on and r.week_offset = o.week_offset;

-- SLOs per day: valid and bad events (5xx, or slower than the threshold), trailing window.
create or replace table slo_daily as
with product_days as (
    select product_id, cast(minute_start_at as date) as requested_on,
           sum(valid_requests) as valid_requests,
           sum(valid_requests - good_requests) as server_error_requests,
           sum(slow_valid_requests) as slow_valid_requests
    from product_minutes group by all
),
slo_days as (
    select s.slo_id, s.target, s.window_days, d.requested_on,
           coalesce(p.valid_requests, 0) as valid_requests,
           coalesce(case when s.sli = 'availability' then p.server_error_requests
                         when s.sli = 'latency' then p.slow_valid_requests end, 0) as bad_requests
    from slos s
    cross join (select distinct requested_on from product_days) d
    left join product_days p on p.product_id = s.product_id and p.requested_on = d.requested_on
)
select
    a.slo_id, a.requested_on, a.valid_requests, a.bad_requests,
    1 - a.bad_requests / nullif(a.valid_requests, 0)::double as sli,
    sum(b.valid_requests) as valid_requests_window,
    sum(b.bad_requests) as bad_requests_window,
    1 - sum(b.bad_requests) / nullif(sum(b.valid_requests), 0)::double as slo_attainment
from slo_days a
join slo_days b
  on a.slo_id = b.slo_id and b.requested_on <= a.requested_on
 and b.requested_on > a.requested_on - a.window_days
group by a.slo_id, a.requested_on, a.valid_requests, a.bad_requests;

-- Burn rates per SLO × 5-minute bucket over 5m, 30m, 1h, 6h and 3d windows.
create or replace table slo_burn_rates as
with product_buckets as (
    select product_id, floor(minute_number / 5.0)::bigint as bucket_number,
           sum(valid_requests) as valid_requests,
           sum(valid_requests - good_requests) as server_error_requests,
           sum(slow_valid_requests) as slow_valid_requests
    from product_minutes group by all
),
slo_buckets as (
    select s.slo_id, s.target, b.bucket_number,
           coalesce(p.valid_requests, 0) as valid_requests,
           coalesce(case when s.sli = 'availability' then p.server_error_requests
                         when s.sli = 'latency' then p.slow_valid_requests end, 0) as bad_requests
    from slos s
    cross join (select distinct bucket_number from product_buckets) b
    left join product_buckets p on p.product_id = s.product_id and p.bucket_number = b.bucket_number
),
windowed as (
    select slo_id, target, bucket_number,
        sum(valid_requests) over (partition by slo_id order by bucket_number range between 0 preceding and current row) as v_5m,
        sum(bad_requests) over (partition by slo_id order by bucket_number range between 0 preceding and current row) as b_5m,
        sum(valid_requests) over (partition by slo_id order by bucket_number range between 11 preceding and current row) as v_1h,
        sum(bad_requests) over (partition by slo_id order by bucket_number range between 11 preceding and current row) as b_1h,
        sum(valid_requests) over (partition by slo_id order by bucket_number range between 71 preceding and current row) as v_6h,
        sum(bad_requests) over (partition by slo_id order by bucket_number range between 71 preceding and current row) as b_6h,
        sum(valid_requests) over (partition by slo_id order by bucket_number range between 863 preceding and current row) as v_3d,
        sum(bad_requests) over (partition by slo_id order by bucket_number range between 863 preceding and current row) as b_3d
    from slo_buckets
)
select slo_id, bucket_number,
    v_5m as valid_requests_5m, (b_5m / nullif(v_5m, 0)::double) / nullif(1 - target, 0) as burn_rate_5m,
    v_1h as valid_requests_1h, (b_1h / nullif(v_1h, 0)::double) / nullif(1 - target, 0) as burn_rate_1h,
    v_6h as valid_requests_6h, (b_6h / nullif(v_6h, 0)::double) / nullif(1 - target, 0) as burn_rate_6h,
    v_3d as valid_requests_3d, (b_3d / nullif(v_3d, 0)::double) / nullif(1 - target, 0) as burn_rate_3d
from windowed;

drop table requests;
