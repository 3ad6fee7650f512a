"""Patients' private links: one `/p/<token>` per patient that always opens their latest handout.

The token is not random per row: it is an HMAC of the patient's clinic, id and link generation
under the link key (HEPBUILDER_LINK_KEY or instance/link_key), so every new handout can print it
again while the database keeps only its SHA-256 (looked up by that hash, then checked against the
key in constant time). A new link is generation + 1, so the old token stops working. A link
expires `clinic.link_expiry_days` after the later of the patient's last handout and the link's
making. Unknown, malformed, revoked and expired tokens are all the same NotFound.
"""

import base64
import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hepbuilder.db.models import Clinic, Handout, Patient, PatientLink, utcnow
from hepbuilder.domain.errors import NotFound

from .actor import Actor
from .audit import record_event
from .handout_pdfs import read_pdf
from .patients import get_patient

TOKEN_BYTES = 24  # 192 bits of HMAC output
TOKEN_CHARS = 32  # base64url of 24 bytes, no padding
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
PATH_PREFIX = "/p/"
NOT_FOUND_MESSAGE = "This link does not work (any more). Ask your clinic for a new one."
# Hashed in place of a malformed token, so that it costs the same lookup as a well-formed one.
_DUMMY_TOKEN = "A" * TOKEN_CHARS


