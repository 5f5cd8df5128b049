-- The closing period's ERP documents (invoices and credit notes, the invoices mart) with
-- what the revenue KPIs need: the worker who owns the opportunity invoiced (its OwnerId in
-- the period's CRM snapshot), that worker's team and business line, the customer's segment
-- (the ERP's), and the days beyond terms of a paid invoice
-- (payment date minus due date; negative when paid early). A document naming no known
-- opportunity counts for the company only.
with

invoices as (

    select * from {{ ref('invoices') }}

),

opportunities as (

    select * from {{ ref('int_reporting_deals') }}

),

erp_segments as (

    -- One segment per ERP customer of the period's snapshot (B2B or B2C, seed
    -- erp_segment_codes); a code delivered twice keeps the smaller, a visible choice.
    select customers.erp_customer_code, min(customers.segment) as erp_segment
    from {{ ref('stg_erp__customers') }} as customers
    where customers.snapshot_period = {{ sql_literal(var('period')) }}
    group by customers.erp_customer_code

),

final as (

    select
        invoices.snapshot_period as period,
        invoices.invoice_number,
        invoices.document_type,
        invoices.invoice_date,
        invoices.due_date,
        invoices.payment_date,
        invoices.erp_customer_code,
        invoices.opportunity_id,
        opportunities.owner_employee_id,
        opportunities.owner_team,
        opportunities.owner_business_line,
        erp_segments.erp_segment as segment,
        invoices.signed_amount_eur,
        case
            when invoices.document_type = 'invoice' and invoices.payment_date is not null
                then cast(
                    {{ days_between('invoices.payment_date', 'invoices.due_date') }} as integer
                )
        end as days_beyond_terms,
        invoices.source_file,
        invoices.source_row
    from invoices
    left join opportunities
        on opportunities.opportunity_id = invoices.opportunity_id
    left join erp_segments
        on erp_segments.erp_customer_code = invoices.erp_customer_code

)

select * from final
