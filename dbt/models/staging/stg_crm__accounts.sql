with

source as (

    select * from {{ source('crm', 'account') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text(adapter.quote('Id')) }} as account_id,
        {{ clean_text(adapter.quote('OwnerId')) }} as owner_user_id,
        {{ adapter.quote('ERP_Customer_Code__c') }} as erp_customer_code_raw,
        {{ clean_code(adapter.quote('ERP_Customer_Code__c')) }} as erp_customer_code,

        ---------- text
        {{ clean_text(adapter.quote('Name')) }} as account_name,
        {{ clean_text(adapter.quote('Type')) }} as account_type,
        {{ clean_text(adapter.quote('Industry')) }} as industry,
        {{ clean_code(adapter.quote('BillingCountry')) }} as billing_country_code,
        {{ clean_text(adapter.quote('Segment__c')) }} as segment,

        ---------- booleans
        {{ adapter.quote('IsDeleted') }} as is_deleted,

        ---------- timestamps
        {{ adapter.quote('CreatedDate') }} as created_at,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

)

select * from renamed
