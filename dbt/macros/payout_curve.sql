{#-
    The plan's payout curve f(A), with its parameters read from the plan in force:
        A < threshold            -> 0
        threshold <= A <= target -> A
        A > target               -> target + slope x (A - target), capped at cap
    DECIMAL throughout (comparisons and products are exact in DuckDB). Null attainment
    (no quota) gives null: the component cannot be computed and the worker is held.
    DECIMAL(18, 10) (a factor is a few units): weight x factor then needs 28 digits, which
    Spark keeps whole; past 38 it would round the product to 6 decimals.
-#}
{% macro payout_curve(attainment, threshold, target, slope, cap) -%}
    case
        when {{ attainment }} is null then null
        when {{ attainment }} < {{ threshold }} then cast(0 as decimal(18, 10))
        when {{ attainment }} <= {{ target }} then cast({{ attainment }} as decimal(18, 10))
        else cast(
            least({{ cap }}, {{ target }} + {{ slope }} * ({{ attainment }} - {{ target }}))
            as decimal(18, 10)
        )
    end
{%- endmacro %}
