-- Qualitative evaluations of the period (negotiators). Score and comment are personal.
with

source as (

    select * from {{ source('sales_ops', 'evaluation') }}

),

renamed as (

    select
        {{ clean_text('"Employee_ID"') }} as employee_id,
        {{ clean_text('"Periode"') }} as period_month,
        "Score_Qualitatif" as score,
        {{ clean_text('"Evaluateur_ID"') }} as evaluator_employee_id,
        {{ clean_text('"Commentaire"') }} as comment,

        ---------- provenance
        "_period" as snapshot_period,
        "_source_file" as source_file,
        "_source_sha256" as source_file_sha256,
        "_source_row" as source_row

    from source

)

select * from renamed
