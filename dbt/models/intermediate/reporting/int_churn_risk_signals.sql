-- The churn-risk drivers of each customer of the closing period that was ever invoiced in
-- the last 12 periods: the figures behind each driver, and whether it fires. Thresholds
-- come from config/churn.yaml as vars (churn_*_threshold): no business number here.
-- Comparisons are made exactly, without dividing (a share of a DECIMAL is a DOUBLE):
--   revenue_drop    revenue of the last 3 periods <= (1 - min share) x the 3 before, and
--                   the 3 before had revenue
--   invoice_gap     days since the last invoice > multiple x usual gap, the usual gap being
--                   (last invoice - first invoice) / (invoices - 1): a customer with one
--                   invoice has no usual gap, and this driver never fires for it
--   payment_delay   mean days beyond terms of the last 3 periods above that of the 3 before
--                   (both measured), or an invoice of the last 3 periods more than N days
--                   overdue
--   no_activity     a customer with a CRM account and no completed task on it for more
--                   than N days (or none ever); an ERP-only customer has no CRM to judge
--   credit_notes    a credit note dated within the last N days of the period
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end,
        cast({{ sql_literal(var('last_3_periods_from')) }} as {{ text_type() }}) as last_3_from,
        cast({{ sql_literal(var('last_6_periods_from')) }} as {{ text_type() }}) as last_6_from

),

thresholds as (

    select
        cast({{ sql_literal(var('churn_revenue_drop_threshold')) }} as decimal(18, 4))
            as min_drop_share,
        cast({{ sql_literal(var('churn_invoice_gap_threshold')) }} as decimal(18, 4))
            as gap_multiple,
        cast({{ sql_literal(var('churn_payment_delay_threshold')) }} as integer)
            as overdue_days,
        cast({{ sql_literal(var('churn_no_activity_threshold')) }} as integer) as inactive_days,
        cast({{ sql_literal(var('churn_credit_notes_threshold')) }} as integer)
            as lookback_days

),

history as (

    select * from {{ ref('int_reporting_customer_history') }}

),

customers as (

    select * from {{ ref('kpi_customer_months') }}

),

windows as (

    select
        history.erp_customer_code,
        cast(coalesce(sum(history.revenue_eur)
            filter (where history.period >= closing_period.last_3_from), 0)
            as decimal(18, 2)) as revenue_last_3_eur,
        cast(coalesce(sum(history.revenue_eur)
            filter (where history.period >= closing_period.last_6_from
                and history.period < closing_period.last_3_from), 0)
            as decimal(18, 2)) as revenue_prior_3_eur,
        sum(history.invoice_count) as invoice_count,
        min(history.first_invoice_date) as first_invoice_date,
        max(history.last_invoice_date) as last_invoice_date,
        max(history.last_credit_note_date) as last_credit_note_date,
        coalesce(sum(history.days_beyond_terms_total)
            filter (where history.period >= closing_period.last_3_from), 0) as delay_total_last_3,
        coalesce(sum(history.paid_invoice_count)
            filter (where history.period >= closing_period.last_3_from), 0) as paid_last_3,
        coalesce(sum(history.days_beyond_terms_total)
            filter (where history.period >= closing_period.last_6_from
                and history.period < closing_period.last_3_from), 0) as delay_total_prior_3,
        coalesce(sum(history.paid_invoice_count)
            filter (where history.period >= closing_period.last_6_from
                and history.period < closing_period.last_3_from), 0) as paid_prior_3,
        max(history.max_days_overdue)
            filter (where history.period >= closing_period.last_3_from) as max_days_overdue
    from history
    cross join closing_period
    group by history.erp_customer_code
    having sum(history.invoice_count) > 0

),

figures as (

    select
        closing_period.period,
        customers.erp_customer_code,
        customers.segment,
        customers.account_id,
        customers.owner_employee_id,
        windows.revenue_last_3_eur,
        windows.revenue_prior_3_eur,
        cast(windows.invoice_count as bigint) as invoice_count,
        windows.last_invoice_date,
        cast({{ days_between('closing_period.period_end', 'windows.last_invoice_date') }}
            as integer)
            as days_since_last_invoice,
        case when windows.invoice_count >= 2 then cast(
            {{ divide_half_up(
                days_between('windows.last_invoice_date', 'windows.first_invoice_date'),
                'windows.invoice_count - 1', 1) }} as decimal(18, 1)
        ) end as usual_invoice_gap_days,
        cast({{ divide_half_up('windows.delay_total_last_3', 'windows.paid_last_3', 1) }}
            as decimal(18, 1)) as average_days_beyond_terms_last_3,
        cast({{ divide_half_up('windows.delay_total_prior_3', 'windows.paid_prior_3', 1) }}
            as decimal(18, 1)) as average_days_beyond_terms_prior_3,
        windows.max_days_overdue,
        customers.last_activity_date,
        cast({{ days_between('closing_period.period_end', 'customers.last_activity_date') }}
            as integer)
            as days_since_last_activity,
        windows.last_credit_note_date,
        -- raw parts kept for the exact comparisons below
        windows.first_invoice_date,
        windows.delay_total_last_3,
        windows.paid_last_3,
        windows.delay_total_prior_3,
        windows.paid_prior_3,
        closing_period.period_end
    from windows
    inner join customers
        on customers.erp_customer_code = windows.erp_customer_code
    cross join closing_period

),

final as (

    select
        figures.period,
        figures.erp_customer_code,
        figures.segment,
        figures.account_id,
        figures.owner_employee_id,
        figures.revenue_last_3_eur,
        figures.revenue_prior_3_eur,
        figures.invoice_count,
        figures.last_invoice_date,
        figures.days_since_last_invoice,
        figures.usual_invoice_gap_days,
        figures.average_days_beyond_terms_last_3,
        figures.average_days_beyond_terms_prior_3,
        figures.max_days_overdue,
        figures.last_activity_date,
        figures.days_since_last_activity,
        figures.last_credit_note_date,
        coalesce(
            figures.revenue_prior_3_eur > 0
            and figures.revenue_last_3_eur
                <= (1 - thresholds.min_drop_share) * figures.revenue_prior_3_eur,
            false
        ) as revenue_drop_fires,
        coalesce(
            figures.invoice_count >= 2
            and figures.days_since_last_invoice * (figures.invoice_count - 1)
                > thresholds.gap_multiple
                * {{ days_between('figures.last_invoice_date', 'figures.first_invoice_date') }},
            false
        ) as invoice_gap_fires,
        coalesce(
            (
                figures.paid_last_3 > 0 and figures.paid_prior_3 > 0
                and figures.delay_total_last_3 * figures.paid_prior_3
                    > figures.delay_total_prior_3 * figures.paid_last_3
            )
            or figures.max_days_overdue > thresholds.overdue_days,
            false
        ) as payment_delay_fires,
        coalesce(
            figures.account_id is not null
            and (
                figures.last_activity_date is null
                or figures.days_since_last_activity > thresholds.inactive_days
            ),
            false
        ) as no_activity_fires,
        coalesce(
            {{ days_between('figures.period_end', 'figures.last_credit_note_date') }}
                < thresholds.lookback_days,
            false
        ) as credit_notes_fires
    from figures
    cross join thresholds

)

select * from final
