-- Trainings completed within the period (HRIS learning.csv). No natural key: the same
-- course can be completed twice; source_file + source_row identify a row.
with

source as (

    select * from {{ source('hris', 'learning') }}

),

renamed as (

    select
        {{ clean_text(adapter.quote('Employee_ID')) }} as employee_id,
        {{ clean_text(adapter.quote('Course_Title')) }} as course_title,
        {{ adapter.quote('Hours') }} as training_hours,
        {{ adapter.quote('Completion_Date') }} as completion_date,
        {{ clean_text(adapter.quote('Delivery')) }} as delivery_mode,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

)

select * from renamed
