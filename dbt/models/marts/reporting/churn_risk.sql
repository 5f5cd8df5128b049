-- Churn risk of each customer invoiced in the last 12 periods: an additive score from 0 to
-- 100, the sum of the weights of the drivers that fire (int_churn_risk_signals), its tier
-- and its drivers spelled out, heaviest first, with the figures behind them. Weights, tier
-- floors and next steps come from config/churn.yaml as vars (churn_*). The suggested next
-- step is that of the heaviest driver (ties in the order of the config file). The rep's
-- action list is this table's rows with a tier, per account owner (owner_employee_id).
with

signals as (

    select * from {{ ref('int_churn_risk_signals') }}

),

driver_rows as (

    -- One row per driver that fires, with its weight, rank on ties and a readable reason:
    -- one select per driver (a VALUES list cannot name the customer's columns on Spark).
    select
        erp_customer_code,
        'revenue_drop' as driver,
        {{ var('churn_revenue_drop_weight') }} as weight,
        1 as config_order,
        'revenue of the last 3 months ' || revenue_last_3_eur
        || ' EUR vs ' || revenue_prior_3_eur || ' EUR the 3 before' as reason,
        {{ sql_literal(var('churn_revenue_drop_next_step')) }} as next_step
    from signals
    where revenue_drop_fires

    union all

    select
        erp_customer_code,
        'invoice_gap',
        {{ var('churn_invoice_gap_weight') }},
        2,
        days_since_last_invoice || ' days since the last invoice, usual gap '
        || usual_invoice_gap_days || ' days',
        {{ sql_literal(var('churn_invoice_gap_next_step')) }}
    from signals
    where invoice_gap_fires

    union all

    select
        erp_customer_code,
        'payment_delay',
        {{ var('churn_payment_delay_weight') }},
        3,
        'days beyond terms '
        || coalesce(cast(average_days_beyond_terms_last_3 as {{ text_type() }}), '-')
        || ' (last 3 months) vs '
        || coalesce(cast(average_days_beyond_terms_prior_3 as {{ text_type() }}), '-')
        || ' before; most overdue '
        || coalesce(cast(max_days_overdue as {{ text_type() }}), '-') || ' days',
        {{ sql_literal(var('churn_payment_delay_next_step')) }}
    from signals
    where payment_delay_fires

    union all

    select
        erp_customer_code,
        'no_activity',
        {{ var('churn_no_activity_weight') }},
        4,
        coalesce('no CRM activity for ' || days_since_last_activity || ' days',
            'no CRM activity recorded'),
        {{ sql_literal(var('churn_no_activity_next_step')) }}
    from signals
    where no_activity_fires

    union all

    select
        erp_customer_code,
        'credit_notes',
        {{ var('churn_credit_notes_weight') }},
        5,
        'credit note on ' || last_credit_note_date,
        {{ sql_literal(var('churn_credit_notes_next_step')) }}
    from signals
    where credit_notes_fires

),

ranked_drivers as (

    select
        erp_customer_code,
        cast(sum(weight) as integer) as score,
        {{ ordered_text_agg('driver', "', '", 'weight desc, config_order') }} as drivers,
        {{ ordered_text_agg("driver || ': ' || reason", "'; '", 'weight desc, config_order') }}
            as driver_details,
        {{ first_in_order('next_step', 'weight desc, config_order') }} as suggested_next_step
    from driver_rows
    group by erp_customer_code

),

final as (

    select
        signals.period,
        signals.erp_customer_code,
        signals.segment,
        signals.account_id,
        signals.owner_employee_id,
        cast(least(coalesce(ranked_drivers.score, 0), 100) as integer) as score,
        cast(case
            when ranked_drivers.score >= {{ var('churn_tier_critical') }} then 'critical'
            when ranked_drivers.score >= {{ var('churn_tier_at_risk') }} then 'at_risk'
            when ranked_drivers.score >= {{ var('churn_tier_watch') }} then 'watch'
        end as {{ text_type() }}) as tier,
        ranked_drivers.drivers,
        ranked_drivers.driver_details,
        ranked_drivers.suggested_next_step,
        signals.revenue_drop_fires,
        signals.invoice_gap_fires,
        signals.payment_delay_fires,
        signals.no_activity_fires,
        signals.credit_notes_fires,
        signals.revenue_last_3_eur,
        signals.revenue_prior_3_eur,
        signals.days_since_last_invoice,
        signals.usual_invoice_gap_days,
        signals.average_days_beyond_terms_last_3,
        signals.average_days_beyond_terms_prior_3,
        signals.max_days_overdue,
        signals.days_since_last_activity,
        signals.last_credit_note_date
    from signals
    left join ranked_drivers
        on ranked_drivers.erp_customer_code = signals.erp_customer_code

)

select * from final
