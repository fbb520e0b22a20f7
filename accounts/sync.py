"""Import organizations, plans and memberships from the product's account system (CSV or JSON).

One row per membership (or per organization, with no email). Columns / keys:

    organization_id   the account's id in the product (required; the match key)
    organization_name required when the organization is new
    plan              free | trial | pro | business | enterprise (required when new)
    is_government     true/false (optional)
    members_see_each_others_tickets   true/false (optional)
    email             the member's sign-in email (optional: none means an organization-only row)
    role              owner | admin | licensed | unlicensed | editor | viewer (required with email)
    first_name, last_name   optional

Running the same file twice changes nothing the second time. A bad row is reported with its
line number and skipped; every other row is imported (each row in its own savepoint). A plan
change is recorded as a ``PlanChange``; tickets keep their history since they point at the
organization, not at the plan. Members missing from the file are left alone (the sync adds and
updates; removing people is a decision for an administrator).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import Membership, Organization, Plan, Role, User
from accounts.services import organization_set_plan

COLUMNS = (
    "organization_id",
    "organization_name",
    "plan",
    "is_government",
    "members_see_each_others_tickets",
    "email",
    "role",
    "first_name",
    "last_name",
)
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off", ""}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, missing columns)."""


class RowError(Exception):
    pass


@dataclass
class ImportReport:
    rows: int = 0
    organizations_created: int = 0
    organizations_updated: int = 0
    users_created: int = 0
    memberships_created: int = 0
    memberships_updated: int = 0
    plan_changes: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.rows - len(self.errors)

    def lines(self) -> list[str]:
        summary = (
            f"{self.rows} rows: {self.imported} imported, {len(self.errors)} with errors; "
            f"organizations {self.organizations_created} created, {self.organizations_updated} updated; "
            f"users {self.users_created} created; memberships {self.memberships_created} created, "
            f"{self.memberships_updated} updated; plan changes {self.plan_changes}; unchanged rows {self.unchanged}"
        )
        return [summary, *(f"line {line}: {message}" for line, message in self.errors)]


def read_rows(name: str, content: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs from a .csv or .json file's bytes."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"the file is not UTF-8 text ({error.reason} at byte {error.start})") from None
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(text)
    if suffix == ".json":
        return _json_rows(text)
    raise ImportFileError(f"unsupported file type {suffix or '(none)'!r}: use .csv or .json")


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = {"organization_id"} - set(header)
    if missing:
        raise ImportFileError(f"missing column(s): {', '.join(sorted(missing))}")
    unknown = set(header) - set(COLUMNS)
    if unknown:
        raise ImportFileError(f"unknown column(s): {', '.join(sorted(unknown))}")
    reader.fieldnames = header
    rows = []
    for row in reader:
        # line_num is the last physical line read: the row's line (or its last, for quoted newlines).
        rows.append((reader.line_num, {"__error__": "more values than columns"} if None in row else row))
    return iter(rows)


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each element of a top-level array (or of ``{"rows": [...]}``), with the line it starts on."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    if isinstance(document, dict) and isinstance(document.get("rows"), list):
        items = document["rows"]
        array_start = text.index("[", text.index('"rows"'))
    elif isinstance(document, list):
        items = document
        array_start = text.index("[")
    else:
        raise ImportFileError('expected a JSON array of rows, or an object with a "rows" array')
    decoder = json.JSONDecoder()
    position = array_start + 1
    rows = []
    for item in items:
        while text[position] in " \t\r\n,":
            position += 1
        line = text.count("\n", 0, position) + 1
        _value, position = decoder.raw_decode(text, position)
        rows.append((line, item if isinstance(item, dict) else {"__error__": "a row must be a JSON object"}))
    return iter(rows)


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float | bool):
        raise RowError(f"{key} must be a text value")
    return str(value).strip()


def _bool(row: dict[str, Any], key: str) -> bool | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RowError(f"{key} must be true or false, got {value!r}")


def import_rows(rows: Iterator[tuple[int, dict[str, Any]]], *, source: str = "sync") -> ImportReport:
    """Apply rows one by one, each atomically; errors are collected, never raised."""
    report = ImportReport()
    plans = {plan.code: plan for plan in Plan.objects.all()}
    for line, row in rows:
        report.rows += 1
        try:
            with transaction.atomic():
                changed = _import_row(row, plans, report, source)
        except RowError as error:
            report.errors.append((line, str(error)))
            continue
        if not changed:
            report.unchanged += 1
    return report


def import_file(name: str, content: bytes, *, source: str = "sync") -> ImportReport:
    return import_rows(read_rows(name, content), source=source)


def _import_row(row: dict[str, Any], plans: dict[str, Plan], report: ImportReport, source: str) -> bool:
    if "__error__" in row:
        raise RowError(row["__error__"])
    unknown = set(row) - set(COLUMNS)
    if unknown:
        raise RowError(f"unknown field(s): {', '.join(sorted(unknown))}")
    external_id = _text(row, "organization_id")
    if not external_id:
        raise RowError("organization_id is required")
    if len(external_id) > 100:
        raise RowError("organization_id is longer than 100 characters")
    name = _text(row, "organization_name")
    if len(name) > 200:
        raise RowError("organization_name is longer than 200 characters")
    plan_code = _text(row, "plan").lower()
    if plan_code and plan_code not in plans:
        raise RowError(f"unknown plan {plan_code!r} (expected one of {', '.join(plans)})")
    is_government = _bool(row, "is_government")
    see_each_other = _bool(row, "members_see_each_others_tickets")
    email = _text(row, "email").lower()
    role = _text(row, "role").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RowError(f"invalid email address {email!r}") from None
        if role not in Role.values:
            raise RowError(f"unknown role {role!r} (expected one of {', '.join(Role.values)})")
    elif role:
        raise RowError("a role needs an email")
    first_name, last_name = _text(row, "first_name")[:150], _text(row, "last_name")[:150]

    changed = False
    organization = Organization.objects.select_for_update().filter(external_id=external_id).first()
    if organization is None:
        if not name or not plan_code:
            raise RowError("a new organization needs organization_name and plan")
        organization = Organization.objects.create(
            external_id=external_id,
            name=name,
            plan=plans[plan_code],
            is_government=bool(is_government),
            members_see_each_others_tickets=bool(see_each_other),
        )
        report.organizations_created += 1
        changed = True
    else:
        updates = {}
        if name and organization.name != name:
            updates["name"] = name
        if is_government is not None and organization.is_government != is_government:
            updates["is_government"] = is_government
        if see_each_other is not None and organization.members_see_each_others_tickets != see_each_other:
            updates["members_see_each_others_tickets"] = see_each_other
        if updates:
            for key, value in updates.items():
                setattr(organization, key, value)
            organization.save(update_fields=[*updates, "updated_at"])
        plan_changed = bool(plan_code) and organization_set_plan(
            organization=organization, plan=plans[plan_code], source=source
        )
        report.plan_changes += int(plan_changed)
        if updates or plan_changed:
            report.organizations_updated += 1
            changed = True

    if email:
        user = User.objects.filter(email=email).first()
        if user is None:
            # No password: the person signs in after choosing one through "Forgot your password?".
            user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
            report.users_created += 1
            changed = True
        membership = Membership.objects.filter(user=user, organization=organization).first()
        if membership is None:
            Membership.objects.create(user=user, organization=organization, role=role)
            report.memberships_created += 1
            changed = True
        elif membership.role != role:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
            report.memberships_updated += 1
            changed = True
    return changed
