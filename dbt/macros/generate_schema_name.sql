{#-
    Custom schema names are used as they are: staging, reference, intermediate, marts.

    dbt's default prefixes them with the target schema (`main_staging`), which is useful
    when several developers share one warehouse; each perfgov home has its own DuckDB
    file, so the prefix would only make the names confusing. Nodes with no custom schema
    go to the target schema (`main`).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
