"""The auditor pack of a period: one HTML page that opens offline, and the evidence under it.

``<home>/audit/<period>/index.html`` is rendered from files only: the GX evidence of every
run (``validations/<run_id>/*.json``, never overwritten), the run records
(``runs/<run_id>.json``, see ``run_records``) and the certificate of the publication in
force (``<home>/certified/<period>/certificate.json``). So it shows every run of the period,
blocked, failed or certified, and can be re-rendered at any time (``perfgov audit``).

Why our own page rather than GX Data Docs: Data Docs load CSS and JavaScript from CDNs and
a logo from a remote bucket (an auditor's machine may be offline, and a page that calls
out leaks that it was opened), and they show GX's lists of unexpected values, which can be
personal data. This page has inline CSS, no script, no image and no link out of the home;
it holds ids, rules, counts and deal amounts only, like the files it is rendered from.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..atomic_files import replace_text
from .run_records import read_run_records

_SEVERITY_ORDER = {"block": 0, "hold": 1, "warn": 2}
_LAYER_ORDER = {"raw": 0, "harmonised": 1, "certified": 2}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1d2330;
max-width:78rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid
#ccd;padding-bottom:.2rem}h3{font-size:1rem;margin:1rem 0 .3rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.86rem}
th,td{border:1px solid #d5d8e0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{display:inline-block;padding:.15rem .6rem;border-radius:.3rem;font-weight:600}
.pass,.certified{background:#dff3e4;color:#14532d}.warn{background:#fff4d6;color:#7a4b00}
.hold{background:#fde7d2;color:#8a3b00}.block,.failed,.blocked{background:#fbdada;color:#8b1111}
.muted{color:#667}details{margin:.3rem 0}summary{cursor:pointer}
code{font-size:.82rem}
@media print{details{display:block}summary{display:none}}
"""


class _Html(str):
    """Markup built here from escaped parts: put in a cell as it is."""


def _e(value: Any) -> str:
    if isinstance(value, _Html):
        return value
    return html.escape("" if value is None else str(value))


def _link(relative: str, label: str | None = None) -> _Html:
    """A link to a file of the home, relative to this page (never out of the home)."""
    return _Html(f'<a href="{_e(relative)}">{_e(label or relative)}</a>')


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: set[int] | None = None
) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    if not body:
        body = f'<tr><td colspan="{len(headers)}" class="muted">none</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _badge(verdict: str) -> str:
    return f'<span class="verdict {_e(verdict)}">{_e(verdict)}</span>'


