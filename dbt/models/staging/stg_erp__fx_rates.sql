-- Reference rates of the ERP, ECB convention: units of the currency for one euro, so
-- amount_eur = amount / fx_rate_per_eur. EUR has no row (its rate is 1): the FX model
-- downstream adds it, and picks the latest earlier rate for days without one.
with

source as (

    select * from {{ source('erp', 'taux_change') }}

),

renamed as (

    select
        {{ adapter.quote('date') }} as fx_date,
        {{ clean_code(adapter.quote('devise')) }} as currency_code,
        {{ adapter.quote('taux') }} as fx_rate_per_eur,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

)

select * from renamed
