with

routes as (

    select * from {{ ref('api_routes') }}

),

products as (

    select * from {{ ref('api_products') }}

),

final as (

    select
        routes.route_name,
        routes.route_template,
        routes.http_method,
        routes.product_id,
        products.product_name,
        products.lifecycle_stage,
        products.owner_team,
        routes.released_on,
        routes.is_health_check

    from routes
    left join products
        on routes.product_id = products.product_id

)

select * from final
