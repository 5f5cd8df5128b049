-- Monthly individual quotas of the targets workbook (sheet Quotas_Individuels). The
-- workbook is loaded whole with every period: each drop repeats the year's quotas.
with

source as (

    select * from {{ source('sales_ops', 'individual_quota') }}

),

renamed as (

    select
        {{ clean_text(adapter.quote('Employee_ID')) }} as employee_id,
        {{ clean_text(adapter.quote('Mois')) }} as period_month,
        {{ adapter.quote('Quota_EUR') }} as quota_eur,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

)

select * from renamed
