-- The quotas of the closing period and of the next one per scope: a worker's individual
-- quota, a team's team quota, and for a business line and the company the sum of their
-- teams' quotas (the team quotas are what the organisation commits to). From the
-- objectifs workbook of the closing period's drop; the next period's is missing when the
-- workbook does not cover it (the next year's workbook comes with the next year).
-- The period's quota tells which workers and teams sell (benchmarks compare those); the
-- next period's is the denominator of pipeline coverage.
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        {{ year_month('cast(' ~ sql_literal(var('next_period_start')) ~ ' as date)') }}
            as next_period

),

individual_quotas as (

    select * from {{ ref('stg_sales_ops__individual_quotas') }}

),

team_quotas as (

    select * from {{ ref('stg_sales_ops__team_quotas') }}

),

teams as (

    select * from {{ ref('teams') }}

),

worker_quotas as (

    select
        'worker' as scope_level,
        individual_quotas.employee_id as scope_id,
        cast(sum(individual_quotas.quota_eur)
            filter (where individual_quotas.period_month = closing_period.period)
            as decimal(18, 2)) as quota_eur,
        cast(sum(individual_quotas.quota_eur)
            filter (where individual_quotas.period_month = closing_period.next_period)
            as decimal(18, 2)) as next_period_quota_eur
    from individual_quotas
    inner join closing_period
        on individual_quotas.snapshot_period = closing_period.period
    group by individual_quotas.employee_id

),

quotas_of_teams as (

    select
        team_quotas.team,
        teams.business_line,
        cast(sum(team_quotas.quota_eur)
            filter (where team_quotas.period_month = closing_period.period)
            as decimal(18, 2)) as quota_eur,
        cast(sum(team_quotas.quota_eur)
            filter (where team_quotas.period_month = closing_period.next_period)
            as decimal(18, 2)) as next_period_quota_eur
    from team_quotas
    inner join closing_period
        on team_quotas.snapshot_period = closing_period.period
    left join teams
        on teams.team = team_quotas.team
    group by team_quotas.team, teams.business_line

),

final as (

    select * from worker_quotas
    union all
    select 'team', team, quota_eur, next_period_quota_eur from quotas_of_teams
    union all
    select
        'business_line', business_line,
        cast(sum(quota_eur) as decimal(18, 2)), cast(sum(next_period_quota_eur) as decimal(18, 2))
    from quotas_of_teams
    where business_line is not null
    group by business_line
    union all
    select
        'company', 'company',
        cast(sum(quota_eur) as decimal(18, 2)), cast(sum(next_period_quota_eur) as decimal(18, 2))
    from quotas_of_teams
    having count(*) > 0

)

select * from final
