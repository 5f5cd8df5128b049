with

source as (

    select * from {{ source('erp', 'client') }}

),

segment_codes as (

    select * from {{ ref('erp_segment_codes') }}

),

renamed as (

    select
        ---------- ids
        {{ adapter.quote('code_client') }} as erp_customer_code_raw,
        {{ clean_code(adapter.quote('code_client')) }} as erp_customer_code,
        {{ clean_text(adapter.quote('siren')) }} as siren,

        ---------- text
        {{ clean_text(adapter.quote('raison_sociale')) }} as customer_name,
        {{ clean_code(adapter.quote('pays')) }} as country_code,
        {{ clean_code(adapter.quote('segment')) }} as erp_segment,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

),

mapped as (

    select
        renamed.erp_customer_code_raw,
        renamed.erp_customer_code,
        renamed.siren,

        renamed.customer_name,
        renamed.country_code,
        renamed.erp_segment,
        segment_codes.segment,

        renamed.snapshot_period,
        renamed.source_file,
        renamed.source_file_sha256,
        renamed.source_row

    from renamed
    left join segment_codes
        on renamed.erp_segment = segment_codes.erp_segment

)

select * from mapped
