"""Least privilege: every path stays where it belongs, each reader sees only their own data.

- The command line: the period and every folder are validated before anything is read or
  written (no path traversal out of the landing or the home), in the fast tests.
- A source file that is a link leading out of the landing is refused by the loader.
- Secrets (a future warehouse password) come from the environment: no file of the
  repository assigns one.
- On the session's real closes (conftest ``closed_history``, slow): a rep's statement holds
  that rep's data only; the close logs and the validation evidence hold no personal data.
  (The consumer copy opened read-only, a write through it refused, is
  tests/test_certification.py::test_the_consumer_copy_opens_read_only_elsewhere_and_equals_the_csv.)
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.ingest.contracts import SOURCES_BY_NAME
from dagster_project.ingest.errors import SourceFileError
from dagster_project.ingest.loader import read_source_file
from dagster_project.settings import PROJECT_ROOT, SAMPLE_LANDING, Settings, SettingsError
from tests.conftest import HISTORY

PERIOD = HISTORY[-1]

# --------------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    "period",
    ["../../etc", "2026-10/../../x", "2026-13", "2026-00", "/etc/passwd", "2026-10\n", ""],
    ids=["dotdot", "period-then-dotdot", "month-13", "month-00", "absolute", "newline", "empty"],
)
def test_a_period_that_could_become_a_path_elsewhere_is_refused(
    period: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    status = main(["close", period, "--landing", str(SAMPLE_LANDING), "--home", str(home)])
    assert status == 2
    assert capsys.readouterr().err == (
        f"perfgov: period must be a month written YYYY-MM, got {period!r}\n"
    )
    assert not home.exists()


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err.strip()


def test_a_landing_that_is_a_file_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = tmp_path / "landing.csv"
    landing.write_text("not a folder\n")
    home = tmp_path / "home"
    err = _refused(["close", PERIOD, "--landing", str(landing), "--home", str(home)], capsys)
    assert err == f"perfgov: landing {landing} is not a folder"
    assert not home.exists()


@pytest.mark.parametrize("through_a_link", [False, True], ids=["file", "link-to-a-file"])
def test_a_home_that_is_a_file_is_refused_and_left_alone(
    through_a_link: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere" / "notes.txt"
    target.parent.mkdir()
    target.write_text("keep me\n")
    home = target
    if through_a_link:
        home = tmp_path / "home"
        home.symlink_to(target)
    err = _refused(["close", PERIOD, "--home", str(home)], capsys)
    # The link is followed: the message names what would have been written into.
    assert err == f"perfgov: home {target} is not a folder"
    assert target.read_text() == "keep me\n"


def test_the_demo_and_the_ui_validate_their_home_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "a-file"
    home.write_text("")
    assert _refused(["demo", "--home", str(home)], capsys) == (
        f"perfgov: home {home} is not a folder"
    )
    assert _refused(["dev", "--home", str(home)], capsys) == (
        f"perfgov: home {home} is not a folder"
    )


def test_settings_resolve_follows_links_and_validates_what_it_resolves(tmp_path: Path) -> None:
    real_home = tmp_path / "real-home"
    real_home.mkdir()
    (tmp_path / "home-link").symlink_to(real_home)
    settings = Settings.resolve(SAMPLE_LANDING, tmp_path / "home-link")
    assert settings.home == real_home  # outputs go where the link points, checked there
    with pytest.raises(SettingsError, match="is not a folder"):
        Settings.resolve(SAMPLE_LANDING / "crm" / PERIOD / "User.csv", real_home)


# ------------------------------------------------------------------ the landing zone


def _landing_with(tmp_path: Path, relative: str) -> Path:
    landing = tmp_path / "landing"
    (landing / relative).parent.mkdir(parents=True)
    return landing


def test_a_source_file_linking_out_of_the_landing_is_refused(tmp_path: Path) -> None:
    source = SOURCES_BY_NAME["crm__user"]
    relative = source.relative_path(PERIOD)
    landing = _landing_with(tmp_path, relative)
    outside = tmp_path / "outside" / "User.csv"
    outside.parent.mkdir()
    outside.write_bytes((SAMPLE_LANDING / relative).read_bytes())
    (landing / relative).symlink_to(outside)
    with pytest.raises(SourceFileError) as refused:
        read_source_file(source, landing, PERIOD)
    assert str(refused.value) == f"{relative}: is a link that leads out of the landing folder"


def test_a_link_that_stays_inside_the_landing_is_read(tmp_path: Path) -> None:
    # E.g. a drop that re-delivers last month's file as a link: it is still a delivered file.
    source = SOURCES_BY_NAME["crm__user"]
    relative = source.relative_path(PERIOD)
    landing = _landing_with(tmp_path, relative)
    kept = landing / "archive" / "User.csv"
    kept.parent.mkdir()
    kept.write_bytes((SAMPLE_LANDING / relative).read_bytes())
    (landing / relative).symlink_to(Path("../../archive/User.csv"))
    typed, summary = read_source_file(source, landing, PERIOD)
    assert summary.rows_loaded == typed.rows.num_rows > 0


# ------------------------------------------------------------------------- secrets

# An assignment of a literal to something named like a secret: `password = "..."`,
# an upper-case name and a colon, a JSON key. Reading one from the environment is not a
# literal.
_SECRET_ASSIGNMENT = re.compile(
    r"""(?ix)
    \b[\w-]*?(password|passwd|pwd|passphrase|secret[_-]?key|client[_-]?secret|api[_-]?key
      |access[_-]?key|private[_-]?key|token|credentials?)["']?   # the name ends with it
    \s*[:=]\s*
    (?!\s*(os\.environ|os\.getenv|env_var\(|\{\{|\$\{?|none\b|null\b|""|''|\n))
    ["']?[^\s"',)]{4,}
    """
)


def test_no_file_of_the_repository_assigns_a_secret() -> None:
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    found = []
    for name in filter(None, files):
        path = PROJECT_ROOT / name
        if name.startswith("dagster_project/sample/landing/") or not path.is_file():
            continue  # the sample's exports: generated data, checked byte for byte elsewhere
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for match in _SECRET_ASSIGNMENT.finditer(text):
            found.append(f"{name}: {match.group(0).strip()[:60]}")
    assert found == [], "secrets come from the environment (README, 'Secrets'): " + str(found)


# The examples are spelled with "pass" + "word" so that this file does not hold the very
# assignments the scan looks for.
_PW = "pass" + "word"


@pytest.mark.parametrize(
    ("text", "is_secret"),
    [
        (f'{_PW} = "hunter22"', True),
        (f"DB_{_PW.upper()}: s3cr3t-value", True),
        ('"api_' + 'key": "abcd1234"', True),
        (f'{_PW} = os.environ["PERFGOV_WAREHOUSE_PASSWORD"]', False),
        (f"{_PW}: \"{{{{ env_var('PERFGOV_WAREHOUSE_PASSWORD') }}}}\"", False),
        ("token = None", False),
        ('SECRET_EMAIL = "zz.secret@example.com"', False),  # a test's fake personal value
    ],
)
def test_the_secret_scan_tells_a_literal_from_the_environment(text: str, is_secret: bool) -> None:
    assert bool(_SECRET_ASSIGNMENT.search(text)) is is_secret


# ----------------------------------------------------------- what the closes wrote (slow)


def _personal_values(warehouse: Path) -> dict[str, set[str]]:
    """Names, e-mails and target pay of the sample's workers and users, as the HRIS and the
    CRM sent them (the close's own warehouse, read-only)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        workers = conn.execute(
            'SELECT DISTINCT "Legal_Name", "Work_Email", "Annual_Target_Variable" '
            "FROM raw.hris__worker"
        ).fetchall()
        users = conn.execute(
            'SELECT DISTINCT "Email", "Username", "FirstName" || \' \' || "LastName" '
            "FROM raw.crm__user"
        ).fetchall()
    values: dict[str, set[str]] = {"names": set(), "emails": set(), "target_pay": set()}
    for name, email, pay in workers:
        values["names"].add(name)
        values["emails"].add(email)
        if pay is not None:
            values["target_pay"].add(format(pay, "f"))
    for email, username, full_name in users:
        values["emails"] |= {email, username}
        values["names"].add(full_name)
    return {k: {v.strip() for v in vs if v and len(v.strip()) >= 5} for k, vs in values.items()}


def _leaks(text: str, values: dict[str, set[str]]) -> list[str]:
    found = [v for v in values["names"] | values["emails"] if v in text]
    for pay in values["target_pay"]:  # 31500.00, also written 31500 or 31 500
        whole = pay.split(".")[0]
        pattern = rf"(?<![\d.,]){re.escape(whole)}(\.00)?(?![\d])|{whole[:-3]} {whole[-3:]}\b"
        if len(whole) >= 5 and re.search(pattern, text):
            found.append(f"target pay {pay}")
    return found


@pytest.mark.slow
def test_logs_and_validation_evidence_hold_no_personal_data(closed_history) -> None:
    home = closed_history.settings.home
    values = _personal_values(closed_history.settings.warehouse)
    assert len(values["names"]) > 50 and len(values["target_pay"]) > 10  # the check can fail
    written = sorted((home / "logs").glob("close-*.log")) + sorted((home / "audit").rglob("*.json"))
    assert {p.name for p in written} >= {f"close-{p}.log" for p in HISTORY}
    assert len([p for p in written if p.suffix == ".json"]) >= 13 * len(HISTORY)
    # A run record (audit/<P>/runs/) lists unmatched deals with their amounts: a round deal
    # amount can equal someone's annual target (17500.00), so there only names and e-mails
    # are looked for; per-worker pay figures are looked for in tests/test_quality_gates.py.
    people_only = {**values, "target_pay": set()}
    leaks = {
        str(p.relative_to(home)): found
        for p in written
        if (
            found := _leaks(
                p.read_text(encoding="utf-8", errors="replace"),
                people_only if p.parent.name == "runs" else values,
            )
        )
    }
    assert leaks == {}


@pytest.mark.slow
def test_a_rep_statement_holds_that_rep_data_only(closed_history) -> None:
    settings = closed_history.settings
    statements = sorted((settings.home / "statements" / PERIOD).glob("*.html"))
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        people = conn.execute(
            'SELECT "Employee_ID", "Legal_Name", "Work_Email" FROM raw.hris__worker '
            "WHERE _period = ?",
            [PERIOD],
        ).fetchall()
        paid = {
            row[0]
            for row in conn.execute(
                "SELECT employee_id FROM certified.incentive_payouts WHERE period = ?", [PERIOD]
            ).fetchall()
        }
    assert {p.stem for p in statements} == paid and len(paid) > 20
    for statement in statements:
        html = statement.read_text(encoding="utf-8")
        own = statement.stem
        assert f"Employee {own}" in html
        others = [
            value
            for employee_id, name, email in people
            if employee_id != own
            for value in (employee_id, name, email)
            if value and re.search(rf"(?<![\w.@]){re.escape(value)}(?![\w@])", html)
        ]
        assert others == [], f"{statement.name} shows another worker: {others[:3]}"
