"""The account sync: CSV and JSON, idempotent, bad rows reported by line with the rest imported."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accounts.models import AccountImport, Membership, Organization, PlanChange, User
from accounts.sync import ImportFileError, import_file

pytestmark = pytest.mark.django_db

GOOD_CSV = """organization_id,organization_name,plan,is_government,members_see_each_others_tickets,email,role
acme,Acme Inc,pro,false,true,Owner@Acme.test,owner
acme,,,,,dev@acme.test,licensed
city,City Hall,enterprise,yes,,clerk@city.test,unlicensed
"""

BAD_CSV = """organization_id,organization_name,plan,email,role
acme,Acme Inc,pro,owner@acme.test,owner
acme,,,not-an-email,licensed
,Nameless,pro,x@acme.test,viewer
acme,,,ok@acme.test,superhero
newco,New Co,platinum,boss@newco.test,owner
"quoted,org",Quoted Org,free,"q@quoted.test",viewer
acme,,,late@acme.test,viewer,extra
ghost,,,g@ghost.test,viewer
"""


def counts() -> tuple[int, int, int]:
    return Organization.objects.count(), User.objects.count(), Membership.objects.count()


def test_csv_import_is_idempotent() -> None:
    report = import_file("accounts.csv", GOOD_CSV.encode())
    assert report.errors == []
    assert (report.organizations_created, report.users_created, report.memberships_created) == (2, 3, 3)
    acme = Organization.objects.get(external_id="acme")
    assert (acme.name, acme.plan.code, acme.is_government, acme.members_see_each_others_tickets) == (
        "Acme Inc",
        "pro",
        False,
        True,
    )
    assert Organization.objects.get(external_id="city").is_government
    assert Membership.objects.get(user__email="owner@acme.test").role == "owner"
    assert not User.objects.get(email="dev@acme.test").has_usable_password()

    before = counts()
    again = import_file("accounts.csv", GOOD_CSV.encode())
    assert counts() == before
    assert (again.unchanged, again.organizations_updated, again.memberships_updated, again.plan_changes) == (3, 0, 0, 0)


def test_bad_rows_are_reported_by_line_and_the_rest_imported() -> None:
    report = import_file("accounts.csv", BAD_CSV.encode())
    errors = dict(report.errors)
    assert sorted(errors) == [3, 4, 5, 6, 8, 9]
    assert "invalid email" in errors[3]
    assert "organization_id is required" in errors[4]
    assert "unknown role 'superhero'" in errors[5]
    assert "unknown plan 'platinum'" in errors[6]
    assert "more values than columns" in errors[8]
    assert "needs organization_name and plan" in errors[9]
    assert report.imported == 2
    assert Membership.objects.filter(user__email="owner@acme.test").exists()
    assert Organization.objects.filter(external_id="quoted,org").exists()
    assert not User.objects.filter(email__in=["x@acme.test", "ok@acme.test", "boss@newco.test"]).exists()
    assert not Organization.objects.filter(external_id__in=["newco", "ghost"]).exists()


def test_failed_row_leaves_nothing_behind() -> None:
    # The organization would be created before the role check fails: the row's savepoint undoes it.
    report = import_file("a.csv", b"organization_id,organization_name,plan,email,role\nfresh,Fresh,pro,a@b.test,\n")
    assert report.errors == [
        (2, "unknown role '' (expected one of owner, admin, licensed, unlicensed, editor, viewer)")
    ]
    assert not Organization.objects.filter(external_id="fresh").exists()


def test_plan_change_is_recorded_and_role_updated() -> None:
    import_file("accounts.csv", GOOD_CSV.encode())
    acme = Organization.objects.get(external_id="acme")
    changed = GOOD_CSV.replace("acme,Acme Inc,pro", "acme,Acme Inc,business").replace("licensed", "admin")
    report = import_file("accounts.csv", changed.encode())
    assert report.plan_changes == 1
    assert report.memberships_updated == 1
    acme.refresh_from_db()
    assert acme.plan.code == "business"
    change = PlanChange.objects.get(organization=acme)
    assert (change.old_plan.code, change.new_plan.code) == ("pro", "business")
    assert Membership.objects.get(user__email="dev@acme.test").role == "admin"


def test_json_rows_with_line_numbers() -> None:
    document = """{
  "rows": [
    {"organization_id": "j1", "organization_name": "Json One", "plan": "trial",
     "email": "a@json.test", "role": "viewer"},
    {"organization_id": "j1", "email": "b@json.test", "role": "boss"},
    "not an object",
    {"organization_id": "j1", "email": "c@json.test", "role": "editor", "is_government": "maybe"},
    {"organization_id": "j1", "email": "d@json.test", "role": "editor", "colour": "blue"},
    {"organization_id": "j2", "organization_name": "Json Two", "plan": "free", "is_government": true}
  ]
}"""
    report = import_file("sync.json", document.encode())
    assert dict(report.errors).keys() == {5, 6, 7, 8}
    assert "unknown role 'boss'" in dict(report.errors)[5]
    assert "must be a JSON object" in dict(report.errors)[6]
    assert "is_government must be true or false" in dict(report.errors)[7]
    assert "unknown field(s): colour" in dict(report.errors)[8]
    assert Membership.objects.get(user__email="a@json.test").organization.plan.code == "trial"
    assert Organization.objects.get(external_id="j2").is_government
    flat = json.dumps([{"organization_id": "j3", "organization_name": "Three", "plan": "pro"}])
    assert import_file("flat.json", flat.encode()).errors == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xml", b"<x/>", "unsupported file type"),
        ("a.json", b"{not json", "invalid JSON at line 1"),
        ("a.json", b'{"rows": 3}', "expected a JSON array"),
        ("a.csv", b"name,email\nx,y\n", "missing column(s): organization_id"),
        ("a.csv", b"organization_id,shoe_size\n1,2\n", "unknown column(s): shoe_size"),
        ("a.csv", b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_whole(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_file(name, content)
    assert Organization.objects.count() == 0


def test_command_reports_errors_and_imports_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(BAD_CSV)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="6 row"):
        call_command("import_accounts", str(path), stdout=out, stderr=err)
    assert "8 rows: 2 imported, 6 with errors" in out.getvalue()
    assert f"{path}: line 3: invalid email" in err.getvalue()
    assert Organization.objects.filter(external_id="acme").exists()


def test_command_success_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(GOOD_CSV)
    out = StringIO()
    call_command("import_accounts", str(path), stdout=out)
    assert "3 rows: 3 imported, 0 with errors" in out.getvalue()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_accounts", str(tmp_path / "missing.csv"))


def test_admin_action_runs_the_import(admin_client, settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = AccountImport.objects.create(file=SimpleUploadedFile("sync.csv", BAD_CSV.encode()))
    response = admin_client.post(
        "/django-admin/accounts/accountimport/",
        {"action": "run_import", "_selected_action": [upload.pk]},
        follow=True,
    )
    assert response.status_code == 200
    upload.refresh_from_db()
    assert upload.error_count == 6
    assert "line 3: invalid email" in upload.report
    assert upload.ran_at is not None
    assert Organization.objects.filter(external_id="acme").exists()
    before = counts()
    admin_client.post(
        "/django-admin/accounts/accountimport/", {"action": "run_import", "_selected_action": [upload.pk]}
    )
    assert counts() == before


def test_admin_refuses_other_file_types(admin_client, settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    response = admin_client.post(
        "/django-admin/accounts/accountimport/add/", {"file": SimpleUploadedFile("accounts.xlsx", b"PK\x03\x04")}
    )
    assert response.status_code == 200
    assert "File extension" in response.content.decode()
    assert AccountImport.objects.count() == 0
