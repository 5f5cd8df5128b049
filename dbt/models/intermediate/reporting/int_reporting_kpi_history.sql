-- The benchmarked sales KPIs of the last 12 periods, closing one included, one row per
-- period, scope and metric: earlier periods as certified (each period's publication in
-- force, from certified.kpi_sales), the closing period from the kpi_sales mart. Trends
-- are computed from certified figures only, never from a later snapshot's view of an
-- earlier month. Before the first publication there is no certified history: then the
-- closing period alone.
{%- set certified_kpis = source('certified', 'kpi_sales') %}
{%- set publication_log = source('certified', 'publication_log') %}
{%- set exists = execute and adapter.get_relation(
        database=certified_kpis.database,
        schema=certified_kpis.schema,
        identifier=certified_kpis.identifier) is not none %}
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('last_12_periods_from')) }} as {{ text_type() }}) as first_period

),

current_kpis as (

    select
        period, scope_level, scope_id, business_line,
        bookings_eur, revenue_eur, win_rate_count
    from {{ ref('kpi_sales') }}

),

{% if exists %}

publications_in_force as (

    {% call first_row_per('period', 'version desc') %}
    select period, publication_id
    from {{ publication_log }}
    {% endcall %}

),

certified_kpis as (

    select
        kpis.period, kpis.scope_level, kpis.scope_id, kpis.business_line,
        kpis.bookings_eur, kpis.revenue_eur, kpis.win_rate_count
    from {{ certified_kpis }} as kpis
    inner join publications_in_force
        on publications_in_force.publication_id = kpis.publication_id
    inner join closing_period
        on kpis.period >= closing_period.first_period
        and kpis.period < closing_period.period

),

{% else %}

certified_kpis as (

    select * from current_kpis where false

),

{% endif %}

kpis as (

    select * from certified_kpis
    union all
    select * from current_kpis

),

final as (

    -- One row per metric: a select each (a VALUES list cannot name a row's columns on
    -- Spark).
    select
        period, scope_level, scope_id, business_line,
        'bookings_eur' as metric,
        cast(bookings_eur as decimal(18, 4)) as metric_value
    from kpis
    union all
    select
        period, scope_level, scope_id, business_line,
        'revenue_eur',
        cast(revenue_eur as decimal(18, 4))
    from kpis
    union all
    select
        period, scope_level, scope_id, business_line,
        'win_rate_count',
        cast(win_rate_count as decimal(18, 4))
    from kpis

)

select * from final
