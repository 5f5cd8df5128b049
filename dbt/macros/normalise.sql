{#-
    Text normalisation used by staging, in one place so that every source is cleaned the
    same way. Raw tables keep text exactly as delivered; staging applies these.
-#}

{#- Surrounding spaces removed; an empty or blank value becomes null. -#}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- A code compared across systems (ERP customer code, currency): clean_text, upper-cased. -#}
{% macro clean_code(column) -%}
    upper({{ clean_text(column) }})
{%- endmacro %}

{#- An e-mail address compared across systems: clean_text, lower-cased. -#}
{% macro clean_email(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}
