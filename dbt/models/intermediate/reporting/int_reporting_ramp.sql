-- The ramp of each worker hired within the attainment history: the first period in which
-- their individual attainment reached the ramp threshold (var ramp_attainment_threshold,
-- 80 % by default), and the months from the hire month to it (hired in March, first at 80 %
-- in June: 3). Attainment history: the payouts of earlier periods as certified (each
-- publication in force) and the closing period's payouts mart. A worker hired before the
-- first period of that history has an unknown ramp and is not here; one who has not
-- reached the threshold yet has no ramp_period.
{%- set certified_payouts = source('certified', 'incentive_payouts') %}
{%- set publication_log = source('certified', 'publication_log') %}
{%- set exists = execute and adapter.get_relation(
        database=certified_payouts.database,
        schema=certified_payouts.schema,
        identifier=certified_payouts.identifier) is not none %}
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('ramp_attainment_threshold')) }} as decimal(18, 4))
            as ramp_attainment

),

workers as (

    select * from {{ ref('workers') }}

),

current_payouts as (

    select period, employee_id, individual_attainment from {{ ref('payouts') }}

),

{% if exists %}

publications_in_force as (

    {% call first_row_per('period', 'version desc') %}
    select period, publication_id
    from {{ publication_log }}
    {% endcall %}

),

certified_payouts as (

    select payouts.period, payouts.employee_id, payouts.individual_attainment
    from {{ certified_payouts }} as payouts
    inner join publications_in_force
        on publications_in_force.publication_id = payouts.publication_id
    inner join closing_period
        on payouts.period < closing_period.period

),

{% else %}

certified_payouts as (

    select * from current_payouts where false

),

{% endif %}

attainments as (

    select * from certified_payouts
    union all
    select * from current_payouts

),

first_period_at_threshold as (

    select attainments.employee_id, min(attainments.period) as ramp_period
    from attainments
    cross join closing_period
    where attainments.individual_attainment >= closing_period.ramp_attainment
    group by attainments.employee_id

),

history_start as (

    select min(period) as first_period from attainments

),

final as (

    select
        workers.employee_id,
        workers.team,
        workers.business_line,
        workers.hire_date,
        first_period_at_threshold.ramp_period,
        case when first_period_at_threshold.ramp_period is not null then cast(
            (cast(left(first_period_at_threshold.ramp_period, 4) as integer) * 12
                + cast(right(first_period_at_threshold.ramp_period, 2) as integer))
            - ({{ year_of('workers.hire_date') }} * 12 + {{ month_of('workers.hire_date') }})
            as integer
        ) end as ramp_months
    from workers
    cross join history_start
    left join first_period_at_threshold
        on first_period_at_threshold.employee_id = workers.employee_id
    where {{ year_month('workers.hire_date') }} >= history_start.first_period

)

select * from final
