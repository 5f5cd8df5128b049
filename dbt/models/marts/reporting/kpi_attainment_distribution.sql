-- Quota attainment distribution of the closing period, per business line and for the
-- company: how many reps, how many at or above 100 % of quota, and the quartiles. A rep
-- is a worker of the payouts with an individual attainment (an individual quota above
-- zero): a worker without quota has no attainment and is not counted (the payout holds
-- them). Attainment as in payouts: credited bookings with adjustments / individual quota.
-- Quartiles are interpolated (quantile_cont) and rounded half-up to 4 decimals.
with

payouts as (

    select * from {{ ref('payouts') }}
    where individual_attainment is not null

),

per_scope_grouped as (

    select
        {{ sql_literal(var('period')) }} as period,
        case when grouping(business_line) = 0 then 'business_line' else 'company' end
            as scope_level,
        coalesce(business_line, 'company') as scope_id,
        business_line as scope_key,
        count(*) as rep_count,
        count(*) filter (where individual_attainment >= 1) as reps_at_or_above_quota,
        count(*) filter (where individual_attainment >= 0.8) as reps_at_or_above_80_percent,
        {{ quantile('individual_attainment', 0.25) }} as attainment_q1,
        {{ quantile('individual_attainment', 0.5) }} as attainment_median,
        {{ quantile('individual_attainment', 0.75) }} as attainment_q3,
        min(individual_attainment) as attainment_min,
        max(individual_attainment) as attainment_max
    from payouts
    group by grouping sets ((business_line), ())

),

per_scope as (

    -- A null key is no scope (a rep without business line is only in the company).
    select * from per_scope_grouped
    where scope_level = 'company' or scope_key is not null

),

final as (

    select
        cast(period as {{ text_type() }}) as period,
        cast(scope_level as {{ text_type() }}) as scope_level,
        cast(scope_id as {{ text_type() }}) as scope_id,
        cast(rep_count as bigint) as rep_count,
        cast(reps_at_or_above_quota as bigint) as reps_at_or_above_quota,
        cast(
            {{ divide_half_up('reps_at_or_above_quota', 'rep_count', 4) }} as decimal(18, 4)
        ) as share_at_or_above_quota,
        cast(reps_at_or_above_80_percent as bigint) as reps_at_or_above_80_percent,
        cast(round(attainment_q1, 4) as decimal(18, 4)) as attainment_q1,
        cast(round(attainment_median, 4) as decimal(18, 4)) as attainment_median,
        cast(round(attainment_q3, 4) as decimal(18, 4)) as attainment_q3,
        cast(round(attainment_min, 4) as decimal(18, 4)) as attainment_min,
        cast(round(attainment_max, 4) as decimal(18, 4)) as attainment_max
    from per_scope

)

select * from final
