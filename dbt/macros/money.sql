{#-
    Exact money arithmetic. DuckDB keeps DECIMAL exact for +, - and *, but DECIMAL / DECIMAL
    returns a DOUBLE (binary floating point): 100.01 / 3 is then 33.336666666666666, and a
    rounding of it can land on the wrong side of a half cent. Money is never divided with
    `/` in this project: it goes through these macros (one rendering per engine, chosen by
    adapter.dispatch; the result is the same DECIMAL on each).
-#}

{#-
    `numerator / denominator`, rounded half away from zero to `scale` decimals, exactly.
    Returns DECIMAL(38, scale); null when either side is null or the denominator is zero.

    How: both sides are scaled by 10^10 into HUGEINTs (exact for inputs with at most 10
    decimals: DECIMAL(18,2) amounts and DECIMAL(18,6) rates), so that N / D is the quotient
    of two integers. Then, on absolute values,
        q = (2 * |N| * 10^scale + |D|) // (2 * |D|)
    is floor(|N| / |D| * 10^scale + 1/2): the quotient in units of 10^-scale, rounded half
    up. The sign of the result is the product of the signs (half away from zero, like
    DuckDB's round() on DECIMAL and like the comp plan's "rounded half-up to the cent"),
    and q is brought back to `scale` decimals by a DECIMAL multiplication (never a DOUBLE).

    Examples (unit-tested in tests/test_dbt_unit.py): 1 / 3 -> 0.33; 2 / 3 -> 0.67;
    100.01 / 2 -> 50.01 (50.005 rounds up); -100.01 / 2 -> -50.01; 1000 / 1.0853 -> 921.40.
-#}
{% macro divide_half_up(numerator, denominator, scale=2) -%}
    {{ return(adapter.dispatch('divide_half_up', 'perfgov')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro duckdb__divide_half_up(numerator, denominator, scale=2) -%}
    {{ half_up_by_whole_numbers(numerator, denominator, scale, 'hugeint', '(%s) // %s') }}
{%- endmacro %}

{#-
    The one computation of both engines: numerator and denominator as whole numbers of
    10^-10 units (`integer_type`), q = floor((2|n| * 10^scale + |d|) / 2|d|) with the engine's
    integer quotient (`quotient`, a pattern of two %s), signed, back to `scale` decimals by a
    DECIMAL multiplication.
-#}
{% macro half_up_by_whole_numbers(numerator, denominator, scale, integer_type, quotient) -%}
    {%- set n = "cast(cast(" ~ numerator ~ " as decimal(38, 10)) * 10000000000 as " ~ integer_type ~ ")" -%}
    {%- set d = "cast(cast(" ~ denominator ~ " as decimal(38, 10)) * 10000000000 as " ~ integer_type ~ ")" -%}
    {%- set unit = "1" if scale == 0 else "0." ~ ("0" * (scale - 1)) ~ "1" -%}
    {%- set dividend = "2 * abs(" ~ n ~ ") * " ~ (10 ** scale) ~ " + abs(" ~ d ~ ")" -%}
    {%- set divisor = "nullif(2 * abs(" ~ d ~ "), 0)" -%}
    cast(
        sign({{ n }}) * sign({{ d }})
        * ({{ quotient | format(dividend, divisor) }})
        as decimal(38, 0)
    ) * cast('{{ unit }}' as decimal(38, {{ scale }}))
{%- endmacro %}

{#-
    PostgreSQL: the same integer arithmetic on NUMERIC with scale 0 (exact, arbitrary
    precision: no HUGEINT needed); div() is the integer quotient, truncated toward zero,
    which is the floor here since both sides are non-negative. numeric's own `/` is not
    used: it rounds its quotient to a chosen number of digits before round() would see it.
-#}
{% macro postgres__divide_half_up(numerator, denominator, scale=2) -%}
    {{ half_up_by_whole_numbers(numerator, denominator, scale, 'numeric(38, 0)', 'div(%s, %s)') }}
{%- endmacro %}

{#-
    Spark: the same integer arithmetic on DECIMAL(38, 0). Spark keeps at most 38 digits and,
    past them, drops scale on * and / (a quotient keeps only 6 decimals, rounded: a
    rounding of it again could cross a half cent), and `div` returns a BIGINT. So the
    floor quotient is taken as (A - A % B) / B: the remainder is exact, A - A % B is a
    multiple of B, and their quotient is an exact integer at any scale Spark keeps. Every
    operand has scale 0, so no product loses a digit (2 * |N| * 10^6 stays under 10^38 for
    DECIMAL(18, 2) amounts). sign() is a DOUBLE on Spark: the sign is a CASE instead.
-#}
{% macro spark__divide_half_up(numerator, denominator, scale=2) -%}
    {%- set n = "cast(cast(" ~ numerator ~ " as decimal(38, 10)) * 10000000000 as decimal(38, 0))" -%}
    {%- set d = "cast(cast(" ~ denominator ~ " as decimal(38, 10)) * 10000000000 as decimal(38, 0))" -%}
    {%- set a = "(2 * abs(" ~ n ~ ") * " ~ (10 ** scale) ~ " + abs(" ~ d ~ "))" -%}
    {%- set b = "nullif(2 * abs(" ~ d ~ "), 0)" -%}
    {%- set unit = "1" if scale == 0 else "0." ~ ("0" * (scale - 1)) ~ "1" -%}
    cast(
        case when ({{ n }} < 0) = ({{ d }} < 0) then 1 else -1 end
        * cast(({{ a }} - {{ a }} % {{ b }}) / {{ b }} as decimal(38, 0))
        as decimal(38, 0)
    ) * cast('{{ unit }}' as decimal(38, {{ scale }}))
{%- endmacro %}

{#-
    `percentage` % of `amount`, rounded half away from zero to `scale` decimals, exactly:
    a product of DECIMALs (exact in DuckDB) times 0.01, then round() (half away from zero on
    DECIMAL). E.g. 50 % of 100.01 -> 50.01; 33.33 % of 1000.00 -> 333.30.
-#}
{% macro percent_of_half_up(amount, percentage, scale=2) -%}
    {{ return(adapter.dispatch('percent_of_half_up', 'perfgov')(amount, percentage, scale)) }}
{%- endmacro %}

{% macro default__percent_of_half_up(amount, percentage, scale=2) -%}
    round(
        cast({{ amount }} as decimal(38, 10))
        * cast({{ percentage }} as decimal(38, 10))
        * cast('0.01' as decimal(38, 2)),
        {{ scale }}
    )
{%- endmacro %}

{#-
    Spark: DECIMAL(38, 10) * DECIMAL(38, 10) would need 77 digits, so Spark keeps 6
    decimals, rounded, before round() rounds again. Narrower operands keep every digit:
    DECIMAL(20, 4) * DECIMAL(12, 8) * 0.01 is DECIMAL(37, 14), exact, for amounts under
    10^16 with at most 4 decimals and percentages under 10 000 with at most 8 decimals.
-#}
{% macro spark__percent_of_half_up(amount, percentage, scale=2) -%}
    round(
        cast({{ amount }} as decimal(20, 4))
        * cast({{ percentage }} as decimal(12, 8))
        * cast('0.01' as decimal(3, 2)),
        {{ scale }}
    )
{%- endmacro %}
