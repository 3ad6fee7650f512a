"""An audit event in words, for the audit page and its CSV: "Sam Rivera downloaded handout 3 of
Zoë Łukasiewicz". One table of phrases, one function."""

from .audit import AuditEntry

# action -> what the actor did; {patient}, {handout}, {program}, {subject}, {fields} filled in.
PHRASES = {
    "sign_in.success": "signed in",
    "sign_in.failure": "failed to sign in (wrong password)",
    "sign_in.code": "gave the second-factor code at sign-in",
    "sign_in.code_failure": "failed to sign in (wrong second-factor code)",
    "patient.create": "added the record of {patient}",
    "patient.update": "edited the record of {patient} ({fields})",
    "patient.view": "opened the record of {patient}",
    "patient.view.edit": "opened the edit form of {patient}",
    "patient.view.erase": "opened the erase page of {patient}",
    "patient.view.handouts": "opened the older handouts of {patient}",
    "patient.list": "saw {patient} in a patient search",
    "patient.archive": "archived the record of {patient}",
    "patient.restore": "restored the record of {patient}",
    "patient.export": "exported everything held about {patient}",
    "patient.erase": "erased the personal data of {patient}",
    "program.create": "started program {program} for {patient}",
    "program.update": "changed program {program} of {patient}",
    "program.view": "opened program {program} of {patient}",
    "program.preview": "previewed program {program} of {patient} as a PDF",
    "handout.issue": "issued handout {handout} of {patient}",
    "handout.view": "viewed handout {handout} of {patient}",
    "handout.view.page": "opened the page of handout {handout} of {patient}",
    "handout.view.print": "opened the print page of handout {handout} of {patient}",
    "handout.view.api": "read handout {handout} of {patient} through the API",
    "handout.download": "downloaded handout {handout} of {patient}",
    "handout.export": "exported handout {handout} of {patient} as FHIR",
    "handout.email": "asked for handout {handout} of {patient} to be emailed",
    "handout.email.retry": "asked for the email of handout {handout} of {patient} to be sent again",
    "handout.email.sent": "emailed handout {handout} of {patient}",
    "patient_link.open": "opened the private link of {patient} (showing handout {handout})",
    "patient_link.download": "downloaded handout {handout} of {patient} through the private link",
    "patient_link.renew": "made a new private link for {patient} (the old one stops working)",
    "exercise.create": "added the exercise {slug} to the library",
    "exercise.update": "edited the exercise {slug} in the library",
    "exercise.archive": "retired the exercise {slug} from the library",
    "exercise.restore": "brought the exercise {slug} back into the library",
    "protocol.create": "added the protocol {slug}",
    "protocol.update": "edited the protocol {slug}",
    "protocol.approve": "approved the protocol {slug}",
    "protocol.archive": "retired the protocol {slug}",
    "protocol.restore": "brought the protocol {slug} back",
    "library.export": "exported the exercise library ({exercises} exercises)",
    "library.import": (
        "imported an exercise library ({added} added, {updated} updated, {unchanged} unchanged)"
    ),
    "user.create": "added the user {subject}",
    "user.deactivate": "deactivated {subject}",
    "user.reactivate": "reactivated {subject}",
    "user.role": "made {subject} {role}",
    "user.password_change": "changed their own password",
    "user.password_reset": "set a new password for {subject}",
    "user.sign_out_everywhere": "signed {subject} out everywhere",
    "user.second_factor_on": "set up a second factor for signing in",
    "user.second_factor_off": "turned off their second factor",
    "clinic.second_factor": "changed whether administrators need a second factor",
    "token.create": "created the API token {name}",
    "token.revoke": "revoked the API token {name}",
    "webhook.create": "subscribed the webhook endpoint {url}",
    "webhook.disable": "switched off the webhook endpoint {url}",
    "webhook.retry": "sent webhook delivery {delivery} again",
    "clinic.branding": "changed the clinic's details ({fields})",
    "clinic.logo.set": "set a new logo",
    "clinic.logo.remove": "removed the logo",
    "clinic.time_zone": "set the clinic's time zone to {time_zone}",
}


def _phrase_key(entry: AuditEntry) -> str:
    shown = entry.detail.get("shown")
    if shown and f"{entry.action}.{shown}" in PHRASES:
        return f"{entry.action}.{shown}"
    return entry.action


def describe(entry: AuditEntry) -> str:
    """The event as one sentence, starting with who acted."""
    phrase = PHRASES.get(_phrase_key(entry))
    if phrase is None:
        return f"{entry.who}: {entry.action}"
    detail = entry.detail
    fields = detail.get("fields") or []
    role = detail.get("role")
    words = phrase.format(
        patient=entry.patient_name or (f"patient {entry.patient_id}" if entry.patient_id else ""),
        handout=entry.handout_number if entry.handout_number is not None else entry.handout_id,
        program=detail.get("program_id", ""),
        subject=entry.subject_name or detail.get("email") or "a user",
        fields=", ".join(str(f).replace("_", " ") for f in fields) or "no fields",
        role="an administrator" if role == "admin" else "a therapist",
        name=detail.get("name", ""),
        time_zone=detail.get("time_zone", ""),
        url=detail.get("url", ""),
        delivery=detail.get("delivery_id", ""),
        slug=detail.get("slug", ""),
        exercises=detail.get("exercises", 0),
        added=detail.get("added", 0),
        updated=detail.get("updated", 0),
        unchanged=detail.get("unchanged", 0),
    )
    return f"{entry.who} {words}"
