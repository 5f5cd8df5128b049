"""CRM users: one per worker, typed by hand, and the integration users that own records too.

Users and workers are matched by EmployeeNumber when it is filled in, else by e-mail; the
sample makes the number often blank and the e-mail sometimes differ in case and spaces, so
that the matching rule is exercised. Integration users match no worker at all.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from .world import HISTORY_YEARS, HUNTER, User, Worker

if TYPE_CHECKING:
    from .world import SampleWorld

BLANK_EMPLOYEE_NUMBER_SHARE = 0.55
EMAIL_CASE_QUIRK_SHARE = 0.25
EMAIL_SPACE_QUIRK_SHARE = 0.15

INTEGRATION_USERS = (  # username, e-mail, first name, last name
    (
        "integration@example.com.perfgov",
        "integration.user@crm-platform.example.net",
        "Integration",
        "User",
    ),
    ("marketo.sync@example.com.perfgov", "marketo-sync@example.org", "Marketo", "Sync"),
)


def build_users(world: SampleWorld) -> None:
    """One CRM user per worker, plus the integration users that own records too."""
    rng = world.rng("users")
    quirky = world.team_member(7, HUNTER, 0)  # forced: matched by e-mail with case and spaces
    for worker in world.workers_by_id:
        worker.user = _worker_user(world, rng, worker, forced_quirk=worker is quirky)
        world.users.append(worker.user)
    assert quirky.user
    world.record_scenario(
        "CRM user without EmployeeNumber, e-mail differs in case and spaces",
        f"{quirky.user.id} / {quirky.employee_id}",
        world.last,
        "user-worker matching by trimmed, case-insensitive e-mail",
    )
    _integration_users(world)


def _worker_user(
    world: SampleWorld, rng: random.Random, worker: Worker, *, forced_quirk: bool
) -> User:
    """EmployeeNumber often blank; the e-mail sometimes typed in another case, with spaces."""
    local, domain = worker.email.split("@")
    blank_number = rng.random() < BLANK_EMPLOYEE_NUMBER_SHARE or forced_quirk
    style = rng.random()
    email = worker.email
    if forced_quirk or style < EMAIL_SPACE_QUIRK_SHARE:
        email = f" {_title_email(local)}@{domain.capitalize()} "
    elif style < EMAIL_SPACE_QUIRK_SHARE + EMAIL_CASE_QUIRK_SHARE:
        email = f"{_title_email(local)}@{domain}"
    return User(
        id=world.ids.new("005"),
        username=f"{local}@example.com.perfgov",
        email=email,
        first_name=worker.first_name,
        last_name=worker.last_name,
        employee_number="" if blank_number else worker.employee_id,
        active_from=worker.hire_date,
        inactive_from=worker.termination_date,
    )


def _title_email(local: str) -> str:
    """``anne.martin`` typed as ``Anne.Martin``."""
    return ".".join(part.capitalize() for part in local.split("."))


def _integration_users(world: SampleWorld) -> None:
    start = world.history_start - timedelta(days=365 * HISTORY_YEARS)
    world.integration_user, world.marketing_user = (
        User(world.ids.new("005"), username, email, first, last, "", start)
        for username, email, first, last in INTEGRATION_USERS
    )
    world.users += [world.integration_user, world.marketing_user]
    world.record_scenario(
        "Integration users (no EmployeeNumber, e-mail of no worker)",
        f"{world.integration_user.id}, {world.marketing_user.id}",
        "all",
        "credit to a user who is no worker is unattributed",
    )
