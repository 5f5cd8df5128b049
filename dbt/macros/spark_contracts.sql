{#-
    Contracts on Spark. The model yml files declare column types in DuckDB's names, which
    PostgreSQL shares; dbt checks a contract by building an empty query that casts null to
    each declared type and comparing its schema with the model's. On Spark three of those
    names mean something else or do not parse, so the empty query translates them:
      varchar    -> string         (Spark refuses varchar without a length)
      varchar[]  -> array<string>
      timestamp  -> timestamp_ntz  (DuckDB's TIMESTAMP has no time zone; Spark's does)
    Every other declared type (integer, bigint, boolean, date, decimal(p, s)) is Spark's
    too. This overrides dbt's default rendering on the spark adapter only (dbt looks in the
    project before its own macros); DuckDB and PostgreSQL keep dbt's own.
-#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name] -%}
        {%- do translated.update({name: {
            'name': column['name'],
            'data_type': spark_type_of(column['data_type']) if column['data_type'] is not none,
            'quote': column.get('quote'),
        }}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}

{% macro spark_type_of(data_type) -%}
    {%- set spark_names = {
        'varchar': 'string',
        'varchar[]': 'array<string>',
        'timestamp': 'timestamp_ntz',
    } -%}
    {{- return(spark_names.get(data_type | trim | lower, data_type)) -}}
{%- endmacro %}
