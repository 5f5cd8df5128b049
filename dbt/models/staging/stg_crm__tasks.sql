with

source as (

    select * from {{ source('crm', 'task') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text(adapter.quote('Id')) }} as task_id,
        -- Salesforce WhatId: the record the task is about, often an opportunity.
        {{ clean_text(adapter.quote('WhatId')) }} as related_record_id,
        {{ clean_text(adapter.quote('AccountId')) }} as account_id,
        {{ clean_text(adapter.quote('OwnerId')) }} as owner_user_id,

        ---------- text
        {{ clean_text(adapter.quote('TaskSubtype')) }} as task_subtype,
        {{ clean_text(adapter.quote('Status')) }} as task_status,

        ---------- dates
        {{ adapter.quote('ActivityDate') }} as activity_date,

        ---------- provenance
        {{ adapter.quote('_period') }} as snapshot_period,
        {{ adapter.quote('_source_file') }} as source_file,
        {{ adapter.quote('_source_sha256') }} as source_file_sha256,
        {{ adapter.quote('_source_row') }} as source_row

    from source

)

select * from renamed
