-- The monthly target variable (TV) of every eligible worker of the closing period.
--
-- Eligible (comp plan): a role the plan in force gives weights to (Sales Support has none)
-- and employment overlapping the period (the workers mart's employed_in_period).
--   TV = Annual_Target_Variable / months_per_year x FTE x days employed / days in period
-- computed as one exact division, rounded half-up to the cent (macro divide_half_up).
with

workers as (

    select * from {{ ref('workers') }}

),

plan as (

    select * from {{ ref('stg_plan__parameters') }}
    where period = {{ sql_literal(var('period')) }}

),

role_weights as (

    select * from {{ ref('stg_plan__role_weights') }}
    where period = {{ sql_literal(var('period')) }}

),

eligible as (

    select
        workers.*,
        plan.period,
        plan.plan_version,
        plan.plan_currency,
        plan.months_per_year,
        role_weights.weight_qualitative,
        role_weights.weight_individual,
        role_weights.weight_collective
    from workers
    cross join plan
    inner join role_weights
        on role_weights.sales_role = workers.sales_role
    where workers.employed_in_period

),

prorated as (

    select
        period,
        employee_id,
        sales_role,
        team,
        business_line,
        plan_version,
        plan_currency,
        currency_code,
        fte,
        hire_date,
        termination_date,
        days_employed_in_period,
        days_in_period,
        annual_target_variable,
        weight_qualitative,
        weight_individual,
        weight_collective,
        cast(
            {{ divide_half_up(
                'annual_target_variable * fte * days_employed_in_period',
                'months_per_year * days_in_period',
                var('money_decimals')) }}
            as decimal(18, 2)
        ) as target_variable_eur
    from eligible

)

select * from prorated
