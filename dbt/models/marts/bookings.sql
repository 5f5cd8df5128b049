-- Bookings of the closing period (comp plan, "Credited bookings"): the opportunities that,
-- in the period's CRM snapshot, are won, not deleted, and whose CloseDate lies in the
-- period; in EUR with the rate used and where it was read.
with

closing_period as (

    select
        {{ sql_literal(var('period')) }} as period,
        cast({{ sql_literal(var('period_start')) }} as date) as period_start,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end

),

won_opportunities as (

    select * from {{ ref('int_won_opportunities_converted_to_eur') }}

),

booked_in_period as (

    select won_opportunities.*
    from won_opportunities
    inner join closing_period
        on won_opportunities.snapshot_period = closing_period.period
        and won_opportunities.close_date
            between closing_period.period_start and closing_period.period_end

),

final as (

    select
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
        credited_to,
        is_split_exception,
        snapshot_period,
        source_file,
        source_file_sha256,
        source_row,
        fx_source_file,
        fx_source_row
    from booked_in_period

)

select * from final
