-- People KPIs of the closing period per team, business line and the company, from the HR
-- snapshot of the period (workers mart), its trainings and the ramp of new hires:
--   headcount        workers employed on the period's first / last day
--   hires, leavers   hire date / termination date within the period
--   turnover rate    leavers / average headcount ((first day + last day) / 2)
--   training hours   hours of trainings completed in the period by the scope's workers;
--                    per FTE: / FTE of the workers employed in the period
--   peer-led share   hours delivered `Peer-led` / all training hours
--   ramp             months from the hire month to the first period at the ramp attainment
--                    (int_reporting_ramp): how many new hires reached it, and the median
-- Ratios are exact divisions rounded half-up to 4 decimals (2 for hours per FTE).
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('period_start')) }} as date) as period_start,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end

),

workers as (

    select * from {{ ref('workers') }}

),

trainings as (

    select * from {{ ref('trainings') }}

),

ramps as (

    select * from {{ ref('int_reporting_ramp') }}

),

worker_facts as (

    select
        workers.employee_id,
        workers.team,
        workers.business_line,
        coalesce(workers.hire_date <= closing_period.period_start
            and (workers.termination_date is null
                or workers.termination_date >= closing_period.period_start), false)
            as employed_first_day,
        coalesce(workers.hire_date <= closing_period.period_end
            and (workers.termination_date is null
                or workers.termination_date >= closing_period.period_end), false)
            as employed_last_day,
        coalesce(workers.hire_date between closing_period.period_start
            and closing_period.period_end, false) as is_hire,
        coalesce(workers.termination_date between closing_period.period_start
            and closing_period.period_end, false) as is_leaver,
        case when workers.employed_in_period then workers.fte else 0 end as fte_in_period,
        coalesce(training_hours.hours, 0) as training_hours,
        coalesce(training_hours.peer_led_hours, 0) as peer_led_hours,
        ramps.ramp_months
    from workers
    cross join closing_period
    left join (
        select
            employee_id,
            sum(training_hours) as hours,
            sum(training_hours) filter (where delivery_mode = 'Peer-led') as peer_led_hours
        from trainings
        group by employee_id
    ) as training_hours
        on training_hours.employee_id = workers.employee_id
    left join ramps
        on ramps.employee_id = workers.employee_id

),

per_scope_grouped as (

    select
        case
            when grouping(team) = 0 then 'team'
            when grouping(business_line) = 0 then 'business_line'
            else 'company'
        end as scope_level,
        coalesce(team, business_line, 'company') as scope_id,
        coalesce(team, business_line) as scope_key,
        count(*) filter (where employed_first_day) as headcount_first_day,
        count(*) filter (where employed_last_day) as headcount_last_day,
        count(*) filter (where is_hire) as hires,
        count(*) filter (where is_leaver) as leavers,
        sum(fte_in_period) as fte_in_period,
        sum(training_hours) as training_hours,
        sum(peer_led_hours) as peer_led_hours,
        count(ramp_months) as ramped_hires,
        {{ median_of('ramp_months') }} as median_ramp_months
    from worker_facts
    group by grouping sets ((team), (business_line), ())

),

per_scope as (

    -- A null key is no scope (a worker without team or business line is only in the company).
    select * from per_scope_grouped
    where scope_level = 'company' or scope_key is not null

),

final as (

    select
        closing_period.period,
        per_scope.scope_level,
        per_scope.scope_id,
        cast(per_scope.headcount_first_day as bigint) as headcount_first_day,
        cast(per_scope.headcount_last_day as bigint) as headcount_last_day,
        cast(per_scope.hires as bigint) as hires,
        cast(per_scope.leavers as bigint) as leavers,
        cast(
            {{ divide_half_up('2 * per_scope.leavers',
                'per_scope.headcount_first_day + per_scope.headcount_last_day', 4) }}
            as decimal(18, 4)
        ) as turnover_rate,
        cast(per_scope.fte_in_period as decimal(18, 4)) as fte_in_period,
        cast(per_scope.training_hours as decimal(18, 2)) as training_hours,
        cast({{ divide_half_up('per_scope.training_hours', 'per_scope.fte_in_period', 2) }}
            as decimal(18, 2)) as training_hours_per_fte,
        cast(per_scope.peer_led_hours as decimal(18, 2)) as peer_led_hours,
        cast({{ divide_half_up('per_scope.peer_led_hours', 'per_scope.training_hours', 4) }}
            as decimal(18, 4)) as peer_led_share,
        cast(per_scope.ramped_hires as bigint) as ramped_hires,
        cast(per_scope.median_ramp_months as decimal(18, 1)) as median_ramp_months
    from per_scope
    cross join closing_period

)

select * from final
