-- Qualitative evaluations of the period (negotiators). Score and comment are personal.
with

source as (

    select * from {{ source('sales_ops', 'evaluation') }}

),

renamed as (

    select
        {{ clean_text(adapter.quote('Employee_ID')) }} as employee_id,
        {{ clean_text(adapter.quote('Periode')) }} as period_month,
        {{ adapter.quote('Score_Qualitatif') }} as score,
        {{ clean_text(adapter.quote('Evaluateur_ID')) }} as evaluator_employee_id,
        {{ clean_text(adapter.quote('Commentaire')) }} as comment,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

)

select * from renamed
