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
        "code_client" as erp_customer_code_raw,
        {{ clean_code('"code_client"') }} as erp_customer_code,
        {{ clean_text('"siren"') }} as siren,

        ---------- text
        {{ clean_text('"raison_sociale"') }} as customer_name,
        {{ clean_code('"pays"') }} as country_code,
        {{ clean_code('"segment"') }} as erp_segment,

        ---------- provenance
        "_period" as snapshot_period,
        "_source_file" as source_file,
        "_source_sha256" as source_file_sha256,
        "_source_row" as source_row

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