@dataclass(frozen=True, slots=True)
class LinkSigner:
    """What makes and checks tokens: the link key, and the address links start with."""

    key: bytes
    base_url: str  # e.g. "https://hep.example.org" (no trailing slash)

    def token(self, clinic_id: int, patient_id: int, generation: int) -> str:
        message = f"patient-link:v1:{clinic_id}:{patient_id}:{generation}".encode()
        digest = hmac.new(self.key, message, hashlib.sha256).digest()[:TOKEN_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def url(self, token: str) -> str:
        return f"{self.base_url.rstrip('/')}{PATH_PREFIX}{token}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LinkState:
    """A patient's link as the therapist sees it."""

    url: str
    active_since: dt.datetime
    expires_at: dt.datetime
    is_expired: bool


def _expires_at(link: PatientLink, clinic: Clinic) -> dt.datetime:
    return link.active_since + dt.timedelta(days=clinic.link_expiry_days or 180)


def _find_link(session: Session, clinic_id: int, patient_id: int) -> PatientLink | None:
    return session.scalar(
        select(PatientLink).where(
            PatientLink.clinic_id == clinic_id, PatientLink.patient_id == patient_id
        )
    )


def current_link_url(session: Session, actor: Actor, patient_id: int, signer: LinkSigner) -> str:
    """The URL `ensure_link` will give the patient's link, read without writing anything."""
    link = _find_link(session, actor.clinic_id, patient_id)
    generation = link.generation if link is not None else 1
    return signer.url(signer.token(actor.clinic_id, patient_id, generation))


def ensure_link(session: Session, actor: Actor, patient_id: int, signer: LinkSigner) -> str:
    """The patient's link URL, made now if they have none; marks it fresh (a new handout).

    Called when a handout is issued, so the link's expiry counts from the latest handout.
    """
    link = _find_link(session, actor.clinic_id, patient_id)
    if link is None:
        link = PatientLink(
            clinic_id=actor.clinic_id,
            patient_id=patient_id,
            generation=1,
            token_hash=token_hash(signer.token(actor.clinic_id, patient_id, 1)),
        )
        try:
            with session.begin_nested():
                session.add(link)
                session.flush()
        except IntegrityError:  # made by a request racing this one: use that row
            link = _find_link(session, actor.clinic_id, patient_id)
    link.active_since = utcnow()
    session.flush()
    return signer.url(signer.token(actor.clinic_id, patient_id, link.generation))


def link_state(
    session: Session, actor: Actor, patient_id: int, signer: LinkSigner
) -> LinkState | None:
    """The patient's current link, or None before their first handout (or for another clinic)."""
    link = _find_link(session, actor.clinic_id, patient_id)
    if link is None:
        return None
    clinic = session.get(Clinic, actor.clinic_id)
    expires_at = _expires_at(link, clinic)
    return LinkState(
        url=signer.url(signer.token(actor.clinic_id, patient_id, link.generation)),
        active_since=link.active_since,
        expires_at=expires_at,
        is_expired=expires_at <= utcnow(),
    )


def renew_link(session: Session, actor: Actor, patient_id: int, signer: LinkSigner) -> str:
    """Revoke the patient's link and make a new one (generation + 1): old QR codes stop working.

    The new link is printed on the patient's next handout; records "patient_link.renew".
    """
    get_patient(session, actor, patient_id)
    link = _find_link(session, actor.clinic_id, patient_id)
    if link is None:
        url = ensure_link(session, actor, patient_id, signer)
    else:
        link.generation += 1
        link.token_hash = token_hash(signer.token(actor.clinic_id, patient_id, link.generation))
        link.active_since = utcnow()
        session.flush()
        url = signer.url(signer.token(actor.clinic_id, patient_id, link.generation))
    record_event(session, actor, "patient_link.renew", patient_id=patient_id)
    return url


# How many earlier handouts the link's page lists before "Show all": a phone screen's worth.
EARLIER_SHOWN = 10


@dataclass(frozen=True, slots=True)
class OpenedLink:
    """What a private link shows: the patient's handouts, newest first, and who to ask."""

    clinic: Clinic
    patient: Patient
    latest: Handout
    earlier: list[Row]  # some of the others, newest first: (id, number, issued_on, title) rows
    actor: Actor  # the clinic, acting for the patient (audit: address, no user)

    @property
    def earlier_count(self) -> int:
        """How many handouts the patient had before the newest, listed or not: numbers run 1,
        2, 3... per patient and a handout is never deleted (as HandoutPage.issued counts)."""
        return self.latest.number - 1


def resolve_token(
    session: Session,
    token: str,
    signer: LinkSigner,
    remote_addr: str = "",
    *,
    earlier: int | None = 0,
) -> OpenedLink:
    """The link's patient and newest handout, with up to `earlier` of the others, newest first
    (None: all of them), or NotFound (the same for every kind of bad token).

    A malformed token is looked up like a good one (a hash of a stand-in), so that every failure
    takes the same path; the found row's token is re-derived from the key and compared in
    constant time, so a row written into the database without the key opens nothing.
    """
    well_formed = isinstance(token, str) and bool(TOKEN_RE.match(token))
    candidate = token if well_formed else _DUMMY_TOKEN
    link = session.scalar(
        select(PatientLink).where(PatientLink.token_hash == token_hash(candidate))
    )
    expected = (
        signer.token(link.clinic_id, link.patient_id, link.generation) if link else _DUMMY_TOKEN
    )
    matches = hmac.compare_digest(expected.encode(), candidate.encode())
    if link is None or not well_formed or not matches:
        raise NotFound(NOT_FOUND_MESSAGE)
    clinic = session.get(Clinic, link.clinic_id)
    if _expires_at(link, clinic) <= utcnow():
        raise NotFound(NOT_FOUND_MESSAGE)
    patient = session.get(Patient, link.patient_id)
    of_patient = (Handout.clinic_id == link.clinic_id, Handout.patient_id == link.patient_id)
    latest = session.scalar(
        select(Handout).where(*of_patient).order_by(Handout.number.desc()).limit(1)
    )
    if patient is None or patient.is_archived or latest is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    # plain rows, not Handout objects: a patient's history can run to hundreds of handouts
    rows = []
    if earlier != 0:
        rows = session.execute(
            select(Handout.id, Handout.number, Handout.issued_on, Handout.title)
            .where(*of_patient, Handout.number < latest.number)
            .order_by(Handout.number.desc())
            .limit(earlier)
        ).all()
    actor = Actor(clinic_id=link.clinic_id, role="patient", remote_addr=remote_addr)
    return OpenedLink(clinic=clinic, patient=patient, latest=latest, earlier=rows, actor=actor)


def open_link(
    session: Session,
    token: str,
    signer: LinkSigner,
    remote_addr: str = "",
    *,
    earlier: int | None = EARLIER_SHOWN,
) -> OpenedLink:
    """Resolve the token (with up to `earlier` earlier handouts, None: all) and record
    "patient_link.open" (patient, latest handout, address)."""
    opened = resolve_token(session, token, signer, remote_addr, earlier=earlier)
    record_event(
        session,
        opened.actor,
        "patient_link.open",
        patient_id=opened.patient.id,
        handout_id=opened.latest.id,
    )
    return opened


def download_through_link(
    session: Session, token: str, number: int, signer: LinkSigner, remote_addr: str = ""
) -> tuple[Handout, bytes]:
    """One of the link's handouts (by its number) and its stored PDF, recording
    "patient_link.download"; NotFound for a bad token or a number the patient does not have."""
    opened = resolve_token(session, token, signer, remote_addr)
    handout = opened.latest
    if number != handout.number:
        handout = session.scalar(
            select(Handout).where(
                Handout.clinic_id == opened.clinic.id,
                Handout.patient_id == opened.patient.id,
                Handout.number == number,
            )
        )
    if handout is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    pdf = read_pdf(session, handout)
    record_event(
        session,
        opened.actor,
        "patient_link.download",
        patient_id=opened.patient.id,
        handout_id=handout.id,
    )
    return handout, pdf


def link_logo(session: Session, token: str, signer: LinkSigner) -> bytes | None:
    """The clinic's logo for the link's page (not audited: it says nothing about the patient)."""
    opened = resolve_token(session, token, signer)
    return session.scalar(select(Clinic.logo).where(Clinic.id == opened.clinic.id))
