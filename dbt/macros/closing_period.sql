{#-
    The period being closed reaches dbt as vars (dagster_project/transform/partition_vars.py):
    `period` ('YYYY-MM'), `period_start` and `period_end` ('YYYY-MM-DD'). Marts read them in
    one CTE, `closing_period`, so that every filter on the period is visibly the same.

    sql_literal renders a var as a SQL string literal, or `null` when it is not set (a plain
    `dbt build` without vars then builds empty marts instead of failing). Call it with the
    var() in the model itself, `{{ sql_literal(var('period')) }}`: dbt unit tests override
    only the vars a model references directly.
-#}
{% macro sql_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
