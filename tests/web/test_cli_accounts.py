"""The `hepbuilder` commands for clinics, users, tokens, seeding and library files."""

import shutil

import yaml
from sqlalchemy import func, select

from hepbuilder import paths
from hepbuilder.db.models import ApiToken, AuditEvent, Clinic, Exercise, User
from hepbuilder.library import load_library
from hepbuilder.services.api_tokens import find_api_token
from tests.builders import see_committed, signs_in


def count(session, model) -> int:
    see_committed(session)
    return session.scalar(select(func.count()).select_from(model))


def one_sentence_error(result) -> str:
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_clinic_create_prints_the_slug_and_seeds_the_library(cli, session):
    result = cli("clinic", "create", "--name", "Riverside Physio & Co")
    assert result.exit_code == 0
    assert result.stdout == "riverside-physio-co\n"
    assert (
        cli("clinic", "create", "--name", "Riverside Physio & Co").stdout
        == "riverside-physio-co-2\n"
    )
    assert count(session, Clinic) == 2
    assert count(session, Exercise) == 2 * len(load_library().exercises)


def test_user_create_reads_the_password_from_stdin(cli, session):
    cli("clinic", "create", "--name", "Riverside")
    result = cli(
        "user",
        "create",
        "--email",
        "Sam@Example.net",
        "--name",
        "Sam",
        "--role",
        "admin",
        "--password-stdin",
        input="a long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "sam@example.net" in result.stdout
    assert "a long password" not in result.output
    user = session.scalar(select(User))
    assert user.role == "admin"
    assert "a long password" not in user.password_hash
    assert signs_in(session, "sam@example.net", "a long password")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.user_id is None and event.detail["email"] == "sam@example.net"


def test_user_create_refuses_what_is_no_address_in_one_sentence(cli, session):
    cli("clinic", "create", "--name", "Riverside")
    args = ("user", "create", "--name", "Sam", "--role", "admin", "--password-stdin")
    result = cli(*args, "--email", "sam..k@riverside.example", input="a long password\n")
    assert one_sentence_error(result).startswith("Error: email: That is not an email address: ")
    assert count(session, User) == 0
    internal = cli(*args, "--email", "sam@riverside.local", input="a long password\n")
    assert internal.exit_code == 0, internal.output  # a sign-in name: never mailed
    assert count(session, User) == 1


def test_user_create_with_a_taken_email_fails_in_one_sentence(cli, session):
    cli("clinic", "create", "--name", "Riverside")
    args = (
        "user",
        "create",
        "--email",
        "sam@example.net",
        "--name",
        "Sam",
        "--role",
        "therapist",
        "--password-stdin",
    )
    assert cli(*args, input="a long password\n").exit_code == 0
    result = cli(*args[:2], "--email", "SAM@example.net", *args[4:], input="another password\n")
    assert (
        one_sentence_error(result)
        == "Error: A user of this clinic already has the email sam@example.net."
    )
    assert count(session, User) == 1


def test_user_create_checks_the_password_and_the_clinic(cli, session):
    base = (
        "user",
        "create",
        "--email",
        "a@example.net",
        "--name",
        "A",
        "--role",
        "therapist",
        "--password-stdin",
    )
    assert "no clinic yet" in one_sentence_error(cli(*base, input="a long password\n"))
    cli("clinic", "create", "--name", "One")
    assert "at least 12 characters" in one_sentence_error(cli(*base, input="short\n"))
    cli("clinic", "create", "--name", "Two")
    assert "--clinic" in one_sentence_error(cli(*base, input="a long password\n"))
    assert (
        "no clinic"
        in one_sentence_error(cli(*base, "--clinic", "three", input="a long password\n")).lower()
    )
    assert cli(*base, "--clinic", "two", input="a long password\n").exit_code == 0
    assert session.scalar(select(User)).clinic.slug == "two"


def test_token_create_prints_the_secret_once_and_keeps_only_its_hash(cli, session):
    cli("clinic", "create", "--name", "Riverside")
    result = cli("token", "create", "--name", "Our PMS")
    assert result.exit_code == 0
    secret = result.stdout.strip()
    assert len(secret) > 30
    row = session.scalar(select(ApiToken))
    assert secret not in (row.token_hash, row.prefix)
    assert secret.startswith(row.prefix)
    assert find_api_token(session, secret).id == row.id
    assert find_api_token(session, secret + "x") is None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "token.create"))
    assert event.detail["prefix"] == row.prefix and secret not in str(event.detail)


