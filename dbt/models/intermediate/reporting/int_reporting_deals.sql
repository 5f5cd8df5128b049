-- Every opportunity of the closing period's CRM snapshot (not deleted) with what the sales
-- KPIs need: its owner's worker, team and business line, the customer's segment, its EUR
-- amount, and where it stands in the period (won or lost in it, open, due next period).
-- A deal belongs to its owner (OwnerId): the KPIs describe who sells, not who is credited
-- (credit splits are the pay plan's business, see credit_lines).
-- EUR: the rate of the close date or the latest earlier one, as for bookings; an open deal
-- closing after the period uses the latest rate known at the period's end.
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('period_start')) }} as date) as period_start,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end,
        cast({{ sql_literal(var('next_period_start')) }} as date) as next_period_start,
        cast({{ sql_literal(var('next_period_end')) }} as date) as next_period_end

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

users as (

    select * from {{ ref('int_users_matched_to_workers') }}

),

workers as (

    select * from {{ ref('workers') }}

),

customers as (

    select * from {{ ref('customers') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_as_of') }}

),

deals_of_snapshot as (

    select
        opportunities.*,
        closing_period.period,
        closing_period.period_start,
        closing_period.period_end,
        closing_period.next_period_start,
        closing_period.next_period_end,
        least(opportunities.close_date, closing_period.period_end) as rate_date
    from opportunities
    inner join closing_period
        on opportunities.snapshot_period = closing_period.period
    where not coalesce(opportunities.is_deleted, false)

),

final as (

    select
        deals.period,
        deals.opportunity_id,
        deals.account_id,
        users.employee_id as owner_employee_id,
        workers.team as owner_team,
        workers.business_line as owner_business_line,
        customers.segment,
        deals.close_date,
        cast(deals.created_at as date) as created_date,
        deals.amount,
        deals.currency_code,
        cast(
            {{ divide_half_up('deals.amount', 'fx_rates.fx_rate_per_eur', 2) }}
            as decimal(18, 2)
        ) as amount_eur,
        coalesce(
            deals.is_won and deals.close_date between deals.period_start and deals.period_end,
            false
        ) as is_won_in_period,
        coalesce(
            deals.is_closed and not deals.is_won
            and deals.close_date between deals.period_start and deals.period_end,
            false
        ) as is_lost_in_period,
        not coalesce(deals.is_closed, false) as is_open,
        coalesce(
            not deals.is_closed
            and deals.close_date between deals.next_period_start and deals.next_period_end,
            false
        ) as is_due_next_period,
        case
            when deals.is_won
                then cast(
                    {{ days_between('deals.close_date', 'cast(deals.created_at as date)') }}
                    as integer
                )
        end as sales_cycle_days,
        deals.source_file,
        deals.source_row
    from deals_of_snapshot as deals
    left join users
        on users.snapshot_period = deals.snapshot_period
        and users.user_id = deals.owner_user_id
    left join workers
        on workers.employee_id = users.employee_id
    left join customers
        on customers.account_id = deals.account_id
    left join fx_rates
        on fx_rates.currency_code = deals.currency_code
        and deals.rate_date
            between fx_rates.valid_from and coalesce(fx_rates.valid_to, deals.rate_date)

)

select * from final
