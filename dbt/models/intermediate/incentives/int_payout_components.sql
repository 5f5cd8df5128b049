-- Each component of the payout, and the hold reasons, of every eligible worker.
--   factor f(IA) and f(TA): the plan's curve (macro payout_curve) on the attainments
--   qualitative factor: Score_Qualitatif / score_scale, kept within 0 and 1
--   payout factor: sum of weight x factor over the three components
-- Holds (comp plan): no individual quota when the individual component has weight; no
-- team quota when the collective one has; a qualitative weight and no score; owner or
-- Revenue split owner of an opportunity of the period whose splits do not sum to 100.
with

attainment as (

    select * from {{ ref('int_attainment_computed') }}

),

plan as (

    select * from {{ ref('stg_plan__parameters') }}
    where period = {{ sql_literal(var('period')) }}

),

split_exceptions as (

    select
        employee_id,
        {{ ordered_text_agg('opportunity_id', "', '", 'opportunity_id', distinct=true) }} as opportunity_ids
    from {{ ref('credit_exceptions') }}
    where employee_id is not null
    group by employee_id

),

components as (

    select
        attainment.*,
        {{ payout_curve('attainment.individual_attainment', 'plan.curve_threshold',
            'plan.curve_target', 'plan.curve_accelerator_slope', 'plan.curve_cap') }}
            as individual_factor,
        {{ payout_curve('attainment.team_attainment', 'plan.curve_threshold',
            'plan.curve_target', 'plan.curve_accelerator_slope', 'plan.curve_cap') }}
            as collective_factor,
        -- Guarded: DuckDB's least/greatest skip NULLs, and no score must stay no factor.
        case when attainment.qualitative_score is not null then cast(least(1, greatest(0,
            {{ divide_half_up('attainment.qualitative_score', 'plan.score_scale', 10) }}
        )) as decimal(18, 10)) end as qualitative_factor,
        split_exceptions.opportunity_ids as split_exception_opportunities,
        'objectifs_' || left(attainment.period, 4) || '.xlsx' as targets_workbook
    from attainment
    cross join plan
    left join split_exceptions
        on split_exceptions.employee_id = attainment.employee_id

),

holds as (

    select
        components.*,
        {% call list_without_nulls('rule') %}
            case when weight_individual > 0 and individual_attainment is null
                then 'no_individual_quota' end,
            case when weight_collective > 0 and team_attainment is null
                then 'no_team_quota' end,
            case when weight_qualitative > 0 and qualitative_factor is null
                then 'no_qualitative_score' end,
            case when split_exception_opportunities is not null
                then 'split_exception' end
        {% endcall %} as hold_rules,
        {% call list_without_nulls('reason') %}
            case when weight_individual > 0 and individual_quota_eur is null
                then 'no individual quota for ' || period || ' in ' || targets_workbook
                when weight_individual > 0 and individual_attainment is null
                then 'individual quota for ' || period || ' is ' || individual_quota_eur
                    || ' in ' || targets_workbook end,
            case when weight_collective > 0 and team_quota_eur is null
                then 'no team quota for ' || coalesce(team, '(no team)') || ' for ' || period
                    || ' in ' || targets_workbook
                when weight_collective > 0 and team_attainment is null
                then 'team quota of ' || team || ' for ' || period || ' is '
                    || team_quota_eur || ' in ' || targets_workbook end,
            case when weight_qualitative > 0 and qualitative_factor is null
                then 'no qualitative score for ' || period || ' in evaluations.csv' end,
            case when split_exception_opportunities is not null
                then 'named on opportunity ' || split_exception_opportunities
                    || ' whose Revenue splits do not sum to 100 %' end
        {% endcall %} as hold_reasons
    from components

)

select * from holds
