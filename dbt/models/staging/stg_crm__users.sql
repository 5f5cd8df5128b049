with

source as (

    select * from {{ source('crm', 'user') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text(adapter.quote('Id')) }} as user_id,
        -- The HRIS Employee_ID, often blank: identity resolution then falls back on e-mail.
        {{ clean_text(adapter.quote('EmployeeNumber')) }} as employee_id,

        ---------- personal
        {{ clean_text(adapter.quote('Username')) }} as username,
        {{ adapter.quote('Email') }} as email_raw,
        {{ clean_email(adapter.quote('Email')) }} as email,
        {{ clean_text(adapter.quote('FirstName')) }} as first_name,
        {{ clean_text(adapter.quote('LastName')) }} as last_name,

        ---------- booleans
        {{ adapter.quote('IsActive') }} as is_active,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

)

select * from renamed
