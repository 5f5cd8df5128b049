-- One row per ERP customer of the closing period's snapshot: its invoicing, payment and
-- CRM-activity figures of the period. Certified with the period, these rows are the
-- history the churn-risk score reads (a window of several periods), so that the score of a
-- period is computed from certified months only.
--   revenue            invoices net of credit notes dated in the period, EUR
--   days overdue       per invoice of the period: paid, payment date minus due date; not
--                      paid by the export, the period's last day minus due date
--   last activity      the latest completed CRM task on the customer's account, on or
--                      before the period's last day (the task snapshot is cumulative)
-- The account and its owner come from a `matched` account only: an ERP code that several
-- accounts share, or none, has no owner here (identity_exceptions names it).
with

closing_period as (

    select
        cast({{ sql_literal(var('period')) }} as {{ text_type() }}) as period,
        cast({{ sql_literal(var('period_end')) }} as date) as period_end

),

erp_customers as (

    select * from {{ ref('stg_erp__customers') }}

),

customers as (

    select * from {{ ref('customers') }}
    where match_status = 'matched'

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

users as (

    select * from {{ ref('int_users_matched_to_workers') }}

),

invoices as (

    select * from {{ ref('invoices') }}

),

activities as (

    select * from {{ ref('activities') }}

),

invoice_figures as (

    select
        invoices.erp_customer_code,
        count(*) filter (where invoices.document_type = 'invoice') as invoice_count,
        count(*) filter (where invoices.document_type = 'credit_note') as credit_note_count,
        cast(sum(invoices.signed_amount_eur) as decimal(18, 2)) as revenue_eur,
        min(invoices.invoice_date) filter (where invoices.document_type = 'invoice')
            as first_invoice_date,
        max(invoices.invoice_date) filter (where invoices.document_type = 'invoice')
            as last_invoice_date,
        max(invoices.invoice_date) filter (where invoices.document_type = 'credit_note')
            as last_credit_note_date,
        count(invoices.payment_date) filter (where invoices.document_type = 'invoice')
            as paid_invoice_count,
        sum({{ days_between('invoices.payment_date', 'invoices.due_date') }})
            filter (where invoices.document_type = 'invoice') as days_beyond_terms_total,
        max({{ days_between(
            'coalesce(invoices.payment_date, closing_period.period_end)', 'invoices.due_date'
        ) }})
            filter (where invoices.document_type = 'invoice') as max_days_overdue
    from invoices
    cross join closing_period
    group by invoices.erp_customer_code

),

last_activity as (

    select activities.account_id, max(activities.activity_date) as last_activity_date
    from activities
    cross join closing_period
    where activities.task_status = 'Completed'
        and activities.activity_date <= closing_period.period_end
    group by activities.account_id

),

final as (

    select
        closing_period.period,
        erp_customers.erp_customer_code,
        erp_customers.segment,
        customers.account_id,
        users.employee_id as owner_employee_id,
        cast(coalesce(invoice_figures.invoice_count, 0) as bigint) as invoice_count,
        cast(coalesce(invoice_figures.credit_note_count, 0) as bigint) as credit_note_count,
        cast(coalesce(invoice_figures.revenue_eur, 0) as decimal(18, 2)) as revenue_eur,
        invoice_figures.first_invoice_date,
        invoice_figures.last_invoice_date,
        invoice_figures.last_credit_note_date,
        cast(coalesce(invoice_figures.paid_invoice_count, 0) as bigint) as paid_invoice_count,
        cast(invoice_figures.days_beyond_terms_total as bigint) as days_beyond_terms_total,
        cast(invoice_figures.max_days_overdue as integer) as max_days_overdue,
        last_activity.last_activity_date
    from erp_customers
    inner join closing_period
        on erp_customers.snapshot_period = closing_period.period
    left join customers
        on customers.erp_customer_code = erp_customers.erp_customer_code
    left join accounts
        on accounts.snapshot_period = closing_period.period
        and accounts.account_id = customers.account_id
    left join users
        on users.snapshot_period = closing_period.period
        and users.user_id = accounts.owner_user_id
    left join invoice_figures
        on invoice_figures.erp_customer_code = erp_customers.erp_customer_code
    left join last_activity
        on last_activity.account_id = customers.account_id

)

select * from final
