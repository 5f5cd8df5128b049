-- One row per eligible worker of the closing period: every figure of the calculation,
-- the status (certified or held, with the reason a person understands) and the payout.
--   payout = TV x (w_qualitative x q + w_individual x f(IA) + w_collective x f(TA)),
--   rounded half-up to the cent; empty when held.
with

components as (

    select * from {{ ref('int_payout_components') }}

),

final as (

    select
        period,
        employee_id,
        sales_role,
        team,
        business_line,
        plan_version,
        case when {{ list_length('hold_rules') }} = 0 then 'certified' else 'held' end as status,
        nullif({{ list_to_text('hold_rules', "'; '") }}, '') as hold_rules,
        nullif({{ list_to_text('hold_reasons', "'; '") }}, '') as hold_reason,
        fte,
        days_employed_in_period as days_employed,
        days_in_period,
        annual_target_variable,
        target_variable_eur,
        credited_eur,
        adjustments_eur,
        credited_with_adjustments_eur,
        individual_quota_eur,
        individual_attainment,
        team_members,
        team_credited_eur,
        team_quota_eur,
        team_attainment,
        qualitative_score,
        weight_qualitative,
        weight_individual,
        weight_collective,
        qualitative_factor,
        cast(individual_factor as decimal(18, 10)) as individual_factor,
        cast(collective_factor as decimal(18, 10)) as collective_factor,
        cast(
            weight_qualitative * coalesce(qualitative_factor, 0)
            + weight_individual * coalesce(individual_factor, 0)
            + weight_collective * coalesce(collective_factor, 0)
            as decimal(18, 10)
        ) as payout_factor,
        -- The weighted factor has the 14 decimals of weight x factor, exactly, and is below
        -- 100 000: as DECIMAL(19, 14), its product with a DECIMAL(18, 2) pay needs 38
        -- digits, which every engine keeps whole (Spark would round a wider one to 6
        -- decimals before the rounding to the cent).
        case when {{ list_length('hold_rules') }} = 0 then cast(round(
            target_variable_eur * cast(
                weight_qualitative * coalesce(qualitative_factor, 0)
                + weight_individual * coalesce(individual_factor, 0)
                + weight_collective * coalesce(collective_factor, 0)
                as decimal(19, 14)
            ), {{ var('money_decimals') }}) as decimal(18, 2))
        end as payout_eur
    from components

)

select * from final
