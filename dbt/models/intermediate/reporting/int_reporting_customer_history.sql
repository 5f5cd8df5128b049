-- The customer months of the last 12 periods, closing one included: earlier periods as
-- certified (each period's publication in force, certified.kpi_customer_months), the
-- closing period from the kpi_customer_months mart. The churn-risk signals read their
-- windows from here: certified months only, never a later snapshot's view of a month.
-- Before the first publication: the closing period alone.
{%- set certified_months = source('certified', 'kpi_customer_months') %}
{%- set publication_log = source('certified', 'publication_log') %}
{%- set exists = execute and adapter.get_relation(
        database=certified_months.database,
        schema=certified_months.schema,
        identifier=certified_months.identifier) is not none %}
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('last_12_periods_from')) }} as {{ text_type() }}) as first_period

),

current_months as (

    select
        period, erp_customer_code, invoice_count, credit_note_count, revenue_eur,
        first_invoice_date, last_invoice_date, last_credit_note_date, paid_invoice_count,
        days_beyond_terms_total, max_days_overdue
    from {{ ref('kpi_customer_months') }}

),

{% if exists %}

publications_in_force as (

    {% call first_row_per('period', 'version desc') %}
    select period, publication_id
    from {{ publication_log }}
    {% endcall %}

),

certified_months as (

    select
        months.period, months.erp_customer_code, months.invoice_count,
        months.credit_note_count, months.revenue_eur, months.first_invoice_date,
        months.last_invoice_date, months.last_credit_note_date, months.paid_invoice_count,
        months.days_beyond_terms_total, months.max_days_overdue
    from {{ certified_months }} as months
    inner join publications_in_force
        on publications_in_force.publication_id = months.publication_id
    inner join closing_period
        on months.period >= closing_period.first_period
        and months.period < closing_period.period

),

{% else %}

certified_months as (

    select * from current_months where false

),

{% endif %}

final as (

    select * from certified_months
    union all
    select * from current_months

)

select * from final