def test_token_create_with_therapist_names_the_default_therapist(cli, session):
    cli("clinic", "create", "--name", "Riverside")
    cli(
        "user",
        "create",
        "--email",
        "Sam@Riverside.example",
        "--name",
        "Sam Rivera",
        "--role",
        "therapist",
        "--password-stdin",
        input="a long password\n",
    )
    result = cli("token", "create", "--name", "PMS", "--therapist", "sam@riverside.example")
    assert result.exit_code == 0, result.output
    see_committed(session)
    assert session.scalar(select(ApiToken)).default_therapist_id == session.scalar(select(User)).id
    refused = cli("token", "create", "--name", "PMS 2", "--therapist", "nobody@example.net")
    assert one_sentence_error(refused) == "Error: therapist: is not an active user of this clinic"
    assert count(session, ApiToken) == 1


def test_seed_without_a_clinic_says_so(cli, session):
    result = cli("seed")
    assert result.exit_code == 0
    assert "No clinic yet" in result.stdout
    assert count(session, Exercise) == 0


def test_seed_twice_changes_nothing(cli, session):
    cli("clinic", "create", "--name", "Riverside")
    result = cli("seed")
    assert result.exit_code == 0
    assert "0 added, 0 updated" in result.stdout


def test_seed_with_a_malformed_library_names_the_file_and_field_and_loads_nothing(
    cli, session, tmp_path
):
    cli("clinic", "create", "--name", "Riverside")
    broken = tmp_path / "library"
    shutil.copytree(paths.LIBRARY_DIR, broken)
    path = broken / "exercises" / "aaa-new.yaml"
    data = yaml.safe_load((broken / "exercises" / "step-up.yaml").read_text())
    data.update(slug="aaa-new", defaults={"sets": 99})
    path.write_text(yaml.safe_dump(data))
    before = count(session, Exercise)

    message = one_sentence_error(cli("seed", "--library", str(broken)))
    assert "exercises/aaa-new.yaml" in message
    assert "defaults.sets" in message
    assert count(session, Exercise) == before


def test_library_export_and_import_round_trip(cli, session, tmp_path):
    cli("clinic", "create", "--name", "Riverside")
    out = tmp_path / "export"
    result = cli("library", "export", str(out))
    assert result.exit_code == 0, result.output
    bundled = load_library()
    exported = load_library(out)
    assert dict(exported.exercises) == dict(bundled.exercises)
    assert dict(exported.muscles) == dict(bundled.muscles)
    assert dict(exported.protocols) == dict(bundled.protocols)
    assert {p.name for p in (out / "exercises").glob("*.yaml")} == {
        p.name for p in (paths.LIBRARY_DIR / "exercises").glob("*.yaml")
    }

    edited = out / "exercises" / "step-up.yaml"
    edited.write_text(edited.read_text().replace("name: Step-up", "name: Step-up, our way", 1))
    result = cli("library", "import", str(out))
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.stdout
    again = tmp_path / "again"
    cli("library", "export", str(again))
    assert load_library(again) == load_library(out)


def test_user_set_password_lets_a_locked_out_admin_back_in_and_ends_their_sessions(cli, session):
    import datetime as dt

    from hepbuilder.services import user_sessions

    cli("clinic", "create", "--name", "Riverside")
    create = ("user", "create", "--name", "Ada", "--role", "admin", "--password-stdin")
    cli(*create, "--email", "ada@example.net", input="the first long password\n")
    see_committed(session)
    secret = user_sessions.start_session(session, session.scalar(select(User)))
    session.commit()
    reset = ("user", "set-password", "--email", "ADA@example.net", "--password-stdin")
    result = cli(*reset, input="a brand new long password\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "New password set for ada@example.net in riverside; their sessions ended.\n"
    )
    assert "brand new" not in result.output
    see_committed(session)
    assert signs_in(session, "ada@example.net", "a brand new long password")
    assert not signs_in(session, "ada@example.net", "the first long password")
    ended = user_sessions.check_session(
        session, secret, idle=dt.timedelta(hours=1), lifetime=dt.timedelta(hours=8)
    )
    assert ended.user is None  # the browser signed in before is signed out
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
    assert event.user_id is None and event.detail["email"] == "ada@example.net"
    see_committed(session)  # the sign-in checks above wrote (a failure counted): not kept
    assert "at least 12 characters" in one_sentence_error(cli(*reset, input="short\n"))
    missing = cli("user", "set-password", "--email", "zoe@example.net", "--password-stdin",
                  input="a brand new long password\n")  # fmt: skip
    assert one_sentence_error(missing) == "Error: No user of this clinic signs in with that email."
