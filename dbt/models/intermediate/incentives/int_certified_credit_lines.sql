-- What was certified for each opportunity and credited party, over every certified
-- period before the closing one: the lines of each period's publication in force (its
-- latest version), bookings and earlier adjustments alike. Prior-period adjustments are
-- "what the opportunity would credit now" minus this.
--
-- Before the first publication the certified tables do not exist yet: then no line.
{%- set certified_lines = source('certified', 'credit_lines') %}
{%- set publication_log = source('certified', 'publication_log') %}
{%- set exists = execute and adapter.get_relation(
        database=certified_lines.database,
        schema=certified_lines.schema,
        identifier=certified_lines.identifier) is not none %}
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

{% if exists %}

publications_in_force as (

    {% call first_row_per('period', 'version desc') %}
    select period, publication_id
    from {{ publication_log }}
    {% endcall %}

),

certified_lines as (

    select
        lines.opportunity_id,
        lines.opportunity_period,
        lines.employee_id,
        lines.unattributed_user_id,
        lines.credit_eur,
        lines.amount_eur,
        lines.line_type
    from {{ certified_lines }} as lines
    inner join publications_in_force
        on publications_in_force.publication_id = lines.publication_id
    inner join closing_period
        on lines.period < closing_period.period

),

{% else %}

certified_lines as (

    select
        cast(null as {{ text_type() }}) as opportunity_id,
        cast(null as {{ text_type() }}) as opportunity_period,
        cast(null as {{ text_type() }}) as employee_id,
        cast(null as {{ text_type() }}) as unattributed_user_id,
        cast(null as decimal(18, 2)) as credit_eur,
        cast(null as decimal(18, 2)) as amount_eur,
        cast(null as {{ text_type() }}) as line_type
    where false

),

{% endif %}

per_party as (

    select
        opportunity_id,
        {{ any_one_of('opportunity_period') }} as opportunity_period,
        employee_id,
        unattributed_user_id,
        cast(sum(credit_eur) as decimal(18, 2)) as certified_credit_eur,
        -- The EUR amount certified at booking (adjustment lines carry the amount then).
        cast(max(amount_eur) filter (where line_type = 'booking') as decimal(18, 2))
            as certified_amount_eur
    from certified_lines
    group by opportunity_id, employee_id, unattributed_user_id

)

select * from per_party
