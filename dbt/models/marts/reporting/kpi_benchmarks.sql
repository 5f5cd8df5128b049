-- Benchmarks of the closing period: each worker and each team with a quota (those that
-- sell) against the workers (teams) of their business line, and each business line
-- against the business lines of the company, on bookings EUR, revenue EUR and win rate
-- (count). One row per scope and metric:
--   reference_value          the reference scope's own figure (the business line's for a
--                            worker or team, the company's for a business line)
--   peer q1 / median / q3    quartiles of the same-level scopes of the reference, the scope
--                            itself included (interpolated, rounded half-up to 4 decimals)
--   position                 at_or_below_q1, q1_to_median, median_to_q3 or above_q3 (on a bound:
--                            the lower band); null without a value
--   trend                    the average of the metric over the last 3 and last 12 periods
--                            (closing one included, certified ones before it; periods where
--                            the scope has no value are not counted) and how many periods
--                            each average holds
with

history as (

    select * from {{ ref('int_reporting_kpi_history') }}

),

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('last_3_periods_from')) }} as {{ text_type() }}) as last_3_from

),

current_values as (

    select history.*
    from history
    inner join closing_period
        on history.period = closing_period.period
    where history.scope_level in ('worker', 'team', 'business_line')

),

selling_scopes as (

    -- Workers and teams with a quota for the period: those that sell. A director alone in
    -- their organisation, or a support worker, has none and is not benchmarked.
    select scope_level, scope_id
    from {{ ref('kpi_sales') }}
    where scope_level = 'business_line' or quota_eur > 0

),

reference_of_scope as (

    -- Workers and teams are compared within their business line, business lines within
    -- the company.
    select
        current_values.*,
        case
            when current_values.scope_level = 'business_line' then 'company'
            else 'business_line'
        end as reference_level,
        case
            when current_values.scope_level = 'business_line' then 'company'
            else current_values.business_line
        end as reference_id
    from current_values
    inner join selling_scopes
        on selling_scopes.scope_level = current_values.scope_level
        and selling_scopes.scope_id = current_values.scope_id

),

peer_quartiles as (

    select
        scope_level,
        reference_id,
        metric,
        {{ quantile('metric_value', 0.25) }} as peer_q1,
        {{ quantile('metric_value', 0.5) }} as peer_median,
        {{ quantile('metric_value', 0.75) }} as peer_q3,
        count(metric_value) as peer_count
    from reference_of_scope
    where reference_id is not null
    group by scope_level, reference_id, metric

),

reference_values as (

    select history.scope_level, history.scope_id, history.metric, history.metric_value
    from history
    inner join closing_period
        on history.period = closing_period.period

),

trends as (

    select
        history.scope_level,
        history.scope_id,
        history.metric,
        sum(history.metric_value) filter (where history.period >= closing_period.last_3_from)
            as total_last_3,
        count(history.metric_value)
            filter (where history.period >= closing_period.last_3_from) as periods_last_3,
        sum(history.metric_value) as total_last_12,
        count(history.metric_value) as periods_last_12
    from history
    cross join closing_period
    group by history.scope_level, history.scope_id, history.metric

),

banded as (

    select
        scopes.*,
        cast(round(peer_quartiles.peer_q1, 4) as decimal(18, 4)) as peer_q1,
        cast(round(peer_quartiles.peer_median, 4) as decimal(18, 4)) as peer_median,
        cast(round(peer_quartiles.peer_q3, 4) as decimal(18, 4)) as peer_q3,
        peer_quartiles.peer_count,
        reference_values.metric_value as reference_value
    from reference_of_scope as scopes
    left join peer_quartiles
        on peer_quartiles.scope_level = scopes.scope_level
        and peer_quartiles.reference_id = scopes.reference_id
        and peer_quartiles.metric = scopes.metric
    left join reference_values
        on reference_values.scope_level = scopes.reference_level
        and reference_values.scope_id = scopes.reference_id
        and reference_values.metric = scopes.metric

),

final as (

    select
        banded.period,
        banded.scope_level,
        banded.scope_id,
        banded.business_line,
        banded.metric,
        banded.metric_value,
        banded.reference_level,
        banded.reference_id,
        banded.reference_value,
        cast(coalesce(banded.peer_count, 0) as bigint) as peer_count,
        banded.peer_q1,
        banded.peer_median,
        banded.peer_q3,
        case
            when banded.metric_value is null or banded.peer_q1 is null then null
            when banded.metric_value <= banded.peer_q1 then 'at_or_below_q1'
            when banded.metric_value <= banded.peer_median then 'q1_to_median'
            when banded.metric_value <= banded.peer_q3 then 'median_to_q3'
            else 'above_q3'
        end as position,
        cast(
            {{ divide_half_up('trends.total_last_3', 'trends.periods_last_3', 4) }}
            as decimal(18, 4)
        ) as average_last_3_periods,
        cast(trends.periods_last_3 as bigint) as periods_in_last_3,
        cast(
            {{ divide_half_up('trends.total_last_12', 'trends.periods_last_12', 4) }}
            as decimal(18, 4)
        ) as average_last_12_periods,
        cast(trends.periods_last_12 as bigint) as periods_in_last_12
    from banded
    left join trends
        on trends.scope_level = banded.scope_level
        and trends.scope_id = banded.scope_id
        and trends.metric = banded.metric

)

select * from final
