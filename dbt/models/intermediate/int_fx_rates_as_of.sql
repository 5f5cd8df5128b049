-- Which FX rate applies on a day. The comp plan converts with the rate of the day "or,
-- where that day has none, the latest earlier rate", and rates exist for business days
-- only. So each delivered rate applies from its own date up to the day before the next
-- delivered rate of its currency, WHICHEVER DROP delivered it: Sunday 1 March takes
-- Friday 27 February's rate, which only February's taux_change.csv holds. The last rate
-- of a currency has no end yet (valid_to null).
-- EUR has no row in the ERP files: its rate is 1, on every day.
-- Consumers join on currency_code and `day between valid_from and coalesce(valid_to, day)`.
with

fx_rates as (

    select * from {{ ref('stg_erp__fx_rates') }}

),

delivered_rates as (

    -- A day's rate is delivered once, by the drop of its month. Should another drop deliver
    -- the same day again, the latest drop wins (a re-export corrects an earlier one);
    -- times_delivered keeps the fact visible, and a test on this model reports it.
    {% call first_row_per('currency_code, fx_date', 'snapshot_period desc, source_row') %}
    select
        currency_code,
        fx_date,
        fx_rate_per_eur,
        count(*) over (partition by currency_code, fx_date) as times_delivered,
        snapshot_period,
        source_file,
        source_row
    from fx_rates
    -- An EUR row would contradict the convention below (EUR is 1): never read one.
    where currency_code <> 'EUR'
    {% endcall %}

),

validity_ranges as (

    select
        currency_code,
        fx_date as valid_from,
        -- The day before the next delivered rate of the currency (DuckDB: date - 1 is a date).
        lead(fx_date) over (partition by currency_code order by fx_date) - 1 as valid_to,
        fx_rate_per_eur,
        fx_date as fx_rate_date,
        times_delivered,
        snapshot_period,
        source_file,
        source_row
    from delivered_rates

),

euro_at_par as (

    -- The convention, not a delivered rate: no date, no file.
    select
        'EUR' as currency_code,
        date '0001-01-01' as valid_from,
        cast(null as date) as valid_to,
        cast(1 as decimal(18, 6)) as fx_rate_per_eur,
        cast(null as date) as fx_rate_date,
        cast(0 as bigint) as times_delivered,
        cast(null as {{ text_type() }}) as snapshot_period,
        cast(null as {{ text_type() }}) as source_file,
        cast(null as bigint) as source_row

)

select * from validity_ranges
union all
select * from euro_at_par
