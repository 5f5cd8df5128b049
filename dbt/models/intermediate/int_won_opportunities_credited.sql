-- Credit lines of every won opportunity of every CRM snapshot: who is credited, how much
-- of its EUR amount, and which worker that user is.
--
-- One line per Revenue split (its owner, its SplitPercentage %), or, for an opportunity
-- with no Revenue split, one line for its owner at 100 %. Overlay splits earn nothing and
-- give no line. Each line is SplitPercentage % of the opportunity's EUR amount, rounded
-- half-up to the cent (macro percent_of_half_up).
--
-- credit_status says what happens to the line:
--   credited        the user is a worker (int_users_matched_to_workers, same snapshot)
--   unattributed    the user is no worker, or the id is no CRM user: listed, paid to nobody
--   split_exception the opportunity's Revenue splits do not sum to 100: nobody is
--                   credited (credited_amount_eur is null) until it is fixed
-- A table, not a view: credits, credit_exceptions and int_credit_adjustments (read by
-- credit_lines and, through the attainment, payouts) read it; as a view each of them
-- recomputed every credit line of every won opportunity.
{{ config(materialized='table') }}
with

won_opportunities as (

    select * from {{ ref('int_won_opportunities_converted_to_eur') }}

),

splits as (

    select * from {{ ref('stg_crm__opportunity_splits') }}

),

users as (

    select * from {{ ref('int_users_matched_to_workers') }}

),

revenue_split_lines as (

    select
        won_opportunities.snapshot_period,
        won_opportunities.opportunity_id,
        'revenue_split' as credit_basis,
        splits.opportunity_split_id,
        splits.split_owner_user_id as user_id,
        splits.split_percentage,
        splits.source_file as split_source_file,
        splits.source_row as split_source_row
    from won_opportunities
    inner join splits
        on splits.snapshot_period = won_opportunities.snapshot_period
        and splits.opportunity_id = won_opportunities.opportunity_id
        and splits.split_type = 'revenue'

),

owner_lines as (

    select
        snapshot_period,
        opportunity_id,
        'owner' as credit_basis,
        cast(null as {{ text_type() }}) as opportunity_split_id,
        owner_user_id as user_id,
        cast(100 as decimal(18, 4)) as split_percentage,
        cast(null as {{ text_type() }}) as split_source_file,
        cast(null as bigint) as split_source_row
    from won_opportunities
    where credited_to = 'owner'

),

credit_lines as (

    select * from revenue_split_lines
    union all
    select * from owner_lines

),

attributed as (

    select
        credit_lines.snapshot_period,
        credit_lines.opportunity_id,
        won_opportunities.close_date,
        credit_lines.credit_basis,
        credit_lines.opportunity_split_id,
        credit_lines.user_id,
        users.employee_id,
        users.match_method as user_match_method,
        credit_lines.split_percentage,
        won_opportunities.currency_code,
        won_opportunities.amount,
        won_opportunities.amount_eur as booking_amount_eur,

        case
            when won_opportunities.is_split_exception then 'split_exception'
            when users.employee_id is null then 'unattributed'
            else 'credited'
        end as credit_status,

        case
            when won_opportunities.is_split_exception then null
            else cast(
                {{ percent_of_half_up('won_opportunities.amount_eur', 'credit_lines.split_percentage', 2) }}
                as decimal(18, 2)
            )
        end as credited_amount_eur,

        case
            when credit_lines.user_id is null then 'no CRM user named (blank id)'
            when users.user_id is null then 'no CRM user with this id in the snapshot'
            when users.employee_id is null then 'CRM user is no worker: ' || users.unmatched_reason
        end as unattributed_reason,

        won_opportunities.source_file,
        won_opportunities.source_file_sha256,
        won_opportunities.source_row,
        credit_lines.split_source_file,
        credit_lines.split_source_row

    from credit_lines
    inner join won_opportunities
        on won_opportunities.snapshot_period = credit_lines.snapshot_period
        and won_opportunities.opportunity_id = credit_lines.opportunity_id
    left join users
        on users.snapshot_period = credit_lines.snapshot_period
        and users.user_id = credit_lines.user_id

)

select * from attributed
