-- Workers as of the closing period's HR snapshot: organisation, employment in the period,
-- eligibility. The comp plan's rules on dates:
--   employed in the period: hired on or before its last day, and no termination date or
--   terminated on or after its first day;
--   days employed in the period count the hire and termination days themselves;
--   eligible: a role that can earn variable pay (seed hris_sales_role_codes: Hunter,
--   Farmer, Negotiator, Sales Manager) and employed in the period.
with

closing_period as (

    select
        {{ sql_literal(var('period')) }} as period,
        cast({{ sql_literal(var('period_start')) }} as date) as period_start,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end

),

workers as (

    select * from {{ ref('stg_hris__workers') }}

),

users as (

    select * from {{ ref('int_users_matched_to_workers') }}

),

crm_users_per_worker as (

    select snapshot_period, employee_id, count(*) as crm_user_count
    from users
    where employee_id is not null
    {{ group_by_all(2) }}

),

workers_of_period as (

    select
        workers.*,
        closing_period.period_start,
        closing_period.period_end,
        -- A worker with no hire date is not taken as employed (a test reports it).
        coalesce(
            workers.hire_date <= closing_period.period_end
            and (
                workers.termination_date is null
                or workers.termination_date >= closing_period.period_start
            ),
            false
        ) as employed_in_period
    from workers
    inner join closing_period
        on workers.snapshot_period = closing_period.period

),

final as (

    select
        workers_of_period.employee_id,
        workers_of_period.legal_name,
        workers_of_period.work_email,
        workers_of_period.job_profile,
        workers_of_period.sales_role,
        workers_of_period.sales_role_code,
        workers_of_period.team,
        workers_of_period.business_line,
        workers_of_period.manager_employee_id,
        workers_of_period.country_code,
        workers_of_period.hire_date,
        workers_of_period.termination_date,
        workers_of_period.fte,
        workers_of_period.employed_in_period,
        case
            when workers_of_period.employed_in_period then cast(
                {{ days_between(
                    'least(coalesce(workers_of_period.termination_date,'
                    ~ ' workers_of_period.period_end), workers_of_period.period_end)',
                    'greatest(workers_of_period.hire_date, workers_of_period.period_start)'
                ) }}
                + 1
                as integer
            )
            else 0
        end as days_employed_in_period,
        cast(
            {{ days_between('workers_of_period.period_end', 'workers_of_period.period_start') }} + 1
            as integer
        )
            as days_in_period,
        coalesce(workers_of_period.is_incentive_eligible, false) as role_is_incentive_eligible,
        coalesce(workers_of_period.is_incentive_eligible, false)
            and workers_of_period.employed_in_period as is_eligible,
        workers_of_period.annual_target_variable,
        workers_of_period.currency_code,
        coalesce(crm_users_per_worker.crm_user_count, 0) as crm_user_count,
        workers_of_period.snapshot_period,
        workers_of_period.source_file,
        workers_of_period.source_file_sha256,
        workers_of_period.source_row
    from workers_of_period
    left join crm_users_per_worker
        on crm_users_per_worker.snapshot_period = workers_of_period.snapshot_period
        and crm_users_per_worker.employee_id = workers_of_period.employee_id

)

select * from final
