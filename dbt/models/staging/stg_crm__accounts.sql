with

source as (

    select * from {{ source('crm', 'account') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text('"Id"') }} as account_id,
        {{ clean_text('"OwnerId"') }} as owner_user_id,
        "ERP_Customer_Code__c" as erp_customer_code_raw,
        {{ clean_code('"ERP_Customer_Code__c"') }} as erp_customer_code,

        ---------- text
        {{ clean_text('"Name"') }} as account_name,
        {{ clean_text('"Type"') }} as account_type,
        {{ clean_text('"Industry"') }} as industry,
        {{ clean_code('"BillingCountry"') }} as billing_country_code,
        {{ clean_text('"Segment__c"') }} as segment,

        ---------- booleans
        "IsDeleted" as is_deleted,

        ---------- timestamps
        "CreatedDate" as created_at,

        ---------- provenance
        "_period" as snapshot_period,
        "_source_file" as source_file,
        "_source_sha256" as source_file_sha256,
        "_source_row" as source_row

    from source

)

select * from renamed
