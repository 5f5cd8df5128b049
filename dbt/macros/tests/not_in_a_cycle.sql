{#-
    Fails with one row per record that is its own ancestor through `column_name` (e.g. a
    worker who is, through `Manager_ID`, their own manager's manager), within the same
    `match_columns` (e.g. ['snapshot_period']: each HR snapshot is a hierarchy of its own).
    The walk up stops at a record without parent, or after `max_depth` steps: a cycle that
    does not pass through a record is found from one of the records it does pass through.
-#}
{% test not_in_a_cycle(model, column_name, id_column, match_columns=[], max_depth=100) %}

    with recursive walk as (
        select
            {{ id_column }} as start_id,
            {{ column_name }} as ancestor_id,
            1 as depth
            {%- for column in match_columns %}, {{ column }}{% endfor %}
        from {{ model }}
        where {{ column_name }} is not null

        union all

        select
            walk.start_id,
            parent.{{ column_name }} as ancestor_id,
            walk.depth + 1 as depth
            {%- for column in match_columns %}, walk.{{ column }}{% endfor %}
        from walk
        inner join {{ model }} as parent
            on parent.{{ id_column }} = walk.ancestor_id
            {%- for column in match_columns %}
            and parent.{{ column }} = walk.{{ column }}
            {%- endfor %}
        where walk.ancestor_id <> walk.start_id
            and parent.{{ column_name }} is not null
            and walk.depth < {{ max_depth }}
    )

    select distinct start_id {%- for column in match_columns %}, {{ column }}{% endfor %}
    from walk
    where ancestor_id = start_id

{% endtest %}
