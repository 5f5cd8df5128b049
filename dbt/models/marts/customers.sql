-- Customers as of the closing period's snapshot, CRM accounts and ERP customers crossed
-- (int_accounts_matched_to_customers): one row per CRM account, with the ERP customer it
-- is matched to, and one row per ERP customer that no account of the snapshot carries.
-- Accounts sharing one ERP code keep one row each (match_status shared_code): none of
-- them is chosen.
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

accounts as (

    select * from {{ ref('int_accounts_matched_to_customers') }}

),

erp_customers as (

    select * from {{ ref('stg_erp__customers') }}

),

accounts_of_period as (

    select
        accounts.account_id,
        -- The ERP identity, only where the account's code is an ERP customer's.
        case
            when accounts.match_status in ('matched', 'shared_code')
                then accounts.erp_customer_code
        end as erp_customer_code,
        accounts.match_status,
        accounts.match_reason,
        accounts.accounts_with_code,
        accounts.account_name,
        accounts.erp_customer_name,
        accounts.account_type,
        accounts.is_deleted as account_is_deleted,
        accounts.erp_customer_code_raw as account_erp_customer_code_raw,
        accounts.crm_segment,
        accounts.erp_segment,
        accounts.siren,
        accounts.erp_country_code,
        accounts.snapshot_period,
        accounts.source_file,
        accounts.source_row,
        accounts.erp_source_file,
        accounts.erp_source_row
    from accounts
    inner join closing_period
        on accounts.snapshot_period = closing_period.period

),

erp_customers_without_account as (

    select
        cast(null as {{ text_type() }}) as account_id,
        erp_customers.erp_customer_code,
        'erp_only' as match_status,
        'no CRM account carries this ERP customer code' as match_reason,
        cast(0 as bigint) as accounts_with_code,
        cast(null as {{ text_type() }}) as account_name,
        erp_customers.customer_name as erp_customer_name,
        cast(null as {{ text_type() }}) as account_type,
        cast(null as boolean) as account_is_deleted,
        cast(null as {{ text_type() }}) as account_erp_customer_code_raw,
        cast(null as {{ text_type() }}) as crm_segment,
        erp_customers.segment as erp_segment,
        erp_customers.siren,
        erp_customers.country_code as erp_country_code,
        erp_customers.snapshot_period,
        cast(null as {{ text_type() }}) as source_file,
        cast(null as bigint) as source_row,
        erp_customers.source_file as erp_source_file,
        erp_customers.source_row as erp_source_row
    from erp_customers
    inner join closing_period
        on erp_customers.snapshot_period = closing_period.period
    where not exists (
        select 1
        from accounts
        where accounts.snapshot_period = erp_customers.snapshot_period
            and accounts.erp_customer_code = erp_customers.erp_customer_code
    )

),

crossed as (

    select * from accounts_of_period
    union all
    select * from erp_customers_without_account

),

final as (

    select
        account_id,
        erp_customer_code,
        match_status,
        match_reason,
        accounts_with_code,
        -- The CRM segment where there is an account; the ERP one (mapped by the seed
        -- erp_segment_codes) for an ERP customer without account.
        coalesce(crm_segment, erp_segment) as segment,
        crm_segment,
        erp_segment,
        account_name,
        erp_customer_name,
        account_type,
        account_is_deleted,
        account_erp_customer_code_raw,
        siren,
        erp_country_code,
        snapshot_period,
        source_file,
        source_row,
        erp_source_file,
        erp_source_row
    from crossed

)

select * from final
