-- The withheld payouts of the closing period (comp plan, "Holds"), one row per held
-- worker and hold rule, with the reason in words: what finance certifies as "not paid,
-- and why". Ids and rule names only: no pay figure.
with

payouts as (

    select * from {{ ref('payouts') }}

),

held as (

    select
        period,
        employee_id,
        sales_role,
        team,
        business_line,
        {{ split_to_rows('hold_rules', "'; '") }} as hold_rule,
        hold_reason
    from payouts
    where status = 'held'

)

select * from held
