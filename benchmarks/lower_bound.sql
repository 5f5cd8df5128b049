-- The lower bound of a close: the same files read, the same rows typed and checked, the
-- same payouts computed, in one DuckDB script with no framework (no Dagster, dbt, GX,
-- Python readers). What a close costs above this is the price of the framework.
--
-- Placeholders filled by lower_bound.py: {landing} {period} {period_start} {period_end} {out}.
-- The workbook's two quota sheets arrive as the tables quota_individual_sheet and
-- quota_team_sheet (strings, as the sheet holds them): DuckDB reads no xlsx without an
-- extension we cannot install offline, so lower_bound.py reads them with openpyxl (their
-- size depends on the workers, not on the opportunities).
--
-- Same semantics as the close for the drops the scale generator writes (one period, no
-- earlier certified period, so no prior-period adjustments). ERP files are read as latin-1,
-- which equals cp1252 on every character the generator writes.

SET preserve_insertion_order = false;

-- Exact division rounded half away from zero (dbt/macros/money.sql, divide_half_up).
CREATE TEMP MACRO hi(x) AS CAST(CAST(x AS DECIMAL(38, 10)) * 10000000000 AS HUGEINT);
CREATE TEMP MACRO div_cents(n, d) AS
    CAST(sign(hi(n)) * sign(hi(d)) * ((2 * abs(hi(n)) * 100 + abs(hi(d))) // nullif(2 * abs(hi(d)), 0))
         AS DECIMAL(38, 0)) * CAST('0.01' AS DECIMAL(38, 2));
CREATE TEMP MACRO div_micros(n, d) AS
    CAST(sign(hi(n)) * sign(hi(d)) * ((2 * abs(hi(n)) * 1000000 + abs(hi(d))) // nullif(2 * abs(hi(d)), 0))
         AS DECIMAL(38, 0)) * CAST('0.000001' AS DECIMAL(38, 6));

-- 1. Read and type: the readers' parse rules (casting.py), a row that does not type is
--    counted as quarantined.
CREATE TEMP TABLE opportunity AS
SELECT "Id", "AccountId", "OwnerId", "StageName", "CurrencyIsoCode", "Type",
       CASE WHEN regexp_full_match("Amount", '-?\d+(\.\d{1,2})?') THEN try_cast("Amount" AS DECIMAL(18, 2)) END AS "Amount",
       CASE WHEN regexp_full_match("Probability", '-?\d+(\.\d{1,2})?') THEN try_cast("Probability" AS DECIMAL(18, 2)) END AS "Probability",
       CASE WHEN regexp_full_match("CloseDate", '\d{4}-\d{2}-\d{2}') THEN try_strptime("CloseDate", '%Y-%m-%d')::DATE END AS "CloseDate",
       CASE "IsWon" WHEN 'true' THEN true WHEN 'false' THEN false END AS "IsWon",
       CASE "IsClosed" WHEN 'true' THEN true WHEN 'false' THEN false END AS "IsClosed",
       CASE "IsDeleted" WHEN 'true' THEN true WHEN 'false' THEN false END AS "IsDeleted",
       "Amount" AS amount_text, "CloseDate" AS close_text, "CreatedDate", "LastModifiedDate"
FROM read_csv('{landing}/crm/{period}/Opportunity.csv', header = true, all_varchar = true,
              delim = ',', quote = '"', escape = '"');

CREATE TEMP TABLE opportunity_split AS
SELECT "Id", "OpportunityId", "SplitOwnerId", "SplitTypeName",
       CASE WHEN regexp_full_match("SplitPercentage", '-?\d+(\.\d{1,4})?') THEN try_cast("SplitPercentage" AS DECIMAL(18, 4)) END AS "SplitPercentage"
FROM read_csv('{landing}/crm/{period}/OpportunitySplit.csv', header = true, all_varchar = true,
              delim = ',', quote = '"', escape = '"');

CREATE TEMP TABLE crm_user AS
SELECT * FROM read_csv('{landing}/crm/{period}/User.csv', header = true, all_varchar = true,
                       delim = ',', quote = '"', escape = '"');

CREATE TEMP TABLE account AS
SELECT * FROM read_csv('{landing}/crm/{period}/Account.csv', header = true, all_varchar = true,
                       delim = ',', quote = '"', escape = '"');

CREATE TEMP TABLE task AS
SELECT * FROM read_csv('{landing}/crm/{period}/Task.csv', header = true, all_varchar = true,
                       delim = ',', quote = '"', escape = '"');

CREATE TEMP TABLE client AS
SELECT * FROM read_csv('{landing}/erp/{period}/clients.csv', header = true, all_varchar = true,
                       delim = ';', encoding = 'latin-1');

CREATE TEMP TABLE facture AS
SELECT num_piece, type_piece, code_client, ref_opportunite, devise,
       CASE WHEN regexp_full_match(date_piece, '\d{2}/\d{2}/\d{4}') THEN try_strptime(date_piece, '%d/%m/%Y')::DATE END AS date_piece,
       CASE WHEN regexp_full_match(montant_ht, '-?\d+(,\d{1,2})?') THEN try_cast(replace(montant_ht, ',', '.') AS DECIMAL(18, 2)) END AS montant_ht,
       montant_ht AS montant_text, date_echeance, date_reglement
FROM read_csv('{landing}/erp/{period}/factures.csv', header = true, all_varchar = true,
              delim = ';', encoding = 'latin-1');

CREATE TEMP TABLE taux_change AS
SELECT CASE WHEN regexp_full_match("date", '\d{2}/\d{2}/\d{4}') THEN try_strptime("date", '%d/%m/%Y')::DATE END AS fx_date,
       upper(trim(devise)) AS devise,
       CASE WHEN regexp_full_match(taux, '-?\d+(,\d{1,6})?') THEN try_cast(replace(taux, ',', '.') AS DECIMAL(18, 6)) END AS taux
FROM read_csv('{landing}/erp/{period}/taux_change.csv', header = true, all_varchar = true,
              delim = ';', encoding = 'latin-1');

CREATE TEMP TABLE worker AS
SELECT e."Employee_ID", e."Work_Email", e."Sales_Role", e."Supervisory_Organization",
       e."Manager_ID", e."Business_Line", e."Currency",
       try_strptime(e."Hire_Date"::VARCHAR, '%Y-%m-%d')::DATE AS hire_date,
       try_strptime(e."Termination_Date"::VARCHAR, '%Y-%m-%d')::DATE AS termination_date,
       try_cast(e."FTE" AS DECIMAL(18, 4)) AS fte,
       try_cast(e."Annual_Target_Variable" AS DECIMAL(18, 2)) AS annual_target_variable
FROM (SELECT unnest("Report_Entry") AS e
      FROM read_json('{landing}/hris/{period}/workers.json', maximum_object_size = 1073741824));

CREATE TEMP TABLE learning AS
SELECT * FROM read_csv('{landing}/hris/{period}/learning.csv', header = true, all_varchar = true);

CREATE TEMP TABLE evaluation AS
SELECT trim("Employee_ID") AS employee_id, trim("Periode") AS periode,
       try_cast("Score_Qualitatif" AS DECIMAL(18, 2)) AS score
FROM read_csv('{landing}/sales_ops/{period}/evaluations.csv', header = true, all_varchar = true);

CREATE TEMP TABLE quota_individual AS
SELECT trim("Employee_ID") AS employee_id, trim("Mois") AS mois,
       try_cast(replace(regexp_replace("Quota_EUR", '\s', '', 'g'), ',', '.') AS DECIMAL(18, 2)) AS quota_eur
FROM quota_individual_sheet;

CREATE TEMP TABLE quota_team AS
SELECT trim("Equipe") AS equipe, trim("Mois") AS mois,
       try_cast(replace(regexp_replace("Quota_EUR", '\s', '', 'g'), ',', '.') AS DECIMAL(18, 2)) AS quota_eur
FROM quota_team_sheet;

-- 2. The raw gates (expectations/raw/*.json), blocking ones, as one aggregate per table:
--    each count must be 0.
CREATE TEMP TABLE gate_failures AS
SELECT 'crm__opportunity' AS suite,
       count(*) FILTER (WHERE "Id" IS NULL OR "StageName" IS NULL OR "IsClosed" IS NULL
                        OR "IsWon" IS NULL OR "IsDeleted" IS NULL) AS nulls,
       count(*) - count(DISTINCT "Id") AS duplicate_keys,
       count(*) FILTER (WHERE NOT regexp_full_match("Id", '[a-zA-Z0-9]{18}')
                        OR "StageName" NOT IN ('Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost')
                        OR "Type" NOT IN ('New Business', 'Existing Business - Upsell', 'Existing Business - Renewal')
                        OR (amount_text IS NOT NULL AND "Amount" IS NULL)
                        OR (close_text IS NOT NULL AND "CloseDate" IS NULL)) AS bad_values
FROM opportunity
UNION ALL
SELECT 'crm__opportunity_split',
       count(*) FILTER (WHERE "Id" IS NULL OR "OpportunityId" IS NULL OR "SplitOwnerId" IS NULL
                        OR "SplitPercentage" IS NULL OR "SplitTypeName" IS NULL),
       count(*) - count(DISTINCT "Id"),
       count(*) FILTER (WHERE NOT regexp_full_match("Id", '[a-zA-Z0-9]{18}')
                        OR NOT regexp_full_match("OpportunityId", '[a-zA-Z0-9]{18}')
                        OR NOT regexp_full_match("SplitOwnerId", '[a-zA-Z0-9]{18}')
                        OR "SplitTypeName" NOT IN ('Revenue', 'Overlay'))
FROM opportunity_split
UNION ALL
SELECT 'crm__user', count(*) FILTER (WHERE "Id" IS NULL OR "IsActive" IS NULL),
       count(*) - count(DISTINCT "Id"),
       count(*) FILTER (WHERE NOT regexp_full_match("Id", '[a-zA-Z0-9]{18}'))
FROM crm_user
UNION ALL
SELECT 'crm__account', count(*) FILTER (WHERE "Id" IS NULL OR "IsDeleted" IS NULL),
       count(*) - count(DISTINCT "Id"),
       count(*) FILTER (WHERE NOT regexp_full_match("Id", '[a-zA-Z0-9]{18}')
                        OR "Type" NOT IN ('Customer', 'Prospect', 'Partner')
                        OR "Segment__c" NOT IN ('B2B', 'B2C'))
FROM account
UNION ALL
SELECT 'crm__task', count(*) FILTER (WHERE "Id" IS NULL), count(*) - count(DISTINCT "Id"),
       count(*) FILTER (WHERE NOT regexp_full_match("Id", '[a-zA-Z0-9]{18}')
                        OR "TaskSubtype" NOT IN ('Call', 'Email', 'Task')
                        OR "Status" NOT IN ('Completed', 'Open'))
FROM task
UNION ALL
SELECT 'erp__client', count(*) FILTER (WHERE code_client IS NULL),
       count(*) - count(DISTINCT code_client),
       count(*) FILTER (WHERE segment NOT IN ('ENTREPRISE', 'PARTICULIER'))
FROM client
UNION ALL
SELECT 'erp__facture',
       count(*) FILTER (WHERE num_piece IS NULL OR type_piece IS NULL OR date_piece IS NULL
                        OR code_client IS NULL OR montant_ht IS NULL OR devise IS NULL),
       count(*) - count(DISTINCT num_piece),
       count(*) FILTER (WHERE type_piece NOT IN ('FA', 'AV') OR montant_ht < 0)
FROM facture
UNION ALL
SELECT 'erp__taux_change', count(*) FILTER (WHERE fx_date IS NULL OR devise IS NULL OR taux IS NULL),
       count(*) - count(DISTINCT (fx_date, devise)),
       count(*) FILTER (WHERE NOT regexp_full_match(devise, '[A-Z]{3}') OR taux <= 0)
FROM taux_change
UNION ALL
SELECT 'hris__worker', count(*) FILTER (WHERE "Employee_ID" IS NULL),
       count(*) - count(DISTINCT "Employee_ID"),
       count(*) FILTER (WHERE NOT regexp_full_match("Employee_ID", 'E\d+')
                        OR "Sales_Role" NOT IN ('Hunter', 'Farmer', 'Negotiator', 'Sales Manager', 'Sales Support')
                        OR "Business_Line" NOT IN ('Enterprise', 'Mid-Market', 'Retail'))
FROM worker
UNION ALL
SELECT 'hris__learning', count(*) FILTER (WHERE "Employee_ID" IS NULL), 0,
       count(*) FILTER (WHERE "Delivery" NOT IN ('Peer-led', 'Classroom', 'E-learning'))
FROM learning
UNION ALL
SELECT 'sales_ops__evaluation', count(*) FILTER (WHERE employee_id IS NULL OR periode IS NULL),
       count(*) - count(DISTINCT (employee_id, periode)),
       count(*) FILTER (WHERE NOT regexp_full_match(employee_id, 'E\d+')
                        OR NOT regexp_full_match(periode, '\d{4}-(0[1-9]|1[0-2])'))
FROM evaluation
UNION ALL
SELECT 'sales_ops__individual_quota',
       count(*) FILTER (WHERE employee_id IS NULL OR mois IS NULL OR quota_eur IS NULL),
       count(*) - count(DISTINCT (employee_id, mois)),
       count(*) FILTER (WHERE NOT regexp_full_match(employee_id, 'E\d+'))
FROM quota_individual
UNION ALL
SELECT 'sales_ops__team_quota',
       count(*) FILTER (WHERE equipe IS NULL OR mois IS NULL OR quota_eur IS NULL),
       count(*) - count(DISTINCT (equipe, mois)), 0
FROM quota_team;

-- 3. The calculation (comp-plan.md), with the dbt models' exact rounding.
CREATE TEMP TABLE fx AS
SELECT devise, fx_date AS valid_from,
       lead(fx_date) OVER (PARTITION BY devise ORDER BY fx_date) - 1 AS valid_to, taux
FROM taux_change WHERE devise <> 'EUR'
UNION ALL SELECT 'EUR', DATE '0001-01-01', NULL, 1;

CREATE TEMP TABLE users_matched AS
WITH by_email AS (
    SELECT lower(nullif(trim("Work_Email"), '')) AS email, min("Employee_ID") AS employee_id,
           count(*) AS n
    FROM worker WHERE nullif(trim("Work_Email"), '') IS NOT NULL GROUP BY ALL
)
SELECT u."Id" AS user_id,
       CASE WHEN nullif(trim(u."EmployeeNumber"), '') IS NOT NULL THEN w."Employee_ID"
            WHEN e.n = 1 THEN e.employee_id END AS employee_id
FROM crm_user u
LEFT JOIN worker w ON w."Employee_ID" = nullif(trim(u."EmployeeNumber"), '')
LEFT JOIN by_email e ON e.email = lower(nullif(trim(u."Email"), ''));

CREATE TEMP TABLE won AS
WITH splits AS (
    SELECT "OpportunityId", count(*) AS n, sum("SplitPercentage") AS total
    FROM opportunity_split WHERE "SplitTypeName" = 'Revenue' GROUP BY ALL
)
SELECT o."Id" AS opportunity_id, o."OwnerId" AS owner_user_id, o."CurrencyIsoCode" AS currency,
       fx.taux,
       div_cents(o."Amount", fx.taux) AS amount_eur,
       coalesce(s.n, 0) AS revenue_splits, s.total <> 100 AS is_split_exception
FROM opportunity o
LEFT JOIN fx ON fx.devise = upper(trim(o."CurrencyIsoCode"))
    AND o."CloseDate" BETWEEN fx.valid_from AND coalesce(fx.valid_to, o."CloseDate")
LEFT JOIN splits s ON s."OpportunityId" = o."Id"
WHERE o."IsWon" AND NOT o."IsDeleted"
  AND o."CloseDate" BETWEEN DATE '{period_start}' AND DATE '{period_end}';

CREATE TEMP TABLE credit_lines AS
WITH lines AS (
    SELECT won.opportunity_id, s."SplitOwnerId" AS user_id, s."SplitPercentage" AS pct
    FROM won JOIN opportunity_split s
      ON s."OpportunityId" = won.opportunity_id AND s."SplitTypeName" = 'Revenue'
    UNION ALL
    SELECT opportunity_id, owner_user_id, 100 FROM won WHERE revenue_splits = 0
)
SELECT lines.opportunity_id, lines.user_id, u.employee_id, lines.pct, won.amount_eur,
       CASE WHEN won.is_split_exception THEN 'split_exception'
            WHEN u.employee_id IS NULL THEN 'unattributed' ELSE 'credited' END AS credit_status,
       CASE WHEN NOT coalesce(won.is_split_exception, false) THEN round(
           CAST(won.amount_eur AS DECIMAL(38, 10)) * CAST(lines.pct AS DECIMAL(38, 10))
           * CAST('0.01' AS DECIMAL(38, 2)), 2)::DECIMAL(18, 2) END AS credited_amount_eur
FROM lines JOIN won USING (opportunity_id)
LEFT JOIN users_matched u ON u.user_id = lines.user_id;

CREATE TEMP TABLE blocks AS
SELECT 'duplicate_key' AS block, sum(duplicate_keys) AS findings FROM gate_failures
WHERE suite IN ('crm__opportunity', 'hris__worker')
UNION ALL
SELECT 'fx_rate_missing', count(*) FROM won WHERE taux IS NULL
UNION ALL
SELECT 'eligible_worker_not_eur', count(*) FROM worker
WHERE "Sales_Role" IN ('Hunter', 'Farmer', 'Negotiator', 'Sales Manager')
  AND hire_date <= DATE '{period_end}'
  AND (termination_date IS NULL OR termination_date >= DATE '{period_start}')
  AND upper(trim("Currency")) <> 'EUR'
UNION ALL
SELECT 'unattributed_credit_over_limit',
       (sum(credited_amount_eur) FILTER (WHERE credit_status = 'unattributed')
        > 0.01 * sum(credited_amount_eur))::INT
FROM credit_lines;

-- 3b. The harmonised gates that join sources (warnings): the reconciliation of won bookings
--     with what the ERP invoiced (identical lines once, credit notes negative, each document
--     at its currency's rate on or before its date) and the documents naming no known deal.
CREATE TEMP TABLE invoice_lines AS
SELECT f.num_piece, o."Id" IS NOT NULL AS matched, f.ref_opportunite,
       div_cents(CASE f.type_piece WHEN 'AV' THEN -f.montant_ht ELSE f.montant_ht END, fx.taux)
           AS signed_eur
FROM (SELECT DISTINCT * FROM facture) f
LEFT JOIN (SELECT DISTINCT "Id" FROM opportunity) o ON o."Id" = nullif(trim(f.ref_opportunite), '')
LEFT JOIN fx ON fx.devise = upper(trim(f.devise))
    AND f.date_piece BETWEEN fx.valid_from AND coalesce(fx.valid_to, f.date_piece);

CREATE TEMP TABLE reconciliation AS
SELECT (SELECT sum(amount_eur) FROM won)::DECIMAL(18, 2) AS booked_eur,
       sum(signed_eur)::DECIMAL(18, 2) AS invoiced_eur,
       (sum(signed_eur) - (SELECT sum(amount_eur) FROM won))::DECIMAL(18, 2) AS gap_eur,
       count(*) FILTER (WHERE NOT matched) AS documents_without_deal,
       count(*) FILTER (WHERE signed_eur IS NULL) AS documents_without_rate,
       (SELECT count(*) FROM won WHERE opportunity_id NOT IN
           (SELECT ref_opportunite FROM invoice_lines WHERE matched)) AS deals_not_invoiced
FROM invoice_lines;

CREATE TEMP TABLE payouts AS
WITH w AS (
    SELECT "Employee_ID" AS employee_id, "Sales_Role" AS sales_role,
           "Supervisory_Organization" AS team, fte, annual_target_variable,
           coalesce(hire_date <= DATE '{period_end}' AND (termination_date IS NULL
                    OR termination_date >= DATE '{period_start}'), false) AS employed,
           least(coalesce(termination_date, DATE '{period_end}'), DATE '{period_end}')
               - greatest(hire_date, DATE '{period_start}') + 1 AS days_employed,
           DATE '{period_end}' - DATE '{period_start}' + 1 AS days_in_period
    FROM worker
), weights(sales_role, wq, wi, wc) AS (
    SELECT sales_role, wq::DECIMAL(18, 4), wi::DECIMAL(18, 4), wc::DECIMAL(18, 4)
    FROM (VALUES ('Hunter', 0.00, 0.70, 0.30), ('Farmer', 0.00, 0.70, 0.30),
                 ('Negotiator', 0.50, 0.35, 0.15), ('Sales Manager', 0.00, 0.00, 1.00))
         v(sales_role, wq, wi, wc)
), credited AS (
    SELECT employee_id, sum(credited_amount_eur)::DECIMAL(18, 2) AS eur
    FROM credit_lines WHERE employee_id IS NOT NULL AND credit_status = 'credited' GROUP BY ALL
), per_worker AS (
    SELECT w.*, coalesce(c.eur, 0) AS credited_eur FROM w LEFT JOIN credited c USING (employee_id)
), per_team AS (
    SELECT team, sum(credited_eur)::DECIMAL(18, 2) AS eur FROM per_worker
    WHERE employed AND team IS NOT NULL GROUP BY ALL
), attainment AS (
    SELECT p.*, weights.wq, weights.wi, weights.wc,
           div_cents(p.annual_target_variable * p.fte * p.days_employed, 12 * p.days_in_period)::DECIMAL(18, 2) AS tv,
           CASE WHEN qi.quota_eur > 0 THEN div_micros(p.credited_eur, qi.quota_eur) END AS ia,
           CASE WHEN qt.quota_eur > 0 THEN div_micros(coalesce(t.eur, 0), qt.quota_eur) END AS ta,
           CASE WHEN e.score IS NOT NULL THEN least(1, greatest(0, CAST(e.score AS DECIMAL(18, 4)) * 0.01))::DECIMAL(18, 10) END AS qf
    FROM per_worker p
    JOIN weights USING (sales_role)
    LEFT JOIN quota_individual qi ON qi.employee_id = p.employee_id AND qi.mois = '{period}'
    LEFT JOIN per_team t ON t.team = p.team
    LEFT JOIN quota_team qt ON qt.equipe = p.team AND qt.mois = '{period}'
    LEFT JOIN evaluation e ON e.employee_id = p.employee_id AND e.periode = '{period}'
    WHERE p.employed
), factors AS (
    SELECT *,
           CASE WHEN ia IS NULL THEN NULL WHEN ia < 0.5 THEN 0 WHEN ia <= 1 THEN ia::DECIMAL(18, 10)
                ELSE least(2.0::DECIMAL(18, 10), 1 + 1.5 * (ia::DECIMAL(18, 10) - 1)) END::DECIMAL(18, 10)
               AS fi,
           CASE WHEN ta IS NULL THEN NULL WHEN ta < 0.5 THEN 0 WHEN ta <= 1 THEN ta::DECIMAL(18, 10)
                ELSE least(2.0::DECIMAL(18, 10), 1 + 1.5 * (ta::DECIMAL(18, 10) - 1)) END::DECIMAL(18, 10)
               AS fc
    FROM attainment
)
SELECT employee_id, sales_role, team, tv AS target_variable_eur, credited_eur,
       ia AS individual_attainment, ta AS team_attainment,
       (wi > 0 AND ia IS NULL) OR (wc > 0 AND ta IS NULL) OR (wq > 0 AND qf IS NULL)
           OR employee_id IN (SELECT employee_id FROM credit_lines WHERE credit_status = 'split_exception')
           AS held,
       round(tv * (wq * coalesce(qf, 0) + wi * coalesce(fi, 0) + wc * coalesce(fc, 0))::DECIMAL(18, 10), 2)::DECIMAL(18, 2)
           AS payout_eur
FROM factors;

-- 4. Publication: the payouts and credit lines written out, as the certified exports are.
COPY (SELECT * FROM payouts ORDER BY employee_id) TO '{out}/incentive_payouts.parquet' (FORMAT parquet);
COPY (SELECT * FROM credit_lines ORDER BY opportunity_id, user_id) TO '{out}/credit_lines.parquet' (FORMAT parquet);
COPY (SELECT * FROM payouts ORDER BY employee_id) TO '{out}/incentive_payouts.csv' (FORMAT csv, HEADER true);
COPY reconciliation TO '{out}/reconciliation.csv' (FORMAT csv, HEADER true);

SELECT (SELECT sum(nulls + duplicate_keys + bad_values) FROM gate_failures) AS gate_failures,
       (SELECT sum(findings) FROM blocks) AS block_findings,
       (SELECT count(*) FROM payouts) AS payout_rows,
       (SELECT count(*) FILTER (WHERE held) FROM payouts) AS held_rows,
       (SELECT sum(payout_eur) FILTER (WHERE NOT held) FROM payouts) AS payouts_eur,
       (SELECT gap_eur FROM reconciliation) AS reconciliation_gap_eur;
