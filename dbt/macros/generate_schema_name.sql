{#-
    Custom schema names are used as they are: staging, reference, intermediate, marts.

    dbt's default prefixes them with the target schema (`main_staging`), which is useful
    when several developers share one warehouse; each perfgov home has its own DuckDB
    file, so the prefix would only make the names confusing. Nodes with no custom schema
    go to the target schema (`main`).

    Write-audit-publish: a close passes the var `run_area` (dagster_project/transform/
    run_area.py), and the staging, intermediate and mart models then go to that run's own
    schemas, `<layer>__<run_area>`: a failed or killed close never overwrites what another
    run built. Seeds stay in `reference` (static, shared). Without the var (dbt unit tests,
    a manual `dbt build`) the plain names are used.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set run_area = var('run_area', none) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif run_area and custom_schema_name | trim in ['staging', 'intermediate', 'marts'] -%}
        {{ custom_schema_name | trim }}__{{ run_area }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
