-- Every won, not deleted opportunity of every CRM snapshot, in EUR, with what its splits
-- say about crediting. The bookings mart keeps those of the closing period's snapshot
-- whose CloseDate lies in the period; adjustments compare later snapshots with earlier
-- ones through the same rows.
--
-- EUR amount (comp plan): Amount / taux, with the rate of the currency on CloseDate or,
-- where that day has none, the latest earlier rate (int_fx_rates_as_of); EUR converts at
-- 1. The division is exact and rounded half-up to the cent (macro divide_half_up): never
-- through a DOUBLE.
-- A table, not a view like the rest of intermediate: five models read it (bookings,
-- credit_exceptions, and through int_won_opportunities_credited and int_credit_adjustments
-- credits, credit_lines and payouts); as a view, each of them re-read every opportunity,
-- re-aggregated the splits and re-joined the rates (1.5 s each at 1M opportunities).
{{ config(materialized='table') }}
with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_as_of') }}

),

splits as (

    select * from {{ ref('stg_crm__opportunity_splits') }}

),

won_opportunities as (

    select * from opportunities where is_won and not is_deleted

),

splits_per_opportunity as (

    -- Only Revenue splits credit anyone; Overlay splits are counted, to be seen, not used.
    select
        snapshot_period,
        opportunity_id,
        count(*) filter (where split_type = 'revenue') as revenue_split_count,
        sum(split_percentage) filter (where split_type = 'revenue') as revenue_split_total,
        count(*) filter (where split_type = 'overlay') as overlay_split_count
    from splits
    {{ group_by_all(2) }}

),

converted as (

    select
        won_opportunities.snapshot_period,
        won_opportunities.opportunity_id,
        won_opportunities.account_id,
        won_opportunities.owner_user_id,
        won_opportunities.opportunity_type,
        won_opportunities.sales_motion,
        won_opportunities.close_date,
        won_opportunities.amount,
        won_opportunities.currency_code,
        fx_rates.fx_rate_per_eur,
        fx_rates.fx_rate_date,
        cast(
            {{ divide_half_up('won_opportunities.amount', 'fx_rates.fx_rate_per_eur', 2) }}
            as decimal(18, 2)
        ) as amount_eur,
        coalesce(splits_per_opportunity.revenue_split_count, 0) as revenue_split_count,
        cast(splits_per_opportunity.revenue_split_total as decimal(18, 4)) as revenue_split_total,
        coalesce(splits_per_opportunity.overlay_split_count, 0) as overlay_split_count,
        won_opportunities.source_file,
        won_opportunities.source_file_sha256,
        won_opportunities.source_row,
        fx_rates.source_file as fx_source_file,
        fx_rates.source_row as fx_source_row
    from won_opportunities
    left join fx_rates
        on fx_rates.currency_code = won_opportunities.currency_code
        and won_opportunities.close_date
            between fx_rates.valid_from and coalesce(fx_rates.valid_to, won_opportunities.close_date)
    left join splits_per_opportunity
        on splits_per_opportunity.snapshot_period = won_opportunities.snapshot_period
        and splits_per_opportunity.opportunity_id = won_opportunities.opportunity_id

),

credit_rule as (

    -- Comp plan: credit goes to the Revenue split owners, each its SplitPercentage %; with
    -- no Revenue split, the owner gets 100 %. Revenue splits that do not sum to exactly 100
    -- (DECIMAL: 33.34 + 33.33 + 33.33 is 100) make the opportunity an exception: nobody is
    -- credited until it is fixed.
    select
        snapshot_period,
        opportunity_id,
        account_id,
        owner_user_id,
        opportunity_type,
        sales_motion,
        close_date,
        amount,
        currency_code,
        fx_rate_per_eur,
        fx_rate_date,
        amount_eur,
        revenue_split_count,
        revenue_split_total,
        overlay_split_count,
        case
            when revenue_split_count = 0 then 'owner'
            else 'revenue_splits'
        end as credited_to,
        revenue_split_count > 0 and revenue_split_total <> 100 as is_split_exception,
        source_file,
        source_file_sha256,
        source_row,
        fx_source_file,
        fx_source_row
    from converted

)

select * from credit_rule
