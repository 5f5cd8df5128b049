-- Which worker a CRM user is, per snapshot, by the comp plan's rule: the worker whose
-- Employee_ID equals the user's EmployeeNumber; where that is blank, the worker whose
-- Work_Email equals the user's Email, compared trimmed and case-insensitively. Users and
-- workers are compared within the same drop (both files are full snapshots).
--
-- Never guessed: a user whose EmployeeNumber matches no worker stays unmatched (the plan
-- falls back on the e-mail only where the EmployeeNumber is blank), and so does a user
-- whose e-mail two workers share. Every user keeps one row, matched or not, with the
-- method or the reason: nothing is dropped here.
with

users as (

    select * from {{ ref('stg_crm__users') }}

),

workers as (

    select * from {{ ref('stg_hris__workers') }}

),

workers_by_email as (

    -- One row per work e-mail of a snapshot, with the number of workers who have it: an
    -- e-mail shared by two workers identifies neither. Staging already trims and
    -- lower-cases; clean_email is applied again so that the plan's rule reads here.
    select
        snapshot_period,
        {{ clean_email('work_email') }} as work_email,
        min(employee_id) as employee_id,
        count(*) as workers_with_email
    from workers
    where {{ clean_email('work_email') }} is not null
    {{ group_by_all(2) }}

),

candidates as (

    select
        users.snapshot_period,
        users.user_id,
        users.employee_id as user_employee_number,
        users.is_active as user_is_active,
        by_number.employee_id as employee_id_by_number,
        by_email.employee_id as employee_id_by_email,
        coalesce(by_email.workers_with_email, 0) as workers_with_email,
        {{ clean_email('users.email') }} is not null as user_has_email,
        users.source_file,
        users.source_row
    from users
    left join workers as by_number
        on by_number.snapshot_period = users.snapshot_period
        and by_number.employee_id = users.employee_id
    left join workers_by_email as by_email
        on by_email.snapshot_period = users.snapshot_period
        and by_email.work_email = {{ clean_email('users.email') }}

),

resolved as (

    select
        snapshot_period,
        user_id,
        user_employee_number,
        user_is_active,

        case
            when user_employee_number is not null then employee_id_by_number
            when workers_with_email = 1 then employee_id_by_email
        end as employee_id,

        case
            when user_employee_number is not null and employee_id_by_number is not null
                then 'employee_number'
            when user_employee_number is null and workers_with_email = 1
                then 'email'
        end as match_method,

        case
            when user_employee_number is not null and employee_id_by_number is null
                then 'no worker with this EmployeeNumber'
            when user_employee_number is not null
                then null
            when workers_with_email > 1
                then 'ambiguous e-mail: ' || workers_with_email || ' workers share it'
            when not user_has_email
                then 'no EmployeeNumber and no e-mail'
            when workers_with_email = 0
                then 'no EmployeeNumber and no worker with this e-mail'
        end as unmatched_reason,

        source_file,
        source_row

    from candidates

)

select * from resolved
