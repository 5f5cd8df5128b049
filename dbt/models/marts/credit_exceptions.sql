-- Bookings of the closing period that credit nobody because their Revenue splits do not
-- sum to 100 (comp plan: "nobody is credited until it is fixed"), with every user they
-- name: the owner, and each Revenue split owner. The payout step holds the workers named
-- here.
with

closing_period as (

    select
        {{ sql_literal(var('period')) }} as period,
        cast({{ sql_literal(var('period_start')) }} as date) as period_start,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end

),

bookings as (

    select * from {{ ref('int_won_opportunities_converted_to_eur') }}

),

credit_lines as (

    select * from {{ ref('int_won_opportunities_credited') }}

),

users as (

    select * from {{ ref('int_users_matched_to_workers') }}

),

exceptions_in_period as (

    select bookings.*
    from bookings
    inner join closing_period
        on bookings.snapshot_period = closing_period.period
        and bookings.close_date
            between closing_period.period_start and closing_period.period_end
    where bookings.is_split_exception

),

named_as_split_owner as (

    select
        credit_lines.snapshot_period,
        credit_lines.opportunity_id,
        'revenue_split_owner' as named_as,
        credit_lines.opportunity_split_id,
        credit_lines.user_id,
        credit_lines.employee_id,
        credit_lines.user_match_method,
        credit_lines.split_percentage,
        credit_lines.split_source_file,
        credit_lines.split_source_row
    from credit_lines
    inner join exceptions_in_period
        on exceptions_in_period.snapshot_period = credit_lines.snapshot_period
        and exceptions_in_period.opportunity_id = credit_lines.opportunity_id

),

named_as_owner as (

    select
        exceptions_in_period.snapshot_period,
        exceptions_in_period.opportunity_id,
        'owner' as named_as,
        cast(null as {{ text_type() }}) as opportunity_split_id,
        exceptions_in_period.owner_user_id as user_id,
        users.employee_id,
        users.match_method as user_match_method,
        cast(null as decimal(18, 4)) as split_percentage,
        cast(null as {{ text_type() }}) as split_source_file,
        cast(null as bigint) as split_source_row
    from exceptions_in_period
    left join users
        on users.snapshot_period = exceptions_in_period.snapshot_period
        and users.user_id = exceptions_in_period.owner_user_id

),

named_users as (

    select * from named_as_owner
    union all
    select * from named_as_split_owner

),

final as (

    select
        named_users.opportunity_id,
        exceptions_in_period.close_date,
        'Revenue splits sum to ' || exceptions_in_period.revenue_split_total || ' %, not 100'
            as exception_reason,
        exceptions_in_period.revenue_split_total,
        exceptions_in_period.amount_eur as booking_amount_eur,
        named_users.named_as,
        named_users.opportunity_split_id,
        named_users.user_id,
        named_users.employee_id,
        named_users.user_match_method,
        named_users.split_percentage,
        named_users.snapshot_period,
        exceptions_in_period.source_file,
        exceptions_in_period.source_file_sha256,
        exceptions_in_period.source_row,
        named_users.split_source_file,
        named_users.split_source_row
    from named_users
    inner join exceptions_in_period
        on exceptions_in_period.snapshot_period = named_users.snapshot_period
        and exceptions_in_period.opportunity_id = named_users.opportunity_id

)

select * from final
