-- Which ERP customer a CRM account is, per snapshot: the ERP customer whose code_client
-- equals the account's ERP_Customer_Code__c, both trimmed and upper-cased (staging's
-- erp_customer_code), in the same drop.
--
-- Every account keeps one row with its status:
--   matched       its code is an ERP customer's, and no other account of the snapshot has it
--   shared_code   its code is an ERP customer's, but other accounts carry the same code
--                 (duplicate accounts): listed, never resolved by picking one of them
--   unknown_code  its code is no ERP customer's
--   no_code       it carries no ERP code (prospects, partners, accounts never invoiced)
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

accounts_per_code as (

    select
        snapshot_period,
        erp_customer_code,
        count(*) as accounts_with_code
    from accounts
    where erp_customer_code is not null
    {{ group_by_all(2) }}

),

joined as (

    select
        accounts.snapshot_period,
        accounts.account_id,
        accounts.account_name,
        accounts.account_type,
        accounts.segment as crm_segment,
        accounts.is_deleted,
        accounts.erp_customer_code_raw,
        accounts.erp_customer_code,
        coalesce(accounts_per_code.accounts_with_code, 0) as accounts_with_code,
        customers.erp_customer_code is not null as code_is_erp_customer,
        customers.customer_name as erp_customer_name,
        customers.siren,
        customers.country_code as erp_country_code,
        customers.segment as erp_segment,
        accounts.source_file,
        accounts.source_row,
        customers.source_file as erp_source_file,
        customers.source_row as erp_source_row
    from accounts
    left join accounts_per_code
        on accounts_per_code.snapshot_period = accounts.snapshot_period
        and accounts_per_code.erp_customer_code = accounts.erp_customer_code
    left join customers
        on customers.snapshot_period = accounts.snapshot_period
        and customers.erp_customer_code = accounts.erp_customer_code

),

classified as (

    select
        snapshot_period,
        account_id,
        account_name,
        account_type,
        crm_segment,
        is_deleted,
        erp_customer_code_raw,
        erp_customer_code,
        accounts_with_code,

        case
            when erp_customer_code is null then 'no_code'
            when not code_is_erp_customer then 'unknown_code'
            when accounts_with_code > 1 then 'shared_code'
            else 'matched'
        end as match_status,

        case
            when erp_customer_code is null then 'no ERP customer code on the account'
            when not code_is_erp_customer then 'ERP customer code not in the ERP clients'
            when accounts_with_code > 1
                then 'ERP customer code shared by ' || accounts_with_code || ' accounts'
        end as match_reason,

        erp_customer_name,
        siren,
        erp_country_code,
        erp_segment,
        source_file,
        source_row,
        erp_source_file,
        erp_source_row

    from joined

)

select * from classified
