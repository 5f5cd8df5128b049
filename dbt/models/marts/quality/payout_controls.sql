-- The controls a certified payout must pass, one row per payout of the closing period,
-- judged by the GX suite expectations/certified/payout_controls.json: the cap
-- (payout <= curve cap x target variable) and the tie of each payout's credit to its
-- credit lines (credited bookings plus adjustments, as listed in credit_lines).
with

payouts as (

    select * from {{ ref('payouts') }}

),

credit_lines as (

    select * from {{ ref('credit_lines') }}

),

plan as (

    select * from {{ ref('stg_plan__parameters') }}
    where period = {{ sql_literal(var('period')) }}

),

credit_lines_per_worker as (

    select employee_id, cast(sum(credit_eur) as decimal(18, 2)) as credit_lines_eur
    from credit_lines
    where employee_id is not null
    group by employee_id

),

final as (

    select
        payouts.period,
        payouts.employee_id,
        payouts.status,
        payouts.payout_eur,
        payouts.target_variable_eur,
        plan.curve_cap,
        cast(round(payouts.target_variable_eur * plan.curve_cap, {{ var('money_decimals') }})
            as decimal(18, 2)) as payout_cap_eur,
        payouts.credited_with_adjustments_eur,
        coalesce(credit_lines_per_worker.credit_lines_eur, 0) as credit_lines_eur
    from payouts
    cross join plan
    left join credit_lines_per_worker
        on credit_lines_per_worker.employee_id = payouts.employee_id

)

select * from final
