-- Trainings completed within the closing period (HRIS learning.csv of its drop), with
-- whether the Employee_ID is a worker of the period's HR snapshot.
with

closing_period as (

    select cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period

),

trainings as (

    select * from {{ ref('stg_hris__trainings') }}

),

workers as (

    select * from {{ ref('stg_hris__workers') }}

),

final as (

    select
        trainings.employee_id,
        workers.employee_id is not null as is_known_worker,
        trainings.course_title,
        trainings.training_hours,
        trainings.completion_date,
        trainings.delivery_mode,
        trainings.snapshot_period,
        trainings.source_file,
        trainings.source_row
    from trainings
    inner join closing_period
        on trainings.snapshot_period = closing_period.period
    left join workers
        on workers.snapshot_period = trainings.snapshot_period
        and workers.employee_id = trainings.employee_id

)

select * from final