def read_evidence(audit_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """run id -> the GX evidence files of that run, in layer then suite order."""
    runs: dict[str, list[dict[str, Any]]] = {}
    validations = audit_dir / "validations"
    if not validations.is_dir():
        return runs
    for run_dir in sorted(p for p in validations.iterdir() if p.is_dir()):
        results = []
        for path in sorted(run_dir.glob("*.json")):
            data = json.loads(path.read_text())
            data["_file"] = path.relative_to(audit_dir).as_posix()
            results.append(data)
        results.sort(key=lambda r: (_LAYER_ORDER.get(r.get("layer", "raw"), 9), r.get("suite", "")))
        runs[run_dir.name] = results
    return runs


def run_verdict(record: Mapping[str, Any] | None, evidence: Sequence[Mapping[str, Any]]) -> str:
    """certified, blocked or failed for a recorded run; else the worst gate verdict."""
    if record is not None:
        if record.get("publication", {}).get("publication_id"):
            return "certified"
        if record.get("success"):
            return "certified"
        worst = _worst(evidence)
        return "blocked" if worst == "block" or record.get("blocks") else "failed"
    return _worst(evidence)


def _worst(evidence: Sequence[Mapping[str, Any]]) -> str:
    verdicts = {r.get("verdict", {}).get("verdict", "pass") for r in evidence}
    for verdict in ("block", "hold", "warn"):
        if verdict in verdicts:
            return verdict
    return "pass"


def _gate_rows(evidence: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for result in evidence:
        verdict = result.get("verdict", {})
        rows.append(
            (
                result.get("layer", "raw"),
                f"{result.get('suite')} v{result.get('suite_version')}",
                result.get("table"),
                result.get("row_count"),
                verdict.get("evaluated"),
                verdict.get("failed_total"),
                verdict.get("verdict"),
                _link(result.get("_file", ""), "JSON"),
            )
        )
    table = _table(
        ["layer", "suite", "table", "rows", "expectations", "failed", "verdict", "evidence (JSON)"],
        rows,
        numeric={3, 4, 5},
    )
    details = []
    for result in evidence:
        exp_rows = [
            (
                e.get("severity"),
                e.get("rule"),
                "pass" if e.get("success") else ("error" if e.get("raised_exception") else "fail"),
                e.get("unexpected_count"),
                e.get("element_count"),
                "" if e.get("unexpected_percent") is None else f"{e['unexpected_percent']:.2f} %",
                e.get("expectation_type"),
                ", ".join(e.get("columns") or []),
            )
            for e in sorted(
                result.get("expectations", []),
                key=lambda e: (e.get("success", False), _SEVERITY_ORDER.get(e.get("severity"), 9)),
            )
        ]
        details.append(
            f"<details><summary>{_e(result.get('layer', 'raw'))} / {_e(result.get('suite'))}: "
            f"{_badge(result.get('verdict', {}).get('verdict', '?'))}</summary>"
            + _table(
                [
                    "severity",
                    "rule",
                    "result",
                    "failing rows",
                    "rows",
                    "% failing",
                    "expectation",
                    "columns",
                ],
                exp_rows,
                numeric={3, 4, 5},
            )
            + "</details>"
        )
    return table + "".join(details)


def _failed_rules(evidence: Sequence[Mapping[str, Any]], severity: str) -> list[tuple[Any, ...]]:
    return [
        (
            r.get("layer", "raw"),
            r.get("table"),
            e.get("rule"),
            e.get("unexpected_count"),
            e.get("element_count"),
        )
        for r in evidence
        for e in r.get("expectations", [])
        if e.get("severity") == severity and not e.get("success")
    ]


def _reconciliation(record: Mapping[str, Any]) -> str:
    totals = record.get("reconciliation")
    if not totals:
        return '<p class="muted">not computed in this run.</p>'
    keys = [
        ("won bookings, EUR", "booked_eur"),
        ("invoiced (invoices minus credit notes), EUR", "invoiced_eur"),
        ("gap, EUR", "gap_eur"),
        ("gap, % of bookings", "gap_percent"),
        ("won deals", "won_deals"),
        ("won deals not invoiced in the period", "deals_not_invoiced"),
        ("their bookings, EUR", "booked_not_invoiced_eur"),
        ("references invoiced but not booked in the period", "deals_invoiced_not_booked_in_period"),
        ("their invoiced amount, EUR", "invoiced_not_booked_in_period_eur"),
        ("documents with no deal", "documents_without_deal"),
        ("their amount, EUR", "invoiced_without_deal_eur"),
        ("documents without an FX rate", "documents_without_rate"),
    ]
    summary = _table(
        ["figure", "value"], [(label, totals.get(key)) for label, key in keys], numeric={1}
    )
    unmatched = record.get("reconciliation_unmatched") or []
    # Records before the listing was capped hold every line and no counts.
    counts = record.get("reconciliation_unmatched_counts") or Counter(
        u["reconciliation_status"] for u in unmatched
    )
    lines = _table(
        ["status", "opportunity", "documents", "booked EUR", "invoiced EUR", "gap EUR"],
        [
            (
                u["reconciliation_status"],
                u.get("opportunity_id"),
                u.get("invoice_numbers"),
                u.get("booked_eur"),
                u.get("invoiced_eur"),
                u.get("gap_eur"),
            )
            for u in unmatched
        ],
        numeric={3, 4, 5},
    )
    listed = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    capped = (
        f'<p class="muted">{len(unmatched)} of {sum(counts.values())} lines listed here, the '
        "largest gaps of each kind first; every line is in the certified table "
        "reconciliation_lines (CSV, Parquet, certified.duckdb).</p>"
        if len(unmatched) < sum(counts.values())
        else ""
    )
    return (
        summary
        + f"<details><summary>unmatched lines ({_e(listed)})</summary>{capped}{lines}</details>"
    )


def _run_section(
    run_id: str,
    record: Mapping[str, Any] | None,
    evidence: Sequence[Mapping[str, Any]],
    latest: bool,
) -> str:
    verdict = run_verdict(record, evidence)
    parts = [f"<h3>Run <code>{_e(run_id)}</code> {_badge(verdict)}</h3>"]
    if record is None:
        parts.append(
            '<p class="muted">no run record (a run started from the Dagster UI, or a close '
            "that was killed): its gate evidence only.</p>"
        )
    else:
        publication = record.get("publication") or {}
        facts = [
            ("recorded at", record.get("recorded_at")),
            ("outcome", "succeeded" if record.get("success") else "did not succeed"),
            ("publication", publication.get("publication_id") or "none"),
            ("version", publication.get("version") or ""),
            ("restatement reason", record.get("restatement_reason") or ""),
        ]
        parts.append(_table(["", ""], facts))
        if record.get("failures"):
            parts.append("<p>Failed steps:</p><ul>")
            parts.extend(f"<li>{_e(f)}</li>" for f in record["failures"])
            parts.append("</ul>")
        if latest or not record.get("success"):
            parts.append("<h3>Sources</h3>")
            parts.append(
                _table(
                    ["source", "file", "sha256", "records", "rows kept", "quarantined"],
                    [
                        (
                            s["source"],
                            s["file"],
                            s["sha256"],
                            s.get("records_read"),
                            s.get("rows_loaded"),
                            s.get("rows_quarantined"),
                        )
                        for s in record.get("sources", [])
                    ],
                    numeric={3, 4, 5},
                )
            )
    parts.append("<h3>Gates</h3>")
    parts.append(_gate_rows(evidence) if evidence else '<p class="muted">no gate ran.</p>')
    if record is not None and record.get("marts_built"):
        parts.append("<h3>Blocks (the plan's findings that stop the period)</h3>")
        parts.append(
            _table(
                ["rule", "finding"], [(b["rule"], b["finding"]) for b in record.get("blocks", [])]
            )
        )
        parts.append("<h3>Holds (payouts withheld)</h3>")
        parts.append(
            _table(
                ["employee id", "rule", "reason"],
                [
                    (h["employee_id"], h["hold_rule"], h["hold_reason"])
                    for h in record.get("holds", [])
                ],
            )
        )
        dbt_tests = [
            (c["check"], c["severity"].lower())
            for c in record.get("checks", [])
            if not c.get("passed") and ":gx_" not in c["check"]
        ]
        parts.append("<h3>dbt tests not passed</h3>")
        parts.append(_table(["asset:test", "severity"], dbt_tests))
        parts.append("<h3>Warnings</h3>")
        parts.append(
            _table(
                ["layer", "table", "rule", "failing rows", "rows"],
                _failed_rules(evidence, "warn"),
                numeric={3, 4},
            )
        )
        parts.append("<h3>Reconciliation, CRM against finance</h3>")
        parts.append(_reconciliation(record))
    return "<section>" + "".join(parts) + "</section>"


def render_auditor_pack(home: Path, period: str) -> Path:
    """Write ``<home>/audit/<period>/index.html`` from the period's evidence; return it."""
    audit_dir = Path(home) / "audit" / period
    audit_dir.mkdir(parents=True, exist_ok=True)
    evidence = read_evidence(audit_dir)
    records = {r["run_id"]: r for r in read_run_records(home, period)}
    # Newest first: recorded runs by record time, then runs with evidence only.
    order = [r for r in reversed(list(records))] + sorted(set(evidence) - set(records))
    certificate_path = Path(home) / "certified" / period / "certificate.json"
    certificate = json.loads(certificate_path.read_text()) if certificate_path.exists() else None

    parts = [f"<h1>Auditor pack: period {_e(period)}</h1>"]
    if certificate:
        totals = certificate.get("control_totals", {})
        plan = certificate.get("plan", {})
        code = certificate.get("code", {})
        parts.append(
            f"<p>{_badge('certified')} by run <code>{_e(certificate.get('run_id'))}</code> at "
            f"{_e(certificate.get('certified_at'))}; plan {_e(plan.get('version'))}; "
            f"code {_e(code.get('git_commit'))}{' (dirty)' if code.get('dirty') else ''}.</p>"
        )
        parts.append(
            _table(
                ["control total", "value"],
                [(k, v) for k, v in sorted(totals.items())],
                numeric={1},
            )
        )
        parts.append(
            '<p>Certificate: <a href="../../certified/'
            f'{_e(period)}/certificate.json">certified/{_e(period)}/certificate.json</a></p>'
        )
    else:
        parts.append(
            f"<p>{_badge('blocked' if order else 'pass')} the period is not certified.</p>"
        )
    parts.append(
        f"<p class='muted'>{len(order)} run(s) of this period, newest first. Evidence holds "
        "counts, rules and record ids only; the raw GX results of every run are kept as JSON "
        "beside this page and never overwritten.</p>"
    )
    parts.append("<h2>Runs</h2>")
    for i, run_id in enumerate(order):
        parts.append(
            _run_section(run_id, records.get(run_id), evidence.get(run_id, []), latest=i == 0)
        )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>perfgov auditor pack {_e(period)}</title><style>{_CSS}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )
    return replace_text(audit_dir / "index.html", page, mode=0o644)
