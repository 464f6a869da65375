{#
    One row per status-page incident × affected component, with the API product the
    component stands for (seed statuspage_component_products; null when the component is
    not an API product, e.g. the dashboard or a provider's page). An incident lists its
    components as a JSON array of component objects: a component is affected when its id
    appears in that array (text search keeps this portable across engines).
#}

with

incidents as (

    select * from {{ ref('stg_statuspage__incidents') }}

),

components as (

    select * from {{ ref('stg_statuspage__components') }}

),

component_products as (

    select * from {{ ref('statuspage_component_products') }}

),

joined as (

    select
        incidents.incident_id,
        components.component_id,
        components.component_name,
        component_products.product_id

    from incidents
    inner join components
        on incidents.page_id = components.page_id
        and {{ dbt.position(dbt.concat(["'\"'", 'components.component_id', "'\"'"]), 'incidents.components_json') }} > 0
    left join component_products
        on components.component_name = component_products.component_name

)

select * from joined
