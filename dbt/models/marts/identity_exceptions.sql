-- Every identity of the closing period that could not be resolved, one row per problem,
-- with the reason: the other side of identity resolution. With the matched rows of the
-- intermediate models it accounts for every CRM user, CRM account, ERP customer and ERP
-- document of the period (tests/test_vocabulary.py checks that none is dropped). Ids and
-- codes only: no name or e-mail, so that it can go to auditors.
--   crm_user_not_a_worker            a CRM user that is no worker (int_users_matched_to_workers)
--   crm_account_no_code              an account without ERP customer code
--   crm_account_unknown_code         an account whose code is no ERP customer's
--   crm_account_shared_code          one of several accounts carrying the same ERP code
--   erp_customer_without_account     an ERP customer that no account carries
--   erp_document_no_reference        an invoice or credit note without ref_opportunite
--   erp_document_unknown_opportunity an invoice or credit note naming an unknown opportunity
--   won_opportunity_not_invoiced     a won opportunity that no ERP document references more
--                                    than 30 days after its CloseDate (within the ERP drops
--                                    loaded: older deals were invoiced before them)
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

users as (

    select * from {{ ref('int_users_matched_to_workers') }}

),

accounts as (

    select * from {{ ref('int_accounts_matched_to_customers') }}

),

erp_customers as (

    select * from {{ ref('stg_erp__customers') }}

),

documents as (

    select * from {{ ref('int_invoices_matched_to_opportunities') }}

),

first_erp_drop as (

    -- The first day of the earliest ERP drop loaded: invoices of earlier deals are unknown.
    select cast(min(snapshot_period) || '-01' as date) as first_day
    from {{ ref('stg_erp__invoices') }}

),

users_not_workers as (

    select
        'crm_user_not_a_worker' as exception_kind,
        user_id as record_id,
        user_employee_number as related_id,
        unmatched_reason as reason,
        snapshot_period,
        source_file,
        source_row
    from users
    where employee_id is null

),

accounts_not_matched as (

    select
        'crm_account_' || match_status as exception_kind,
        account_id as record_id,
        erp_customer_code as related_id,
        match_reason as reason,
        snapshot_period,
        source_file,
        source_row
    from accounts
    where match_status <> 'matched'

),

erp_customers_without_account as (

    select
        'erp_customer_without_account' as exception_kind,
        erp_customer_code as record_id,
        cast(null as {{ text_type() }}) as related_id,
        'no CRM account carries this ERP customer code' as reason,
        snapshot_period,
        source_file,
        source_row
    from erp_customers
    where not exists (
        select 1
        from accounts
        where accounts.snapshot_period = erp_customers.snapshot_period
            and accounts.erp_customer_code = erp_customers.erp_customer_code
    )

),

documents_not_matched as (

    select
        'erp_document_' || match_status as exception_kind,
        invoice_number as record_id,
        referenced_opportunity_id as related_id,
        match_reason as reason,
        snapshot_period,
        source_file,
        source_row
    from documents
    where record_kind = 'erp_document' and match_status <> 'matched'

),

won_not_invoiced as (

    select
        'won_opportunity_not_invoiced' as exception_kind,
        documents.opportunity_id as record_id,
        cast(null as {{ text_type() }}) as related_id,
        'won on ' || documents.opportunity_close_date || ', no ERP document references it '
            || documents.days_without_invoice || ' days later' as reason,
        documents.snapshot_period,
        documents.source_file,
        documents.source_row
    from documents
    cross join first_erp_drop
    where documents.match_status = 'not_invoiced'
        and documents.days_without_invoice > 30
        and documents.opportunity_close_date >= first_erp_drop.first_day

),

all_exceptions as (

    select * from users_not_workers
    union all
    select * from accounts_not_matched
    union all
    select * from erp_customers_without_account
    union all
    select * from documents_not_matched
    union all
    select * from won_not_invoiced

),

final as (

    select
        all_exceptions.exception_kind,
        all_exceptions.record_id,
        all_exceptions.related_id,
        all_exceptions.reason,
        all_exceptions.snapshot_period,
        all_exceptions.source_file,
        all_exceptions.source_row
    from all_exceptions
    inner join closing_period
        on all_exceptions.snapshot_period = closing_period.period

)

select * from final
