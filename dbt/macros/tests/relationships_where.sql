{#-
    Like dbt's `relationships`, with filters on both sides and, optionally, columns that
    must match as well (`match_columns`, e.g. ['snapshot_period']: the parent must exist in
    the same snapshot as the child). Null children are ignored, as in `relationships`.
    Fails with one row per orphan child value.
-#}
{% test relationships_where(model, column_name, to, field, from_condition='1=1', to_condition='1=1', match_columns=[]) %}

    with child as (
        select
            {{ column_name }} as child_value
            {%- for column in match_columns %}, {{ column }}{% endfor %}
        from {{ model }}
        where {{ column_name }} is not null
          and ({{ from_condition }})
    ),

    parent as (
        select
            {{ field }} as parent_value
            {%- for column in match_columns %}, {{ column }}{% endfor %}
        from {{ to }}
        where {{ to_condition }}
    )

    select child.*
    from child
    where not exists (
        select 1
        from parent
        where parent.parent_value = child.child_value
        {%- for column in match_columns %}
          and parent.{{ column }} = child.{{ column }}
        {%- endfor %}
    )
{% endtest %}
