-- CRM facts that are reported, never silent, and never gate the period (severity warn in
-- expectations/harmonised/crm_warnings.json), one row per finding in the closing period's
-- CRM snapshot, by record id:
--   won_close_date_in_future   a won opportunity whose CloseDate is after the period's end
--   owner_inactive             an open or won opportunity owned by an inactive CRM user
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

users as (

    select * from {{ ref('stg_crm__users') }}

),

opportunities_of_period as (

    select opportunities.*, closing_period.period_end
    from opportunities
    inner join closing_period
        on opportunities.snapshot_period = closing_period.period
    where not opportunities.is_deleted

),

won_in_future as (

    select
        'won_close_date_in_future' as warning_kind,
        opportunity_id as record_id,
        owner_user_id as related_id,
        'CloseDate ' || {{ iso_date_text('close_date') }} || ' is after the period end '
            || {{ iso_date_text('period_end') }} as reason
    from opportunities_of_period
    where is_won and close_date > period_end

),

owned_by_inactive_user as (

    select
        'owner_inactive' as warning_kind,
        opportunities_of_period.opportunity_id as record_id,
        opportunities_of_period.owner_user_id as related_id,
        'owner ' || opportunities_of_period.owner_user_id || ' is an inactive CRM user'
            as reason
    from opportunities_of_period
    inner join users
        on users.snapshot_period = opportunities_of_period.snapshot_period
        and users.user_id = opportunities_of_period.owner_user_id
    where not users.is_active
        and (opportunities_of_period.is_won or not opportunities_of_period.is_closed)

),

final as (

    select closing_period.period, findings.*
    from (
        select * from won_in_future
        union all
        select * from owned_by_inactive_user
    ) as findings
    cross join closing_period

)

select * from final
