with

source as (

    select * from {{ source('crm', 'opportunity') }}

),

stage_codes as (

    select * from {{ ref('crm_stage_codes') }}

),

opportunity_type_codes as (

    select * from {{ ref('crm_opportunity_type_codes') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text(adapter.quote('Id')) }} as opportunity_id,
        {{ clean_text(adapter.quote('AccountId')) }} as account_id,
        {{ clean_text(adapter.quote('OwnerId')) }} as owner_user_id,

        ---------- text
        {{ clean_text(adapter.quote('Name')) }} as opportunity_name,
        {{ clean_text(adapter.quote('StageName')) }} as stage_name,
        {{ clean_text(adapter.quote('Type')) }} as opportunity_type,
        {{ clean_text(adapter.quote('LeadSource')) }} as lead_source,

        ---------- numerics
        {{ adapter.quote('Amount') }} as amount,
        {{ clean_code(adapter.quote('CurrencyIsoCode')) }} as currency_code,
        {{ adapter.quote('Probability') }} as probability,

        ---------- booleans
        {{ adapter.quote('IsClosed') }} as is_closed,
        {{ adapter.quote('IsWon') }} as is_won,
        {{ adapter.quote('IsDeleted') }} as is_deleted,

        ---------- dates and timestamps
        {{ adapter.quote('CloseDate') }} as close_date,
        {{ adapter.quote('CreatedDate') }} as created_at,
        {{ adapter.quote('LastModifiedDate') }} as last_modified_at,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

),

mapped as (

    select
        renamed.opportunity_id,
        renamed.account_id,
        renamed.owner_user_id,

        renamed.opportunity_name,
        renamed.stage_name,
        stage_codes.stage_category,
        stage_codes.stage_sort_order,
        renamed.opportunity_type,
        opportunity_type_codes.sales_motion,
        opportunity_type_codes.business_type,
        renamed.lead_source,

        renamed.amount,
        renamed.currency_code,
        renamed.probability,

        renamed.is_closed,
        renamed.is_won,
        renamed.is_deleted,

        renamed.close_date,
        renamed.created_at,
        renamed.last_modified_at,

        renamed.snapshot_period,
        renamed.source_file,
        renamed.source_file_sha256,
        renamed.source_row

    from renamed
    left join stage_codes
        on renamed.stage_name = stage_codes.stage_name
    left join opportunity_type_codes
        on renamed.opportunity_type = opportunity_type_codes.opportunity_type

)

select * from mapped
