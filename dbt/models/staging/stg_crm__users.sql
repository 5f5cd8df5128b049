with

source as (

    select * from {{ source('crm', 'user') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text('"Id"') }} as user_id,
        -- The HRIS Employee_ID, often blank: identity resolution then falls back on e-mail.
        {{ clean_text('"EmployeeNumber"') }} as employee_id,

        ---------- personal
        {{ clean_text('"Username"') }} as username,
        "Email" as email_raw,
        {{ clean_email('"Email"') }} as email,
        {{ clean_text('"FirstName"') }} as first_name,
        {{ clean_text('"LastName"') }} as last_name,

        ---------- booleans
        "IsActive" as is_active,

        ---------- provenance
        "_period" as snapshot_period,
        "_source_file" as source_file,
        "_source_sha256" as source_file_sha256,
        "_source_row" as source_row

    from source

)

select * from renamed
