{#-
    Fails with every row for which `expression` (a boolean SQL expression on the model's
    columns) is not true. A null result counts as a failure, unless the expression says
    how to treat nulls (e.g. `x is null or x > 0`). Declared on a model or on a column
    (`column_name` is then passed by dbt, and not needed: the expression names it).
-#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}
