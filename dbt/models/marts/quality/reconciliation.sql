-- CRM against finance for the closing period, in total (one row): won bookings of the
-- period against what the ERP invoiced in the period (invoices minus credit notes), the
-- gap in EUR and in % of bookings, and the unmatched amounts on each side. Built from
-- reconciliation_by_opportunity, so the total is the sum of the listed lines.
with

lines as (

    select * from {{ ref('reconciliation_by_opportunity') }}

),

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

totals as (

    select
        cast(coalesce(sum(booked_eur), 0) as decimal(18, 2)) as booked_eur,
        cast(coalesce(sum(invoiced_eur), 0) as decimal(18, 2)) as invoiced_eur,
        cast(coalesce(sum(invoiced_eur) filter (
            where reconciliation_status = 'booked_and_invoiced'), 0) as decimal(18, 2))
            as invoiced_on_period_bookings_eur,
        cast(count(*) filter (where booked_eur is not null) as integer) as won_deals,
        cast(count(*) filter (
            where reconciliation_status = 'booked_and_invoiced') as integer)
            as deals_invoiced,
        cast(count(*) filter (
            where reconciliation_status = 'booked_not_invoiced') as integer)
            as deals_not_invoiced,
        cast(coalesce(sum(booked_eur) filter (
            where reconciliation_status = 'booked_not_invoiced'), 0) as decimal(18, 2))
            as booked_not_invoiced_eur,
        cast(count(*) filter (
            where reconciliation_status = 'invoiced_not_booked_in_period') as integer)
            as deals_invoiced_not_booked_in_period,
        cast(coalesce(sum(invoiced_eur) filter (
            where reconciliation_status = 'invoiced_not_booked_in_period'), 0)
            as decimal(18, 2)) as invoiced_not_booked_in_period_eur,
        cast(count(*) filter (
            where reconciliation_status = 'invoice_without_deal') as integer)
            as documents_without_deal,
        cast(coalesce(sum(invoiced_eur) filter (
            where reconciliation_status = 'invoice_without_deal'), 0) as decimal(18, 2))
            as invoiced_without_deal_eur,
        cast(coalesce(sum(documents_without_rate), 0) as integer) as documents_without_rate
    from lines

),

final as (

    select
        closing_period.period,
        totals.*,
        cast(totals.invoiced_eur - totals.booked_eur as decimal(18, 2)) as gap_eur,
        -- The gap as a share of bookings, in %, half-up to 2 decimals; undefined (null)
        -- when nothing was booked.
        case when totals.booked_eur <> 0 then cast(
            {{ divide_half_up('(totals.invoiced_eur - totals.booked_eur) * 100',
                              'totals.booked_eur', 2) }} as decimal(18, 2))
        end as gap_percent,
        case when totals.booked_eur <> 0 then cast(
            {{ divide_half_up('abs(totals.invoiced_eur - totals.booked_eur) * 100',
                              'totals.booked_eur', 2) }} as decimal(18, 2))
        end as abs_gap_percent
    from totals
    cross join closing_period

)

select * from final
