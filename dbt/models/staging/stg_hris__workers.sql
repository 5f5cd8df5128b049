with

source as (

    select * from {{ source('hris', 'worker') }}

),

sales_role_codes as (

    select * from {{ ref('hris_sales_role_codes') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text(adapter.quote('Employee_ID')) }} as employee_id,
        {{ clean_text(adapter.quote('Manager_ID')) }} as manager_employee_id,

        ---------- personal
        {{ clean_text(adapter.quote('Legal_Name')) }} as legal_name,
        {{ adapter.quote('Work_Email') }} as work_email_raw,
        {{ clean_email(adapter.quote('Work_Email')) }} as work_email,

        ---------- organisation
        {{ clean_text(adapter.quote('Job_Profile')) }} as job_profile,
        {{ clean_text(adapter.quote('Sales_Role')) }} as sales_role,
        {{ clean_text(adapter.quote('Supervisory_Organization')) }} as team,
        {{ clean_text(adapter.quote('Business_Line')) }} as business_line,
        {{ clean_code(adapter.quote('Country')) }} as country_code,

        ---------- employment
        {{ adapter.quote('Hire_Date') }} as hire_date,
        {{ adapter.quote('Termination_Date') }} as termination_date,
        {{ adapter.quote('FTE') }} as fte,

        ---------- pay (personal)
        {{ adapter.quote('Annual_Target_Variable') }} as annual_target_variable,
        {{ clean_code(adapter.quote('Currency')) }} as currency_code,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

),

mapped as (

    select
        renamed.employee_id,
        renamed.manager_employee_id,

        renamed.legal_name,
        renamed.work_email_raw,
        renamed.work_email,

        renamed.job_profile,
        renamed.sales_role,
        sales_role_codes.sales_role_code,
        sales_role_codes.is_incentive_eligible,
        renamed.team,
        renamed.business_line,
        renamed.country_code,

        renamed.hire_date,
        renamed.termination_date,
        renamed.fte,

        renamed.annual_target_variable,
        renamed.currency_code,

        renamed.snapshot_period,
        renamed.source_file,
        renamed.source_file_sha256,
        renamed.source_row

    from renamed
    left join sales_role_codes
        on renamed.sales_role = sales_role_codes.sales_role

)

select * from mapped
