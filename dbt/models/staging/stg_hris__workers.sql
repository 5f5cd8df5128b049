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
        {{ clean_text('"Employee_ID"') }} as employee_id,
        {{ clean_text('"Manager_ID"') }} as manager_employee_id,

        ---------- personal
        {{ clean_text('"Legal_Name"') }} as legal_name,
        "Work_Email" as work_email_raw,
        {{ clean_email('"Work_Email"') }} as work_email,

        ---------- organisation
        {{ clean_text('"Job_Profile"') }} as job_profile,
        {{ clean_text('"Sales_Role"') }} as sales_role,
        {{ clean_text('"Supervisory_Organization"') }} as team,
        {{ clean_text('"Business_Line"') }} as business_line,
        {{ clean_code('"Country"') }} as country_code,

        ---------- employment
        "Hire_Date" as hire_date,
        "Termination_Date" as termination_date,
        "FTE" as fte,

        ---------- pay (personal)
        "Annual_Target_Variable" as annual_target_variable,
        {{ clean_code('"Currency"') }} as currency_code,

        ---------- provenance
        "_period" as snapshot_period,
        "_source_file" as source_file,
        "_source_sha256" as source_file_sha256,
        "_source_row" as source_row

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
