-- Individual and team attainment of every eligible worker of the closing period.
--   IA = the worker's credited bookings of the period, adjustments included
--        / the worker's individual quota for the month
--   TA = credited bookings of every team member, adjustments included / the team quota.
-- Team members: workers whose Supervisory_Organization in the period's HR snapshot is the
-- team and whose employment overlaps the period, whatever their role (a Sales Support
-- member's credit counts for the team, though it is never paid to them).
-- Attainments are exact divisions rounded half-up to the plan's attainment decimals. A
-- missing or non-positive quota leaves the attainment null: the worker is held.
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

eligible as (

    select * from {{ ref('int_target_variables_prorated') }}

),

workers as (

    select * from {{ ref('workers') }}

),

credits as (

    select * from {{ ref('credits') }}

),

adjustments as (

    select * from {{ ref('int_credit_adjustments') }}

),

individual_quotas as (

    select quotas.employee_id, quotas.quota_eur
    from {{ ref('stg_sales_ops__individual_quotas') }} as quotas
    inner join closing_period
        on quotas.snapshot_period = closing_period.period
        and quotas.period_month = closing_period.period

),

team_quotas as (

    select quotas.team, quotas.quota_eur
    from {{ ref('stg_sales_ops__team_quotas') }} as quotas
    inner join closing_period
        on quotas.snapshot_period = closing_period.period
        and quotas.period_month = closing_period.period

),

scores as (

    select evaluations.employee_id, evaluations.score
    from {{ ref('stg_sales_ops__evaluations') }} as evaluations
    inner join closing_period
        on evaluations.snapshot_period = closing_period.period
        and evaluations.period_month = closing_period.period
    where evaluations.score is not null

),

credited_per_worker as (

    select employee_id, cast(sum(credited_amount_eur) as decimal(18, 2)) as credited_eur
    from credits
    where employee_id is not null
    group by employee_id

),

adjusted_per_worker as (

    select employee_id, cast(sum(adjustment_eur) as decimal(18, 2)) as adjustments_eur
    from adjustments
    where employee_id is not null
    group by employee_id

),

per_worker as (

    select
        workers.employee_id,
        workers.team,
        workers.employed_in_period,
        coalesce(credited_per_worker.credited_eur, 0) as credited_eur,
        coalesce(adjusted_per_worker.adjustments_eur, 0) as adjustments_eur
    from workers
    left join credited_per_worker
        on credited_per_worker.employee_id = workers.employee_id
    left join adjusted_per_worker
        on adjusted_per_worker.employee_id = workers.employee_id

),

per_team as (

    select
        team,
        count(*) as team_members,
        cast(sum(credited_eur + adjustments_eur) as decimal(18, 2)) as team_credited_eur
    from per_worker
    where employed_in_period and team is not null
    group by team

),

attainment as (

    select
        eligible.*,
        per_worker.credited_eur,
        per_worker.adjustments_eur,
        cast(per_worker.credited_eur + per_worker.adjustments_eur as decimal(18, 2))
            as credited_with_adjustments_eur,
        individual_quotas.quota_eur as individual_quota_eur,
        case when individual_quotas.quota_eur > 0 then cast(
            {{ divide_half_up(
                'per_worker.credited_eur + per_worker.adjustments_eur',
                'individual_quotas.quota_eur',
                var('attainment_decimals')) }}
            as decimal(18, 10)) end as individual_attainment,
        per_team.team_members,
        coalesce(per_team.team_credited_eur, 0) as team_credited_eur,
        team_quotas.quota_eur as team_quota_eur,
        case when team_quotas.quota_eur > 0 then cast(
            {{ divide_half_up(
                'coalesce(per_team.team_credited_eur, 0)',
                'team_quotas.quota_eur',
                var('attainment_decimals')) }}
            as decimal(18, 10)) end as team_attainment,
        scores.score as qualitative_score
    from eligible
    inner join per_worker
        on per_worker.employee_id = eligible.employee_id
    left join individual_quotas
        on individual_quotas.employee_id = eligible.employee_id
    left join per_team
        on per_team.team = eligible.team
    left join team_quotas
        on team_quotas.team = eligible.team
    left join scores
        on scores.employee_id = eligible.employee_id

)

select * from attainment
