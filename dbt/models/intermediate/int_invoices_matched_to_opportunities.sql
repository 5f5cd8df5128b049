-- ERP documents matched to CRM opportunities, both ways, per drop.
--
-- An invoice or credit note names the opportunity it bills in ref_opportunite (the CRM
-- Opportunity Id). It is matched with the opportunity of the CRM snapshot of the same drop
-- (a full snapshot: an opportunity invoiced in a month is in that month's CRM file).
-- One row per document line kept by staging (identical repeated lines are left out: they
-- are reported by the invoices mart), with its status:
--   matched              the opportunity is in the CRM snapshot of the drop
--   no_reference         ref_opportunite is blank
--   unknown_opportunity  ref_opportunite names no opportunity of that CRM snapshot
-- and one row per won, not deleted opportunity of a CRM snapshot that no document of any
-- drop up to that one references:
--   not_invoiced         with the days between its CloseDate and the end of the snapshot's
--                        month (a deal is invoiced in the following months: the exceptions
--                        mart reports only those left without invoice more than 30 days)
with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

kept_documents as (

    select * from invoices where not is_repeated_line

),

documents_matched as (

    select
        kept_documents.snapshot_period,
        'erp_document' as record_kind,
        kept_documents.invoice_number,
        kept_documents.document_type,
        kept_documents.invoice_date,
        kept_documents.erp_customer_code,
        kept_documents.opportunity_id as referenced_opportunity_id,
        opportunities.opportunity_id,
        opportunities.is_won as opportunity_is_won,
        opportunities.close_date as opportunity_close_date,

        case
            when kept_documents.opportunity_id is null then 'no_reference'
            when opportunities.opportunity_id is null then 'unknown_opportunity'
            else 'matched'
        end as match_status,

        case
            when kept_documents.opportunity_id is null then 'no ref_opportunite on the document'
            when opportunities.opportunity_id is null
                then 'ref_opportunite names no opportunity of the CRM snapshot of the drop'
        end as match_reason,

        cast(null as integer) as days_without_invoice,
        kept_documents.source_file,
        kept_documents.source_row

    from kept_documents
    left join opportunities
        on opportunities.snapshot_period = kept_documents.snapshot_period
        and opportunities.opportunity_id = kept_documents.opportunity_id

),

invoiced_opportunities as (

    -- Every (snapshot, opportunity) pair such that a document of that drop or of an
    -- earlier one references the opportunity.
    select distinct
        snapshots.snapshot_period,
        kept_documents.opportunity_id
    from kept_documents
    inner join (select distinct snapshot_period from opportunities) as snapshots
        on kept_documents.snapshot_period <= snapshots.snapshot_period
    where kept_documents.opportunity_id is not null

),

won_not_invoiced as (

    select
        opportunities.snapshot_period,
        'crm_opportunity' as record_kind,
        cast(null as {{ text_type() }}) as invoice_number,
        cast(null as {{ text_type() }}) as document_type,
        cast(null as date) as invoice_date,
        cast(null as {{ text_type() }}) as erp_customer_code,
        cast(null as {{ text_type() }}) as referenced_opportunity_id,
        opportunities.opportunity_id,
        opportunities.is_won as opportunity_is_won,
        opportunities.close_date as opportunity_close_date,
        'not_invoiced' as match_status,
        'won opportunity that no ERP document references' as match_reason,
        -- Days from CloseDate to the last day of the snapshot's month.
        cast(
            {{ days_between(
                last_day_of_month("cast(opportunities.snapshot_period || '-01' as date)"),
                'opportunities.close_date'
            ) }}
            as integer
        ) as days_without_invoice,
        opportunities.source_file,
        opportunities.source_row
    from opportunities
    left join invoiced_opportunities
        on invoiced_opportunities.snapshot_period = opportunities.snapshot_period
        and invoiced_opportunities.opportunity_id = opportunities.opportunity_id
    where opportunities.is_won
        and not opportunities.is_deleted
        and invoiced_opportunities.opportunity_id is null

)

select * from documents_matched
union all
select * from won_not_invoiced
