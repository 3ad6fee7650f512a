"""Handouts' PDF bytes, wherever they live (db/pdf_store.py): keep a new one, read one, forget
an erased patient's, and move the database's PDFs to the S3 store.

Every reader goes through `read_pdf`, which takes the adapter the row names (`pdf_store`), not
the one new handouts are written to, so switching stores never strands an older handout.
Erasing a patient queues one outbox message (kind "pdf.delete") in the erasing transaction;
the outbox worker deletes the objects after that transaction committed, and retries on failure
with the outbox's back-off, so an object is never left behind by a crash or an S3 outage.
"""

import hashlib
import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from hepbuilder.db.models import Handout, OutboxMessage, Patient
from hepbuilder.db.pdf_store import S3PdfStore, pdf_stores
from hepbuilder.domain.errors import Unavailable

from .outbox import DeliveryError, enqueue, register_sender

log = logging.getLogger(__name__)

DELETE_KIND = "pdf.delete"


def keep_pdf(session: Session, clinic_id: int, pdf: bytes) -> dict:
    """Store a new handout's PDF with the store new handouts go to (an S3 object is written
    now, before the row that names it exists); the row's `pdf`, `pdf_sha256` and `pdf_store`.
    Unavailable when the store cannot take it."""
    return pdf_stores(session).writing.write(clinic_id, pdf)


def read_pdf(session: Session, handout: Handout) -> bytes:
    """The handout's PDF bytes as issued, from the store its row names. For the database store
    this is the row's deferred column (no query when loaded with it). Unavailable (503) when an
    S3 object is missing, unreadable or does not match `pdf_sha256`."""
    return pdf_stores(session).for_row(handout).read(handout)


def forget_pdfs(session: Session, clinic_id: int, patient_id: int) -> None:
    """Queue the deletion of the patient's PDF objects (call before their rows are emptied).

    Nothing is queued when none of the patient's handouts has its PDF in the S3 store. The
    message names the clinic and the PDFs' SHA-256s only, no patient."""
    digests = sorted(
        set(
            session.scalars(
                select(Handout.pdf_sha256).where(
                    Handout.clinic_id == clinic_id,
                    Handout.patient_id == patient_id,
                    Handout.pdf_store == "s3",
                    Handout.pdf_sha256 != "",
                )
            )
        )
    )
    if digests:
        enqueue(session, clinic_id, DELETE_KIND, {"pdf_sha256": digests})


def _still_printed(session: Session, clinic_id: int, digest: str) -> bool:
    """Another handout of the clinic (one not erased) names the same bytes: keep the object."""
    return (
        session.scalar(
            select(Handout.id)
            .join(Patient, Patient.id == Handout.patient_id)
            .where(
                Handout.clinic_id == clinic_id,
                Handout.pdf_sha256 == digest,
                Handout.pdf_store == "s3",
                Patient.erased_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def delete_erased_pdfs(session: Session, message: OutboxMessage, _context: object) -> None:
    """The outbox's sender for kind "pdf.delete": delete each named object of the clinic that no
    remaining handout prints. An S3 store must be set up in the worker (HEPBUILDER_S3_*);
    DeliveryError (retried) when it is not or cannot be reached."""
    store = pdf_stores(session).s3
    if store is None:
        raise DeliveryError(
            "Erased patients' PDFs are in the S3 store, which this worker has not set up "
            "(HEPBUILDER_S3_BUCKET and the other HEPBUILDER_S3_* settings)."
        )
    for digest in (message.payload or {}).get("pdf_sha256", []):
        if _still_printed(session, message.clinic_id, digest):
            continue
        try:
            store.delete(message.clinic_id, digest)
        except Unavailable as error:
            raise DeliveryError(error.message) from None


register_sender(DELETE_KIND, delete_erased_pdfs)


def move_to_s3(sessions: sessionmaker[Session], *, batch: int) -> tuple[int, int]:
    """Move every PDF the database holds into the S3 store, `batch` handouts a transaction:
    each is written, read back and checked against its SHA-256 before its row says "s3" and
    gives up its bytes. Stopping half-way loses nothing; running again goes on where it
    stopped. Returns (moved, left): `left` is what was refused (a PDF whose bytes do not match
    its recorded SHA-256 stays in the database, and is named in the log by handout id)."""
    moved = refused = 0
    after_id = 0
    while True:
        with sessions() as session:
            store = pdf_stores(session).s3
            if store is None:
                raise Unavailable("There is no S3 store: set HEPBUILDER_S3_BUCKET first.")
            ids = list(
                session.scalars(
                    select(Handout.id)
                    .where(
                        Handout.id > after_id,
                        Handout.pdf_store == "database",
                        Handout.pdf_sha256 != "",
                    )
                    .order_by(Handout.id)
                    .limit(batch)
                )
            )
            if not ids:
                return moved, refused
            for handout_id in ids:
                after_id = handout_id
                if _move_one(session, store, handout_id):
                    moved += 1
                else:
                    refused += 1
            session.commit()


def _move_one(session: Session, store: S3PdfStore, handout_id: int) -> bool:
    handout = session.get(Handout, handout_id)
    pdf = handout.pdf
    if hashlib.sha256(pdf).hexdigest() != handout.pdf_sha256:
        log.error(
            "Handout %s: its stored PDF does not match its SHA-256; left in the database",
            handout_id,
        )
        return False
    store.put(handout.clinic_id, pdf)
    store.get(handout.clinic_id, handout.pdf_sha256, handout_id=handout_id)  # reads back whole
    session.execute(
        update(Handout)
        .where(Handout.id == handout_id, Handout.pdf_store == "database")
        .values(pdf=b"", pdf_store="s3")
        .execution_options(synchronize_session=False)
    )
    return True
