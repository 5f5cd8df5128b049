-- CRM activities (Task.csv) of the closing period's snapshot: every task the snapshot
-- holds, done or open, with the worker who owns it (int_users_matched_to_workers). The
-- snapshot is cumulative: is_in_period marks the tasks dated within the period, and
-- is_overdue the open tasks due on or before its last day.
with

closing_period as (

    select
        {{ sql_literal(var('period')) }} as period,
        cast({{ sql_literal(var('period_start')) }} as date) as period_start,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end

),

tasks as (

    select * from {{ ref('stg_crm__tasks') }}

),

users as (

    select * from {{ ref('int_users_matched_to_workers') }}

),

final as (

    select
        tasks.task_id,
        tasks.task_subtype,
        tasks.task_status,
        tasks.activity_date,
        coalesce(
            tasks.activity_date between closing_period.period_start and closing_period.period_end,
            false
        ) as is_in_period,
        coalesce(
            tasks.task_status = 'Open' and tasks.activity_date <= closing_period.period_end,
            false
        ) as is_overdue,
        tasks.account_id,
        tasks.related_record_id,
        tasks.owner_user_id,
        users.employee_id as owner_employee_id,
        tasks.snapshot_period,
        tasks.source_file,
        tasks.source_row
    from tasks
    inner join closing_period
        on tasks.snapshot_period = closing_period.period
    left join users
        on users.snapshot_period = tasks.snapshot_period
        and users.user_id = tasks.owner_user_id

)

select * from final
