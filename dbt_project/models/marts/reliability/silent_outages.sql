{#
    One row per silent outage: an error window (fct_error_windows) lasting at least
    var('outage_min_minutes') minutes that overlaps no status-page incident of its product.
#}

with

error_windows as (

    select * from {{ ref('fct_error_windows') }}

),

final as (

    select
        error_window_id,
        product_id,
        started_at,
        ended_at,
        started_on,
        window_minutes,
        total_requests,
        server_errors,
        server_error_rate

    from error_windows
    where is_outage
        and not is_on_status_page

)

select * from final
