{#-
    One macro per SQL dialect difference (issue 10): the models are written once, and each
    engine gets its own rendering through adapter.dispatch. The `duckdb__` rendering is the
    SQL the models used before (DuckDB results and speed unchanged); `postgres__` is the
    PostgreSQL equivalent and `spark__` the Spark SQL one (Spark 4), with the same result on
    the same rows. A model never names an
    engine: a new engine is a new set of `<adapter>__` macros here and in money.sql.
-#}

{#-
    The text type, for casts: `varchar` on DuckDB and PostgreSQL (no length: any text);
    Spark's parser refuses `varchar` without a length, and its text type is `string`.
-#}
{% macro text_type() -%}
    {{ return(adapter.dispatch('text_type', 'perfgov')()) }}
{%- endmacro %}
{% macro default__text_type() -%} varchar {%- endmacro %}
{% macro spark__text_type() -%} string {%- endmacro %}

{#-
    Whole days from `earlier` to `later` (two DATEs), an integer: DuckDB and PostgreSQL
    subtract dates to a number of days; on Spark `date - date` is an INTERVAL DAY, which
    cannot be added to a number or compared with one, and datediff() gives the days.
-#}
{% macro days_between(later, earlier) -%}
    {{ return(adapter.dispatch('days_between', 'perfgov')(later, earlier)) }}
{%- endmacro %}
{% macro default__days_between(later, earlier) -%} ({{ later }} - {{ earlier }}) {%- endmacro %}
{% macro spark__days_between(later, earlier) -%} datediff({{ later }}, {{ earlier }}) {%- endmacro %}

{#- 'YYYY-MM' of a date: the period a day belongs to. -#}
{% macro year_month(date) -%}
    {{ return(adapter.dispatch('year_month', 'perfgov')(date)) }}
{%- endmacro %}
{% macro duckdb__year_month(date) -%} strftime({{ date }}, '%Y-%m') {%- endmacro %}
{% macro postgres__year_month(date) -%} to_char({{ date }}, 'YYYY-MM') {%- endmacro %}
{% macro spark__year_month(date) -%} date_format({{ date }}, 'yyyy-MM') {%- endmacro %}

{#- 'YYYY-MM-DD' of a date, for messages. -#}
{% macro iso_date_text(date) -%}
    {{ return(adapter.dispatch('iso_date_text', 'perfgov')(date)) }}
{%- endmacro %}
{% macro duckdb__iso_date_text(date) -%} strftime({{ date }}, '%Y-%m-%d') {%- endmacro %}
{% macro postgres__iso_date_text(date) -%} to_char({{ date }}, 'YYYY-MM-DD') {%- endmacro %}
{% macro spark__iso_date_text(date) -%} date_format({{ date }}, 'yyyy-MM-dd') {%- endmacro %}

{#- Calendar year and month of a date, as integers. -#}
{% macro year_of(date) -%}
    {{ return(adapter.dispatch('year_of', 'perfgov')(date)) }}
{%- endmacro %}
{% macro duckdb__year_of(date) -%} year({{ date }}) {%- endmacro %}
{% macro postgres__year_of(date) -%} cast(extract(year from {{ date }}) as integer) {%- endmacro %}
{% macro spark__year_of(date) -%} year({{ date }}) {%- endmacro %}

{% macro month_of(date) -%}
    {{ return(adapter.dispatch('month_of', 'perfgov')(date)) }}
{%- endmacro %}
{% macro duckdb__month_of(date) -%} month({{ date }}) {%- endmacro %}
{% macro postgres__month_of(date) -%} cast(extract(month from {{ date }}) as integer) {%- endmacro %}
{% macro spark__month_of(date) -%} month({{ date }}) {%- endmacro %}

{#- The last day of the month of a date (a DATE). -#}
{% macro last_day_of_month(date) -%}
    {{ return(adapter.dispatch('last_day_of_month', 'perfgov')(date)) }}
{%- endmacro %}
{% macro duckdb__last_day_of_month(date) -%} last_day({{ date }}) {%- endmacro %}
{% macro postgres__last_day_of_month(date) -%}
    cast(date_trunc('month', {{ date }}) + interval '1 month' - interval '1 day' as date)
{%- endmacro %}
{% macro spark__last_day_of_month(date) -%} last_day({{ date }}) {%- endmacro %}

{#-
    Any one value of a group where every row holds the same value (an aggregate that only
    carries a column through a GROUP BY). PostgreSQL before 16 has no any_value: min().
-#}
{% macro any_one_of(column) -%}
    {{ return(adapter.dispatch('any_one_of', 'perfgov')(column)) }}
{%- endmacro %}
{% macro duckdb__any_one_of(column) -%} any_value({{ column }}) {%- endmacro %}
{% macro postgres__any_one_of(column) -%} min({{ column }}) {%- endmacro %}
{% macro spark__any_one_of(column) -%} any_value({{ column }}) {%- endmacro %}

{#-
    Continuous quantile (linear interpolation) and median of a group. PostgreSQL computes
    percentile_cont in double precision (quantile makes it NUMERIC, so that round() takes
    it; median_of stays bare, so that a FILTER clause may follow it); the models round and
    cast the result to their DECIMAL. These are KPIs, never money.
-#}
{% macro quantile(column, fraction) -%}
    {{ return(adapter.dispatch('quantile', 'perfgov')(column, fraction)) }}
{%- endmacro %}
{% macro duckdb__quantile(column, fraction) -%} quantile_cont({{ column }}, {{ fraction }}) {%- endmacro %}
{% macro postgres__quantile(column, fraction) -%}
    cast(percentile_cont({{ fraction }}) within group (order by {{ column }}) as numeric)
{%- endmacro %}
{#- Spark: percentile_cont gives a DOUBLE, which round() takes. -#}
{% macro spark__quantile(column, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}

{% macro median_of(column) -%}
    {{ return(adapter.dispatch('median_of', 'perfgov')(column)) }}
{%- endmacro %}
{% macro duckdb__median_of(column) -%} median({{ column }}) {%- endmacro %}
{% macro postgres__median_of(column) -%}
    percentile_cont(0.5) within group (order by {{ column }})
{%- endmacro %}
{% macro spark__median_of(column) -%} median({{ column }}) {%- endmacro %}

{#- The first value of a group in an order (an ordered aggregate). -#}
{% macro first_in_order(column, order_by) -%}
    {{ return(adapter.dispatch('first_in_order', 'perfgov')(column, order_by)) }}
{%- endmacro %}
{% macro duckdb__first_in_order(column, order_by) -%}
    first({{ column }} order by {{ order_by }})
{%- endmacro %}
{% macro postgres__first_in_order(column, order_by) -%}
    (array_agg({{ column }} order by {{ order_by }}))[1]
{%- endmacro %}
{#-
    Spark has no ordered aggregate of a value: min_by over a struct of the order's keys
    (structs compare key by key). A `desc` key is negated, so it must be numeric: the
    macro refuses anything else it cannot order (a key with `nulls first/last`).
-#}
{% macro spark__first_in_order(column, order_by) -%}
    {%- set keys = [] -%}
    {%- for term in order_by.split(',') -%}
        {%- set words = term.strip().split() -%}
        {%- if 'nulls' in (words | map('lower') | list) -%}
            {{ exceptions.raise_compiler_error("first_in_order on Spark: no NULLS FIRST/LAST") }}
        {%- endif -%}
        {%- if words[-1] | lower == 'desc' -%}
            {%- do keys.append('-(' ~ (words[:-1] | join(' ')) ~ ')') -%}
        {%- elif words[-1] | lower == 'asc' -%}
            {%- do keys.append(words[:-1] | join(' ')) -%}
        {%- else -%}
            {%- do keys.append(words | join(' ')) -%}
        {%- endif -%}
    {%- endfor -%}
    min_by({{ column }}, struct({{ keys | join(', ') }}))
{%- endmacro %}

{#-
    A text aggregate in an order: the values of a group joined by `separator`, in the order
    `order_by` (with `distinct`, each value once; the order must then be the value's own).
    DuckDB and PostgreSQL order inside the call; Spark says WITHIN GROUP.
-#}
{% macro ordered_text_agg(column, separator, order_by, distinct=false) -%}
    {{ return(adapter.dispatch('ordered_text_agg', 'perfgov')(column, separator, order_by, distinct)) }}
{%- endmacro %}
{% macro default__ordered_text_agg(column, separator, order_by, distinct=false) -%}
    string_agg({{ 'distinct ' if distinct }}{{ column }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}
{% macro spark__ordered_text_agg(column, separator, order_by, distinct=false) -%}
    listagg({{ 'distinct ' if distinct }}{{ column }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}

{#-
    GROUP BY every column that is not an aggregate. DuckDB says `group by all`; elsewhere the
    `columns` first columns of the select list are named by position (the model lists its
    grouping columns first, and the count is checked by the engine: one too few or too many
    fails the build).
-#}
{% macro group_by_all(columns) -%}
    {{ return(adapter.dispatch('group_by_all', 'perfgov')(columns)) }}
{%- endmacro %}
{% macro duckdb__group_by_all(columns) -%} group by all {%- endmacro %}
{% macro default__group_by_all(columns) -%}
    group by {% for position in range(1, columns + 1) %}{{ position }}{{ ", " if not loop.last }}{% endfor %}
{%- endmacro %}

{#-
    The first row of each group, in an order: the select of the call block, filtered to
    row_number() over (partition by `partition_by` order by `order_by`) = 1. DuckDB keeps
    its QUALIFY; PostgreSQL says DISTINCT ON (its ORDER BY may name columns and aggregates
    that are not selected, as QUALIFY's window may). Usage:
        {% call first_row_per('period', 'version desc') %} select ... from ... {% endcall %}
-#}
{% macro first_row_per(partition_by, order_by) -%}
    {{ return(adapter.dispatch('first_row_per', 'perfgov')(caller(), partition_by, order_by)) }}
{%- endmacro %}
{% macro duckdb__first_row_per(select_sql, partition_by, order_by) -%}
    {{ select_sql | trim }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}
{% macro postgres__first_row_per(select_sql, partition_by, order_by) -%}
    {%- set body = select_sql | trim -%}
    {%- if not body.lower().startswith('select') -%}
        {{ exceptions.raise_compiler_error("first_row_per: the block must start with select") }}
    {%- endif -%}
    select distinct on ({{ partition_by }}) {{ body[6:] | trim }}
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}
{#-
    Spark 4 has QUALIFY, but refuses an aggregate in its window (`count(*) desc` of a
    grouped select: MISSING_GROUP_BY). The rank is therefore a column of the select, which
    the outer query filters on and leaves out (Spark's `* except`).
-#}
{% macro spark__first_row_per(select_sql, partition_by, order_by) -%}
    {%- set body = select_sql | trim -%}
    {%- if not body.lower().startswith('select') -%}
        {{ exceptions.raise_compiler_error("first_row_per: the block must start with select") }}
    {%- endif -%}
    select * except (first_row_rank)
    from (
        select
            row_number() over (partition by {{ partition_by }} order by {{ order_by }})
                as first_row_rank,
            {{ body[6:] | trim }}
    )
    where first_row_rank = 1
{%- endmacro %}

{#-
    A list of the non-null values among SQL expressions (the call block: expressions
    separated by commas), its length, and one row per element of a text split on a
    separator.
-#}
{% macro list_without_nulls(element='item') -%}
    {{ return(adapter.dispatch('list_without_nulls', 'perfgov')(caller(), element)) }}
{%- endmacro %}
{% macro duckdb__list_without_nulls(items, element) -%}
    list_filter([{{ items }}], lambda {{ element }}: {{ element }} is not null)
{%- endmacro %}
{% macro postgres__list_without_nulls(items, element) -%}
    array_remove(array[{{ items }}]::text[], null)
{%- endmacro %}
{% macro spark__list_without_nulls(items, element) -%}
    filter(array({{ items }}), {{ element }} -> {{ element }} is not null)
{%- endmacro %}

{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length', 'perfgov')(list)) }}
{%- endmacro %}
{% macro duckdb__list_length(list) -%} len({{ list }}) {%- endmacro %}
{% macro postgres__list_length(list) -%} cardinality({{ list }}) {%- endmacro %}
{#- Spark's size(null) is -1 when ANSI mode is off (dbt-spark's default): null, as elsewhere. -#}
{% macro spark__list_length(list) -%}
    case when {{ list }} is not null then size({{ list }}) end
{%- endmacro %}

{#- The values of a list joined by `separator` into one text ('' for an empty list). -#}
{% macro list_to_text(list, separator) -%}
    {{ return(adapter.dispatch('list_to_text', 'perfgov')(list, separator)) }}
{%- endmacro %}
{% macro default__list_to_text(list, separator) -%}
    array_to_string({{ list }}, {{ separator }})
{%- endmacro %}
{% macro spark__list_to_text(list, separator) -%}
    array_join({{ list }}, {{ separator }})
{%- endmacro %}

{% macro split_to_rows(text, separator) -%}
    {{ return(adapter.dispatch('split_to_rows', 'perfgov')(text, separator)) }}
{%- endmacro %}
{% macro duckdb__split_to_rows(text, separator) -%}
    unnest(string_split({{ text }}, {{ separator }}))
{%- endmacro %}
{% macro postgres__split_to_rows(text, separator) -%}
    unnest(string_to_array({{ text }}, {{ separator }}))
{%- endmacro %}
{#- Spark's split() takes a regular expression: the separator must hold no regex character. -#}
{% macro spark__split_to_rows(text, separator) -%}
    explode(split({{ text }}, {{ separator }}))
{%- endmacro %}

{#- Whether the whole text matches a regular expression (no partial match). -#}
{% macro matches_pattern(column, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'perfgov')(column, pattern)) }}
{%- endmacro %}
{% macro duckdb__matches_pattern(column, pattern) -%}
    regexp_full_match({{ column }}, '{{ pattern }}')
{%- endmacro %}
{% macro postgres__matches_pattern(column, pattern) -%}
    {{ column }} ~ '^(?:{{ pattern }})$'
{%- endmacro %}
{% macro spark__matches_pattern(column, pattern) -%}
    {{ column }} rlike '^(?:{{ pattern }})$'
{%- endmacro %}
