-- Prior-period adjustments (comp plan): once a period is certified its figures never
-- change. When the closing period's CRM snapshot changes an opportunity whose CloseDate
-- lies in an already certified period (lost, deleted, resized, re-split, newly won with a
-- back-dated close), the difference between what it would credit each party now and what
-- was certified is credited in the closing period, as an adjustment line.
--
-- "Now" applies the same crediting rules as a booking (int_won_opportunities_credited on
-- the closing snapshot); "certified" is int_certified_credit_lines. Parties are workers,
-- or, for unattributed credit, the CRM user (paid to nobody, but kept to the cent).
-- A table, not a view: credit_lines and the attainment (payouts) read it; as a view each
-- re-read the closing snapshot's opportunities and credit lines (1.6 s at 1M
-- opportunities), for a handful of rows.
{{ config(materialized='table') }}
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

certified as (

    select * from {{ ref('int_certified_credit_lines') }}

),

certified_periods as (

    select distinct opportunity_period as period from certified

),

credit_lines as (

    select * from {{ ref('int_won_opportunities_credited') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

bookings as (

    select * from {{ ref('int_won_opportunities_converted_to_eur') }}

),

-- What each deal of a certified period credits in the closing snapshot, per party.
credited_now as (

    select
        credit_lines.opportunity_id,
        {{ year_month('credit_lines.close_date') }} as opportunity_period,
        credit_lines.employee_id,
        case when credit_lines.employee_id is null then credit_lines.user_id end
            as unattributed_user_id,
        cast(sum(credit_lines.credited_amount_eur) as decimal(18, 2)) as current_credit_eur
    from credit_lines
    inner join closing_period
        on credit_lines.snapshot_period = closing_period.period
    inner join certified_periods
        on {{ year_month('credit_lines.close_date') }} = certified_periods.period
    where credit_lines.credit_status in ('credited', 'unattributed')
    {{ group_by_all(4) }}

),

compared as (

    select
        coalesce(credited_now.opportunity_id, certified.opportunity_id) as opportunity_id,
        coalesce(certified.opportunity_period, credited_now.opportunity_period)
            as opportunity_period,
        coalesce(credited_now.employee_id, certified.employee_id) as employee_id,
        coalesce(credited_now.unattributed_user_id, certified.unattributed_user_id)
            as unattributed_user_id,
        coalesce(certified.certified_credit_eur, 0) as certified_credit_eur,
        coalesce(credited_now.current_credit_eur, 0) as current_credit_eur
    from credited_now
    full outer join certified
        on certified.opportunity_id = credited_now.opportunity_id
        and certified.employee_id is not distinct from credited_now.employee_id
        and certified.unattributed_user_id is not distinct from credited_now.unattributed_user_id

),

-- Per opportunity: what was certified for it at all, and its state in the closing snapshot.
certified_per_opportunity as (

    select opportunity_id, max(certified_amount_eur) as certified_amount_eur
    from certified
    group by opportunity_id

),

state_now as (

    select
        opportunities.opportunity_id,
        opportunities.stage_name,
        opportunities.is_won,
        opportunities.is_deleted,
        opportunities.close_date,
        bookings.amount_eur,
        bookings.is_split_exception,
        opportunities.source_file,
        opportunities.source_row
    from opportunities
    inner join closing_period
        on opportunities.snapshot_period = closing_period.period
    left join bookings
        on bookings.snapshot_period = opportunities.snapshot_period
        and bookings.opportunity_id = opportunities.opportunity_id

),

adjustments as (

    select
        compared.opportunity_id,
        compared.opportunity_period,
        compared.employee_id,
        compared.unattributed_user_id,
        compared.certified_credit_eur,
        compared.current_credit_eur,
        cast(compared.current_credit_eur - compared.certified_credit_eur as decimal(18, 2))
            as adjustment_eur,
        state_now.amount_eur as current_amount_eur,
        case
            when state_now.opportunity_id is null then 'no longer in the CRM export'
            when state_now.is_deleted then 'deleted in the CRM'
            when not state_now.is_won then 'no longer won (now ' || state_now.stage_name || ')'
            when {{ year_month('state_now.close_date') }} <> compared.opportunity_period
                then 'close date moved to ' || {{ iso_date_text('state_now.close_date') }}
            when state_now.is_split_exception then 'Revenue splits no longer sum to 100'
            when certified_per_opportunity.opportunity_id is null
                then 'won after its period was certified (back-dated close '
                    || {{ iso_date_text('state_now.close_date') }} || ')'
            when state_now.amount_eur <> certified_per_opportunity.certified_amount_eur
                then 'amount changed from ' || certified_per_opportunity.certified_amount_eur
                    || ' to ' || state_now.amount_eur || ' EUR'
            else 'credit split changed'
        end as adjustment_reason,
        state_now.source_file,
        state_now.source_row
    from compared
    left join state_now
        on state_now.opportunity_id = compared.opportunity_id
    left join certified_per_opportunity
        on certified_per_opportunity.opportunity_id = compared.opportunity_id
    where compared.current_credit_eur <> compared.certified_credit_eur

)

select * from adjustments
