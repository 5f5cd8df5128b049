-- ERP invoices and credit notes of the closing period's drop (factures.csv holds the
-- documents dated within the period). Revenue is the sum of signed amounts: credit notes,
-- delivered positive, count negative (seed erp_document_type_codes, applied in staging).
-- A line that repeats an earlier line field for field (ERP re-export) is dropped here and
-- counted on the line it repeats (repeated_line_count). EUR amounts use the rate of the
-- document date or the latest earlier one (int_fx_rates_as_of), divided exactly and
-- rounded half-up to the cent.
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

invoice_lines as (

    select * from {{ ref('stg_erp__invoices') }}

),

matches as (

    select * from {{ ref('int_invoices_matched_to_opportunities') }}
    where record_kind = 'erp_document'

),

fx_rates as (

    select * from {{ ref('int_fx_rates_as_of') }}

),

lines_of_period as (

    select invoice_lines.*
    from invoice_lines
    inner join closing_period
        on invoice_lines.snapshot_period = closing_period.period

),

repeated_copies as (

    -- Copies of a line dropped as repeats (staging flags every copy after the first),
    -- counted per line: a GROUP BY of the few repeated lines, where a window over every
    -- line of the period cost a sort of all of them.
    -- It reads the staging table itself, not lines_of_period or invoice_lines: DuckDB
    -- materialises in memory a CTE that two parts of the query read, and at 9M invoice
    -- lines that copy of every line did not fit the dbt build's memory limit.
    select
        invoice_number, erp_document_type, invoice_date, erp_customer_code_raw,
        opportunity_id, amount_excl_tax, currency_code, due_date, payment_date,
        count(*) as repeated_line_count
    from {{ ref('stg_erp__invoices') }}
    where is_repeated_line
        and snapshot_period = (select period from closing_period)
    {{ group_by_all(9) }}

),

kept_lines as (

    select
        lines_of_period.*,
        coalesce(repeated_copies.repeated_line_count, 0) as repeated_line_count
    from lines_of_period
    -- The same line field for field: a missing value (no payment date yet) matches a
    -- missing value.
    left join repeated_copies
        on lines_of_period.invoice_number is not distinct from repeated_copies.invoice_number
        and lines_of_period.erp_document_type
            is not distinct from repeated_copies.erp_document_type
        and lines_of_period.invoice_date is not distinct from repeated_copies.invoice_date
        and lines_of_period.erp_customer_code_raw
            is not distinct from repeated_copies.erp_customer_code_raw
        and lines_of_period.opportunity_id is not distinct from repeated_copies.opportunity_id
        and lines_of_period.amount_excl_tax
            is not distinct from repeated_copies.amount_excl_tax
        and lines_of_period.currency_code is not distinct from repeated_copies.currency_code
        and lines_of_period.due_date is not distinct from repeated_copies.due_date
        and lines_of_period.payment_date is not distinct from repeated_copies.payment_date
    where not lines_of_period.is_repeated_line

),

final as (

    select
        kept_lines.invoice_number,
        kept_lines.erp_document_type,
        kept_lines.document_type,
        kept_lines.invoice_date,
        kept_lines.due_date,
        kept_lines.payment_date,
        kept_lines.erp_customer_code,
        kept_lines.opportunity_id,
        matches.match_status as opportunity_match_status,
        kept_lines.amount_excl_tax,
        kept_lines.amount_sign,
        kept_lines.signed_amount_excl_tax,
        kept_lines.currency_code,
        fx_rates.fx_rate_per_eur,
        fx_rates.fx_rate_date,
        cast(
            {{ divide_half_up('kept_lines.signed_amount_excl_tax', 'fx_rates.fx_rate_per_eur', 2) }}
            as decimal(18, 2)
        ) as signed_amount_eur,
        cast(kept_lines.repeated_line_count as integer) as repeated_line_count,
        kept_lines.snapshot_period,
        kept_lines.source_file,
        kept_lines.source_file_sha256,
        kept_lines.source_row,
        fx_rates.source_file as fx_source_file,
        fx_rates.source_row as fx_source_row
    from kept_lines
    left join matches
        on matches.snapshot_period = kept_lines.snapshot_period
        and matches.source_file = kept_lines.source_file
        and matches.source_row = kept_lines.source_row
    left join fx_rates
        on fx_rates.currency_code = kept_lines.currency_code
        and kept_lines.invoice_date
            between fx_rates.valid_from and coalesce(fx_rates.valid_to, kept_lines.invoice_date)

)

select * from final
