-- Teams as of the closing period's HR snapshot (HRIS Supervisory_Organization). The
-- members of a team are the workers of that snapshot in it whose employment overlaps the
-- period, whatever their role (comp plan, team attainment).
-- The HRIS has no team record, so two attributes are derived from its workers, each the
-- most frequent value, ties to the smaller one (a stable, visible choice):
--   manager        the Manager_ID most of the team's workers have (the team manager's own
--                  Manager_ID, a director, is outnumbered by the team's reports)
--   business line  the Business_Line most of the team's workers have
with

workers as (

    select * from {{ ref('workers') }}

),

team_manager as (

    {% call first_row_per('team', 'count(*) desc, manager_employee_id') %}
    select team, manager_employee_id
    from workers
    where team is not null and manager_employee_id is not null
    group by team, manager_employee_id
    {% endcall %}

),

team_business_line as (

    {% call first_row_per('team', 'count(*) desc, business_line') %}
    select team, business_line
    from workers
    where team is not null and business_line is not null
    group by team, business_line
    {% endcall %}

),

members as (

    select
        team,
        snapshot_period,
        count(*) filter (where employed_in_period) as member_count,
        count(*) filter (where is_eligible) as eligible_member_count,
        count(*) as worker_count
    from workers
    where team is not null
    {{ group_by_all(2) }}

),

final as (

    select
        members.team,
        team_business_line.business_line,
        team_manager.manager_employee_id,
        members.member_count,
        members.eligible_member_count,
        members.worker_count,
        members.snapshot_period
    from members
    left join team_manager
        on team_manager.team = members.team
    left join team_business_line
        on team_business_line.team = members.team

)

select * from final
