-- Every line behind the closing period's payouts: its credited bookings (one line per
-- credited party of each booking, unattributed ones included with a null employee_id) and
-- its prior-period adjustments (one line per party whose credit on a deal of a certified
-- period changed), each traceable to its CRM source row.
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

credits as (

    select * from {{ ref('credits') }}

),

bookings as (

    select * from {{ ref('bookings') }}

),

adjustments as (

    select * from {{ ref('int_credit_adjustments') }}

),

booking_lines as (

    select
        closing_period.period,
        'booking' as line_type,
        credits.opportunity_id,
        credits.close_date as opportunity_close_date,
        {{ year_month('credits.close_date') }} as opportunity_period,
        credits.user_id as credited_user_id,
        credits.employee_id,
        case when credits.employee_id is null then credits.user_id end as unattributed_user_id,
        credits.credit_basis,
        credits.split_percentage,
        bookings.amount,
        bookings.currency_code,
        bookings.fx_rate_per_eur,
        bookings.fx_rate_date,
        bookings.amount_eur,
        credits.credited_amount_eur as credit_eur,
        cast(null as decimal(18, 2)) as certified_credit_eur,
        cast(null as decimal(18, 2)) as current_credit_eur,
        cast(null as {{ text_type() }}) as adjustment_reason,
        credits.unattributed_reason,
        credits.source_file,
        credits.source_row
    from credits
    cross join closing_period
    inner join bookings
        on bookings.opportunity_id = credits.opportunity_id

),

adjustment_lines as (

    select
        closing_period.period,
        'adjustment' as line_type,
        adjustments.opportunity_id,
        cast(null as date) as opportunity_close_date,
        adjustments.opportunity_period,
        adjustments.unattributed_user_id as credited_user_id,
        adjustments.employee_id,
        adjustments.unattributed_user_id,
        'adjustment' as credit_basis,
        cast(null as decimal(18, 4)) as split_percentage,
        cast(null as decimal(18, 2)) as amount,
        cast(null as {{ text_type() }}) as currency_code,
        cast(null as decimal(18, 6)) as fx_rate_per_eur,
        cast(null as date) as fx_rate_date,
        adjustments.current_amount_eur as amount_eur,
        adjustments.adjustment_eur as credit_eur,
        adjustments.certified_credit_eur,
        adjustments.current_credit_eur,
        adjustments.adjustment_reason,
        case when adjustments.employee_id is null then 'CRM user is no worker' end
            as unattributed_reason,
        adjustments.source_file,
        adjustments.source_row
    from adjustments
    cross join closing_period

),

final as (

    select * from booking_lines
    union all
    select * from adjustment_lines

)

select * from final
