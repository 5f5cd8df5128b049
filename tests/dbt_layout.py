"""The dbt project's layout that several test modules check against."""

# One staging model per raw table (dbt style guide: stg_<source>__<entity>s).
STAGING_MODEL_OF_SOURCE: dict[str, str] = {
    "crm__account": "stg_crm__accounts",
    "crm__user": "stg_crm__users",
    "crm__opportunity": "stg_crm__opportunities",
    "crm__opportunity_split": "stg_crm__opportunity_splits",
    "crm__task": "stg_crm__tasks",
    "erp__client": "stg_erp__customers",
    "erp__facture": "stg_erp__invoices",
    "erp__taux_change": "stg_erp__fx_rates",
    "hris__worker": "stg_hris__workers",
    "hris__learning": "stg_hris__trainings",
    "sales_ops__individual_quota": "stg_sales_ops__individual_quotas",
    "sales_ops__team_quota": "stg_sales_ops__team_quotas",
    "sales_ops__evaluation": "stg_sales_ops__evaluations",
}
