"""The library as one zip file from the web: export it (all, or what the clinic changed) and
import one (new exercises added, changed ones updated, nothing else touched). The same merge as
`hepbuilder library import`; an invalid file rejects the whole import, naming file and field."""

from sqlalchemy.orm import Session

from hepbuilder.db.models import Clinic

from .actor import Actor, require_library_editor
from .audit import record_event
from .library_sync import SeedResult, export_library, import_library


def export_library_zip(session: Session, actor: Actor, *, changed_only: bool = False) -> bytes:
    """The clinic's live library (or only what it changed) as a zip of the library format."""
    from hepbuilder.library.archive import library_to_zip

    require_library_editor(actor)
    library = export_library(session, actor.clinic_id, changed_only=changed_only)
    record_event(
        session,
        actor,
        "library.export",
        exercises=len(library.exercises),
        changed_only=changed_only,
    )
    return library_to_zip(library)


def import_library_zip(session: Session, actor: Actor, data: bytes) -> SeedResult:
    """Load a library zip into the actor's clinic as its own version. Raises LibraryError (with
    each problem's file and field) before anything is changed when any file is invalid."""
    from hepbuilder.library.archive import load_library_zip

    require_library_editor(actor)
    library = load_library_zip(data)
    clinic = session.get(Clinic, actor.clinic_id)
    result = import_library(session, clinic, library, actor)
    record_event(
        session,
        actor,
        "library.import",
        added=len(result.added),
        updated=len(result.updated),
        unchanged=len(result.unchanged),
    )
    return result
