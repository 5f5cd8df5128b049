-- CRM against finance for the closing period, one row per opportunity reference: what the
-- CRM booked (won deals closed in the period, EUR) beside what the ERP invoiced in the
-- period under the same reference (invoices minus credit notes, EUR). Documents that name
-- no opportunity of the CRM snapshot have one row each, with no opportunity_id.
-- A deal is invoiced after it closes, so timing differences are normal: the status says
-- which side is missing, and the period's gap is judged against a tolerance by the GX
-- suite of `reconciliation` (config/quality.yaml), not here.
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

bookings as (

    select * from {{ ref('bookings') }}

),

invoices as (

    select * from {{ ref('invoices') }}

),

booked as (

    select opportunity_id, amount_eur as booked_eur
    from bookings

),

invoiced_by_reference as (

    select
        opportunity_id,
        count(*) as documents,
        count(*) filter (where signed_amount_eur is null) as documents_without_rate,
        cast(sum(signed_amount_eur) as decimal(18, 2)) as invoiced_eur,
        {{ ordered_text_agg('invoice_number', "', '", 'invoice_number') }} as invoice_numbers
    from invoices
    where opportunity_match_status = 'matched'
    group by opportunity_id

),

by_reference as (

    select
        coalesce(booked.opportunity_id, invoiced_by_reference.opportunity_id)
            as opportunity_id,
        booked.booked_eur,
        invoiced_by_reference.invoiced_eur,
        coalesce(invoiced_by_reference.documents, 0) as documents,
        coalesce(invoiced_by_reference.documents_without_rate, 0) as documents_without_rate,
        invoiced_by_reference.invoice_numbers,
        case
            when booked.opportunity_id is null then 'invoiced_not_booked_in_period'
            when invoiced_by_reference.opportunity_id is null then 'booked_not_invoiced'
            else 'booked_and_invoiced'
        end as reconciliation_status
    from booked
    full outer join invoiced_by_reference
        on invoiced_by_reference.opportunity_id = booked.opportunity_id

),

documents_without_deal as (

    select
        cast(null as {{ text_type() }}) as opportunity_id,
        cast(null as decimal(18, 2)) as booked_eur,
        signed_amount_eur as invoiced_eur,
        1 as documents,
        case when signed_amount_eur is null then 1 else 0 end as documents_without_rate,
        invoice_number as invoice_numbers,
        'invoice_without_deal' as reconciliation_status
    from invoices
    where opportunity_match_status <> 'matched'

),

all_rows as (

    select * from by_reference
    union all
    select * from documents_without_deal

),

final as (

    select
        closing_period.period,
        all_rows.opportunity_id,
        all_rows.invoice_numbers,
        all_rows.reconciliation_status,
        cast(all_rows.booked_eur as decimal(18, 2)) as booked_eur,
        cast(all_rows.invoiced_eur as decimal(18, 2)) as invoiced_eur,
        cast(coalesce(all_rows.invoiced_eur, 0) - coalesce(all_rows.booked_eur, 0)
            as decimal(18, 2)) as gap_eur,
        cast(all_rows.documents as integer) as documents,
        cast(all_rows.documents_without_rate as integer) as documents_without_rate
    from all_rows
    cross join closing_period

)

select * from final
