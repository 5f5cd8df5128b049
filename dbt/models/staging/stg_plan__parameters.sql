-- The plan in force for each period, renamed (one row per period).
with

source as (

    select * from {{ source('plan', 'parameters') }}

),

renamed as (

    select
        _period as period,
        plan_id,
        plan_version,
        plan_file,
        plan_sha256,
        effective_from,
        currency as plan_currency,
        curve_threshold,
        curve_target,
        curve_accelerator_slope,
        curve_cap,
        score_scale,
        months_per_year,
        money_decimals,
        attainment_decimals,
        unattributed_credit_block_share

    from source

)

select * from renamed
