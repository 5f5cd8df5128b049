with

source as (

    select * from {{ source('crm', 'opportunity_split') }}

),

split_type_codes as (

    select * from {{ ref('crm_split_type_codes') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text(adapter.quote('Id')) }} as opportunity_split_id,
        {{ clean_text(adapter.quote('OpportunityId')) }} as opportunity_id,
        {{ clean_text(adapter.quote('SplitOwnerId')) }} as split_owner_user_id,

        ---------- split
        {{ adapter.quote('SplitPercentage') }} as split_percentage,
        {{ clean_text(adapter.quote('SplitTypeName')) }} as split_type_name,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

),

mapped as (

    select
        renamed.opportunity_split_id,
        renamed.opportunity_id,
        renamed.split_owner_user_id,

        renamed.split_percentage,
        renamed.split_type_name,
        split_type_codes.split_type,

        renamed.snapshot_period,
        renamed.source_file,
        renamed.source_file_sha256,
        renamed.source_row

    from renamed
    left join split_type_codes
        on renamed.split_type_name = split_type_codes.split_type_name

)

select * from mapped
