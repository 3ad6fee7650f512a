"""Import and export of the library as a zip from the admin pages, and the zip's safety checks."""

import io
import re
import stat
import zipfile

import pytest
from sqlalchemy import select

from hepbuilder.db.models import Exercise, ExerciseVersion
from hepbuilder.library.archive import MAX_MEMBER_BYTES
from hepbuilder.services import exercises
from tests.builders import make_clinic, make_user, see_committed, sign_in


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(files: dict[str, bytes], **attrs) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = attrs.get(name, (stat.S_IFREG | 0o644) << 16)
            archive.writestr(info, data)
    return out.getvalue()


def import_zip(client, data: bytes):
    return client.post(
        "/admin/library/import",
        data={"library": (io.BytesIO(data), "library.zip")},
        content_type="multipart/form-data",
    )


def exported(client, **args) -> dict[str, bytes]:
    response = client.get("/admin/library/export.zip", query_string=args)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    return members(response.data)


def test_export_then_import_into_an_empty_clinic_round_trips_exactly(
    client, session, signed_in, clinic
):
    files = exported(signed_in)
    assert "muscles.yaml" in files and "exercises/figure-4-stretch.yaml" in files
    other = make_clinic(session)  # no library at all
    admin = make_user(session, other, role="admin")
    session.commit()
    other_client = client.application.test_client()
    sign_in(other_client, admin)
    page = import_zip(other_client, zip_of(files))
    assert page.status_code == 200
    assert f"{len([n for n in files if n.startswith('exercises/')])} added" in page.get_data(
        as_text=True
    )
    assert exported(other_client) == files


def test_export_of_changes_holds_only_what_the_clinic_changed(signed_in, session, clinic):
    row = exercises.get_exercise(session, clinic.id, "step-up")
    row.is_customized = True
    session.commit()
    files = exported(signed_in, changed=1)
    assert sorted(n for n in files if n.startswith("exercises/")) == ["exercises/step-up.yaml"]
    assert "muscles.yaml" in files


def test_import_adds_new_updates_changed_touches_nothing_else_and_reports(
    signed_in, session, clinic
):
    files = exported(signed_in)
    step_up = files["exercises/step-up.yaml"].decode()
    files["exercises/step-up.yaml"] = step_up.replace(
        "name: Step-up", "name: Step-up onto a low step"
    ).encode()
    files["exercises/clam-shell.yaml"] = (
        step_up.replace("slug: step-up", "slug: clam-shell")
        .replace("name: Step-up", "name: Clam shell")
        .encode()
    )
    del files["exercises/foam-roller-quads.yaml"]
    session.execute(
        Exercise.__table__.update()
        .where(Exercise.clinic_id == clinic.id, Exercise.slug == "foam-roller-quads")
        .values(summary="The clinic's own summary.")
    )
    session.commit()
    page = import_zip(signed_in, zip_of(files))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 added" in html and "1 updated" in html
    assert 'href="/admin/library/clam-shell/edit"' in html
    see_committed(session)
    assert exercises.get_exercise(session, clinic.id, "step-up").name == "Step-up onto a low step"
    assert exercises.get_exercise(session, clinic.id, "clam-shell").is_customized
    assert (
        exercises.get_exercise(session, clinic.id, "foam-roller-quads").summary
        == "The clinic's own summary."
    )
    notes = session.scalars(select(ExerciseVersion.note).order_by(ExerciseVersion.id)).all()
    assert notes == ["From the bundled library", "Imported"]


def test_import_of_an_invalid_file_rejects_everything_naming_file_and_field(
    signed_in, session, clinic
):
    files = exported(signed_in)
    files["exercises/step-up.yaml"] = files["exercises/step-up.yaml"].replace(
        b"name: Step-up", b"name: Step-up changed"
    )
    files["exercises/pigeon-stretch.yaml"] = files["exercises/pigeon-stretch.yaml"].replace(
        b"  sets: 1\n", b"  sets: 40\n"
    )
    page = import_zip(signed_in, zip_of(files))
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Nothing was imported" in html
    assert "<code>exercises/pigeon-stretch.yaml</code>, <code>defaults.sets</code>" in html
    see_committed(session)
    assert exercises.get_exercise(session, clinic.id, "step-up").name == "Step-up"


@pytest.mark.parametrize(
    ("files", "attrs", "says"),
    [
        ({"../../x": b"boo"}, {}, "leaves the library folder"),
        ({"exercises/../../../etc/passwd": b"boo"}, {}, "leaves the library folder"),
        ({"/etc/cron.d/x": b"boo"}, {}, "leaves the library folder"),
        ({"exercises\\..\\x.yaml": b"boo"}, {}, "leaves the library folder"),
        (
            {"exercises/link.yaml": b"/etc/passwd"},
            {"exercises/link.yaml": (stat.S_IFLNK | 0o777) << 16},
            "is a link",
        ),
        ({"run.sh": b"#!/bin/sh"}, {}, "is not part of a library"),
    ],
)
def test_import_refuses_paths_outside_links_and_strangers(
    signed_in, session, clinic, files, attrs, says
):
    page = import_zip(signed_in, zip_of(files, **attrs))
    assert page.status_code == 422
    assert says in page.get_data(as_text=True)


def test_import_refuses_a_zip_bomb_from_its_central_directory(signed_in):
    bomb = zip_of({"exercises/bomb.yaml": b"0" * (MAX_MEMBER_BYTES + 1)})
    assert len(bomb) < 100_000
    page = import_zip(signed_in, bomb)
    assert page.status_code == 422
    assert "larger than" in page.get_data(as_text=True)


def test_import_refuses_a_member_that_lies_about_its_size_while_extracting(signed_in):
    honest = zip_of({"exercises/bomb.yaml": b"slug: x\n" * 200_000})
    # Rewrite the declared sizes (local header and central directory) to 100 bytes.
    real = (b"slug: x\n" * 200_000).__len__().to_bytes(4, "little")
    lying = honest.replace(real, (100).to_bytes(4, "little"))
    assert lying != honest
    page = import_zip(signed_in, lying)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "unpacks to more than it says" in html or "damaged" in html


def test_import_refuses_a_file_that_is_not_a_zip_in_a_plain_sentence(signed_in):
    page = import_zip(signed_in, b"%PDF-1.7 not a zip")
    assert page.status_code == 422
    alert = re.search(r'<section[^>]*role="alert".*?</section>', page.text, re.S).group(0)
    sentences = " ".join(re.sub(r"<[^>]+>", " ", alert).split())
    assert sentences == (
        "Nothing was imported This file is not a zip file. Choose a .zip file exported from "
        "hepbuilder&#39;s library export."
    )


def test_cli_library_import_of_a_zip_file_says_to_unzip_it_first(cli, tmp_path, signed_in):
    export = tmp_path / "library.zip"
    export.write_bytes(zip_of({"muscles.yaml": b"{}\n"}))
    result = cli("library", "import", str(export))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {export} is a file, but this command reads a library folder: unzip it into a "
        "folder first, or import the zip on the web (Exercise library, Import and export).\n"
    )


def test_cli_library_export_and_web_export_hold_the_same_files(signed_in, cli, tmp_path):
    result = cli("library", "export", str(tmp_path / "lib"))
    assert result.exit_code == 0, result.output
    on_disk = {
        path.relative_to(tmp_path / "lib").as_posix(): path.read_bytes()
        for path in (tmp_path / "lib").rglob("*")
        if path.is_file()
    }
    assert exported(signed_in) == on_disk
