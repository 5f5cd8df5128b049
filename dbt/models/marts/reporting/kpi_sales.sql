-- Sales KPIs of the closing period, one row per scope: each worker of the period (eligible,
-- or owning a deal or an invoiced opportunity), each team, each business line, the company.
-- A deal and its invoices count for the worker owning the opportunity, their team and
-- business line (the worker's, from the HR snapshot), and the company; a deal of an owner
-- who is no worker counts for the company only. Definitions: see the glossary (kpi_*).
--   win rate (count)  won / (won + lost), deals closed in the period; null when none closed
--   win rate (value)  the same on EUR amounts
--   coverage          open pipeline due in the next period / next period's quota; null when
--                     the quota is missing or zero
-- Ratios are exact divisions rounded half-up (macro divide_half_up): 4 decimals for
-- rates, 2 for EUR, 1 for days.
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

deals as (

    select * from {{ ref('int_reporting_deals') }}

),

invoices as (

    select * from {{ ref('int_reporting_invoices') }}

),

quotas as (

    select * from {{ ref('int_reporting_quotas') }}

),

workers as (

    select * from {{ ref('workers') }}

),

teams as (

    select * from {{ ref('teams') }}

),

deal_measures_grouped as (

    select
        case
            when grouping(owner_employee_id) = 0 then 'worker'
            when grouping(owner_team) = 0 then 'team'
            when grouping(owner_business_line) = 0 then 'business_line'
            else 'company'
        end as scope_level,
        coalesce(owner_employee_id, owner_team, owner_business_line, 'company') as scope_id,
        coalesce(owner_employee_id, owner_team, owner_business_line) as scope_key,
        count(*) filter (where is_won_in_period) as won_deal_count,
        count(*) filter (where is_lost_in_period) as lost_deal_count,
        cast(coalesce(sum(amount_eur) filter (where is_won_in_period), 0) as decimal(18, 2))
            as bookings_eur,
        cast(coalesce(sum(amount_eur) filter (where is_won_in_period and segment = 'B2B'), 0)
            as decimal(18, 2)) as bookings_b2b_eur,
        cast(coalesce(sum(amount_eur) filter (where is_won_in_period and segment = 'B2C'), 0)
            as decimal(18, 2)) as bookings_b2c_eur,
        cast(coalesce(sum(amount_eur) filter (where is_lost_in_period), 0) as decimal(18, 2))
            as lost_value_eur,
        cast({{ median_of('sales_cycle_days') }} filter (where is_won_in_period) as decimal(18, 1))
            as median_sales_cycle_days,
        cast(coalesce(sum(amount_eur) filter (where is_open), 0) as decimal(18, 2))
            as open_pipeline_eur,
        cast(coalesce(sum(amount_eur) filter (where is_due_next_period), 0) as decimal(18, 2))
            as next_period_pipeline_eur
    from deals
    group by grouping sets ((owner_employee_id), (owner_team), (owner_business_line), ())

),

deal_measures as (

    -- A null key is no scope (an owner who is no worker, a worker without team).
    select * from deal_measures_grouped
    where scope_level = 'company' or scope_key is not null

),

invoice_measures_grouped as (

    select
        case
            when grouping(owner_employee_id) = 0 then 'worker'
            when grouping(owner_team) = 0 then 'team'
            when grouping(owner_business_line) = 0 then 'business_line'
            else 'company'
        end as scope_level,
        coalesce(owner_employee_id, owner_team, owner_business_line, 'company') as scope_id,
        coalesce(owner_employee_id, owner_team, owner_business_line) as scope_key,
        cast(sum(signed_amount_eur) as decimal(18, 2)) as revenue_eur,
        cast(coalesce(sum(signed_amount_eur) filter (where segment = 'B2B'), 0)
            as decimal(18, 2)) as revenue_b2b_eur,
        cast(coalesce(sum(signed_amount_eur) filter (where segment = 'B2C'), 0)
            as decimal(18, 2)) as revenue_b2c_eur,
        count(days_beyond_terms) as paid_invoice_count,
        sum(days_beyond_terms) as days_beyond_terms_total
    from invoices
    group by grouping sets ((owner_employee_id), (owner_team), (owner_business_line), ())

),

invoice_measures as (

    -- A null key is no scope (an owner who is no worker, a worker without team).
    select * from invoice_measures_grouped
    where scope_level = 'company' or scope_key is not null

),

scopes as (

    select 'worker' as scope_level, employee_id as scope_id, team, business_line
    from workers
    where is_eligible
        or employee_id in (
            select scope_id from deal_measures where scope_level = 'worker'
            union all
            select scope_id from invoice_measures where scope_level = 'worker'
        )
    union all
    select 'team', team, team, business_line from teams where member_count > 0
    union all
    select distinct 'business_line', business_line, null, business_line
    from workers
    where business_line is not null and employed_in_period
    union all
    select 'company', 'company', null, null

),

final as (

    select
        closing_period.period,
        scopes.scope_level,
        scopes.scope_id,
        scopes.team,
        scopes.business_line,
        coalesce(deal_measures.bookings_eur, 0) as bookings_eur,
        coalesce(deal_measures.bookings_b2b_eur, 0) as bookings_b2b_eur,
        coalesce(deal_measures.bookings_b2c_eur, 0) as bookings_b2c_eur,
        coalesce(invoice_measures.revenue_eur, 0) as revenue_eur,
        coalesce(invoice_measures.revenue_b2b_eur, 0) as revenue_b2b_eur,
        coalesce(invoice_measures.revenue_b2c_eur, 0) as revenue_b2c_eur,
        cast(coalesce(deal_measures.won_deal_count, 0) as bigint) as won_deal_count,
        cast(coalesce(deal_measures.lost_deal_count, 0) as bigint) as lost_deal_count,
        coalesce(deal_measures.lost_value_eur, 0) as lost_value_eur,
        cast(
            {{ divide_half_up('deal_measures.won_deal_count',
                'deal_measures.won_deal_count + deal_measures.lost_deal_count', 4) }}
            as decimal(18, 4)
        ) as win_rate_count,
        cast(
            {{ divide_half_up('deal_measures.bookings_eur',
                'deal_measures.bookings_eur + deal_measures.lost_value_eur', 4) }}
            as decimal(18, 4)
        ) as win_rate_value,
        cast(
            {{ divide_half_up('deal_measures.bookings_eur', 'deal_measures.won_deal_count', 2) }}
            as decimal(18, 2)
        ) as average_deal_size_eur,
        deal_measures.median_sales_cycle_days,
        coalesce(deal_measures.open_pipeline_eur, 0) as open_pipeline_eur,
        coalesce(deal_measures.next_period_pipeline_eur, 0) as next_period_pipeline_eur,
        quotas.quota_eur,
        quotas.next_period_quota_eur,
        cast(
            {{ divide_half_up('coalesce(deal_measures.next_period_pipeline_eur, 0)',
                'case when quotas.next_period_quota_eur > 0 '
                ~ 'then quotas.next_period_quota_eur end', 4) }}
            as decimal(18, 4)
        ) as pipeline_coverage,
        cast(coalesce(invoice_measures.paid_invoice_count, 0) as bigint) as paid_invoice_count,
        cast(
            {{ divide_half_up('invoice_measures.days_beyond_terms_total',
                'invoice_measures.paid_invoice_count', 1) }}
            as decimal(18, 1)
        ) as average_days_beyond_terms
    from scopes
    cross join closing_period
    left join deal_measures
        on deal_measures.scope_level = scopes.scope_level
        and deal_measures.scope_id = scopes.scope_id
    left join invoice_measures
        on invoice_measures.scope_level = scopes.scope_level
        and invoice_measures.scope_id = scopes.scope_id
    left join quotas
        on quotas.scope_level = scopes.scope_level
        and quotas.scope_id = scopes.scope_id

)

select * from final
