-- Invoices (FA) and credit notes (AV) of the ERP: one row per delivered line, every drop.
-- Credit notes are delivered with positive amounts; signed_amount_excl_tax carries their
-- negative effect (sign from the seed erp_document_type_codes).
-- A table, not a view like the rest of staging: the repeated-line flag below is a window
-- over every line, and four models read this one; as a view, each of them (and each view
-- between) recomputed it (three WINDOW operators in `invoices` alone, 11.6 s of 17 s at 1M
-- invoice lines: benchmarks/RESULTS.md). Built once per close, it is computed once.
{{ config(materialized='table') }}

{#- The fields that make two lines the same line (the drop first). -#}
{%- set repeated_line_fields = [
    "_period", "num_piece", "type_piece", "date_piece", "code_client", "ref_opportunite",
    "montant_ht", "devise", "date_echeance", "date_reglement",
] %}

with

source as (

    select * from {{ source('erp', 'facture') }}

),

repeated_groups as (

    -- The groups of lines identical in every field within a drop, when there is more than
    -- one line, with the first line's row: every later line of the group is a repeat.
    -- A GROUP BY, where a window numbering the lines of each group sorted all of them (at
    -- 1M opportunities this model took 2.2 s with the window, 1.6 s without). It reads
    -- the source itself, not the CTE above: DuckDB materialises in memory a CTE read twice.
    select
        {%- for column in repeated_line_fields %}
        {{ adapter.quote(column) }} as group_{{ column.lstrip('_') }},
        {%- endfor %}
        min({{ adapter.quote('_source_row') }}) as first_source_row
    from {{ source('erp', 'facture') }}
    {{ group_by_all(10) }}
    having count(*) > 1

),

document_type_codes as (

    select * from {{ ref('erp_document_type_codes') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text(adapter.quote('num_piece')) }} as invoice_number,
        {{ adapter.quote('code_client') }} as erp_customer_code_raw,
        {{ clean_code(adapter.quote('code_client')) }} as erp_customer_code,
        {{ clean_text(adapter.quote('ref_opportunite')) }} as opportunity_id,

        ---------- document
        {{ clean_code(adapter.quote('type_piece')) }} as erp_document_type,

        ---------- numerics
        {{ adapter.quote('montant_ht') }} as amount_excl_tax,
        {{ clean_code(adapter.quote('devise')) }} as currency_code,

        ---------- dates
        {{ adapter.quote('date_piece') }} as invoice_date,
        {{ adapter.quote('date_echeance') }} as due_date,
        {{ adapter.quote('date_reglement') }} as payment_date,

        ---------- repeated lines
        -- An ERP re-export can repeat a line. A line identical in every field to an earlier
        -- line of the same drop is flagged (kept, so that it can be reported), and left
        -- out of the duplicate-key check and of every amount downstream.
        coalesce(
            {{ adapter.quote('_source_row') }} > repeated_groups.first_source_row, false
        ) as is_repeated_line,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source
    -- The same line field for field: a missing value (no payment date yet) matches a
    -- missing value.
    left join repeated_groups
        on {% for column in repeated_line_fields -%}
        {{ 'and ' if not loop.first }}source.{{ adapter.quote(column) }}
            is not distinct from repeated_groups.group_{{ column.lstrip('_') }}
        {% endfor %}

),

mapped as (

    select
        renamed.invoice_number,
        renamed.erp_customer_code_raw,
        renamed.erp_customer_code,
        renamed.opportunity_id,

        renamed.erp_document_type,
        document_type_codes.document_type,

        renamed.amount_excl_tax,
        document_type_codes.amount_sign,
        cast(renamed.amount_excl_tax * document_type_codes.amount_sign as decimal(18, 2))
            as signed_amount_excl_tax,
        renamed.currency_code,

        renamed.invoice_date,
        renamed.due_date,
        renamed.payment_date,

        renamed.is_repeated_line,

        renamed.snapshot_period,
        renamed.source_file,
        renamed.source_file_sha256,
        renamed.source_row

    from renamed
    left join document_type_codes
        on renamed.erp_document_type = document_type_codes.erp_document_type

)

select * from mapped
