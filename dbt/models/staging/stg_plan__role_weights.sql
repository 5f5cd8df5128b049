-- Weights of each eligible role under the plan in force for each period.
with

source as (

    select * from {{ source('plan', 'role_weights') }}

),

renamed as (

    select
        _period as period,
        sales_role,
        weight_qualitative,
        weight_individual,
        weight_collective

    from source

)

select * from renamed
