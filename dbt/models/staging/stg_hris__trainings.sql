-- Trainings completed within the period (HRIS learning.csv). No natural key: the same
-- course can be completed twice; source_file + source_row identify a row.
with

source as (

    select * from {{ source('hris', 'learning') }}

),

renamed as (

    select
        {{ clean_text('"Employee_ID"') }} as employee_id,
        {{ clean_text('"Course_Title"') }} as course_title,
        "Hours" as training_hours,
        "Completion_Date" as completion_date,
        {{ clean_text('"Delivery"') }} as delivery_mode,

        ---------- provenance
        "_period" as snapshot_period,
        "_source_file" as source_file,
        "_source_sha256" as source_file_sha256,
        "_source_row" as source_row

    from source

)

select * from renamed
