with

source as (

    select * from {{ source('crm', 'task') }}

),

renamed as (

    select
        ---------- ids
        {{ clean_text('"Id"') }} as task_id,
        -- Salesforce WhatId: the record the task is about, often an opportunity.
        {{ clean_text('"WhatId"') }} as related_record_id,
        {{ clean_text('"AccountId"') }} as account_id,
        {{ clean_text('"OwnerId"') }} as owner_user_id,

        ---------- text
        {{ clean_text('"TaskSubtype"') }} as task_subtype,
        {{ clean_text('"Status"') }} as task_status,

        ---------- dates
        "ActivityDate" as activity_date,

        ---------- provenance
        "_period" as snapshot_period,
        "_source_file" as source_file,
        "_source_sha256" as source_file_sha256,
        "_source_row" as source_row

    from source

)

select * from renamed
