-- Credited bookings of the closing period: one line per Revenue split of a booking, or
-- one for its owner at 100 % when it has no Revenue split (int_won_opportunities_credited).
-- Bookings whose Revenue splits do not sum to 100 credit nobody: they are in
-- credit_exceptions, not here. Credit for a user who is no worker stays here, with a null
-- employee_id and the reason (unattributed: paid to nobody, but counted).
with

closing_period as (

    select
        {{ sql_literal(var('period')) }} as period,
        cast({{ sql_literal(var('period_start')) }} as date) as period_start,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end

),

credit_lines as (

    select * from {{ ref('int_won_opportunities_credited') }}

),

credited_in_period as (

    select credit_lines.*
    from credit_lines
    inner join closing_period
        on credit_lines.snapshot_period = closing_period.period
        and credit_lines.close_date
            between closing_period.period_start and closing_period.period_end
    where credit_lines.credit_status in ('credited', 'unattributed')

),

final as (

    select
        opportunity_id,
        close_date,
        credit_basis,
        opportunity_split_id,
        user_id,
        employee_id,
        user_match_method,
        credit_status,
        unattributed_reason,
        split_percentage,
        booking_amount_eur,
        credited_amount_eur,
        snapshot_period,
        source_file,
        source_file_sha256,
        source_row,
        split_source_file,
        split_source_row
    from credited_in_period

)

select * from final
