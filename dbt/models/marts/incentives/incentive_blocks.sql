-- The findings that stop the whole period (comp plan, "What blocks the whole period"):
-- while this table has a row for the closing period, nothing is certified. Findings name
-- records by id only (no personal value).
--   duplicate_key                    Opportunity Id, Employee_ID or ERP num_piece twice
--                                    with other content (identical repeats are dropped)
--   fx_rate_missing                  a credited currency with no rate on or before close
--   eligible_worker_not_eur          an eligible worker paid in another currency
--   unattributed_credit_over_limit   unattributed credit above the plan's share of the
--                                    period's credited bookings (adjustments excluded)
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

plan as (

    select * from {{ ref('stg_plan__parameters') }}
    where period = {{ sql_literal(var('period')) }}

),

duplicate_opportunities as (

    select 'duplicate_key' as rule,
        'Opportunity Id ' || opportunity_id || ' appears ' || count(*) || ' times' as finding
    from {{ ref('stg_crm__opportunities') }}
    where snapshot_period = {{ sql_literal(var('period')) }}
    group by opportunity_id
    having count(*) > 1

),

duplicate_workers as (

    select 'duplicate_key' as rule,
        'Employee_ID ' || employee_id || ' appears ' || count(*) || ' times' as finding
    from {{ ref('stg_hris__workers') }}
    where snapshot_period = {{ sql_literal(var('period')) }}
    group by employee_id
    having count(*) > 1

),

duplicate_invoices as (

    select 'duplicate_key' as rule,
        'ERP num_piece ' || invoice_number || ' appears ' || count(*)
            || ' times with different content' as finding
    from {{ ref('stg_erp__invoices') }}
    where snapshot_period = {{ sql_literal(var('period')) }} and not is_repeated_line
    group by invoice_number
    having count(*) > 1

),

missing_rates as (

    select 'fx_rate_missing' as rule,
        'no ' || currency_code || ' rate on or before ' || {{ iso_date_text('close_date') }}
            || ' for opportunity ' || opportunity_id as finding
    from {{ ref('bookings') }}
    where fx_rate_per_eur is null

),

workers_not_in_plan_currency as (

    select 'eligible_worker_not_eur' as rule,
        'eligible worker ' || employee_id || ' is paid in '
            || coalesce(currency_code, '(no currency)') || ', not ' || plan_currency as finding
    from {{ ref('int_target_variables_prorated') }}
    where currency_code is distinct from plan_currency

),

unattributed as (

    select
        coalesce(sum(credited_amount_eur) filter (where employee_id is null), 0)
            as unattributed_eur,
        coalesce(sum(credited_amount_eur), 0) as credited_eur
    from {{ ref('credits') }}

),

unattributed_over_limit as (

    select 'unattributed_credit_over_limit' as rule,
        'unattributed credit ' || unattributed.unattributed_eur || ' EUR is above '
            || plan.unattributed_credit_block_share * 100 || ' % of the '
            || unattributed.credited_eur || ' EUR credited' as finding
    from unattributed
    cross join plan
    where unattributed.unattributed_eur
        > plan.unattributed_credit_block_share * unattributed.credited_eur

),

findings as (

    select * from duplicate_opportunities
    union all select * from duplicate_workers
    union all select * from duplicate_invoices
    union all select * from missing_rates
    union all select * from workers_not_in_plan_currency
    union all select * from unattributed_over_limit

)

select closing_period.period, findings.rule, findings.finding
from findings
cross join closing_period
