"""OpenAPI paths of programs and protocols."""

from .. import schemas
from . import examples
from .common import (
    IDEMPOTENCY_KEY,
    PAGING,
    UPDATED_SINCE,
    json_response,
    operation,
    page,
    path_id,
    query,
)

TAG = "Programs"
PROGRAM_ID = path_id("program_id", "The program's id.")


def _program_answer(description: str, example: dict = examples.PROGRAM, **flags) -> dict:
    return json_response(description, schemas.ref("Program"), example, **flags)


PATHS = {
    "/programs": {
        "get": operation(
            "listPrograms",
            tag=TAG,
            summary="List programs",
            description="The clinic's programs in id order, of one patient or all.",
            parameters=(
                query("patient_id", schemas.ID, "Only this patient's programs."),
                UPDATED_SINCE,
                *PAGING,
            ),
            success=(
                200,
                json_response(
                    "One page of programs", page("Program"), examples.page(examples.PROGRAM)
                ),
            ),
            errors=(422,),
        ),
        "post": operation(
            "createProgram",
            tag=TAG,
            summary="Start a program for a patient",
            description=(
                "Blank, with `items`, or from a `protocol` (see GET /protocols). Every item is "
                "checked before anything is saved: one bad item creates nothing. An unknown "
                "patient or protocol is 404."
            ),
            parameters=(IDEMPOTENCY_KEY,),
            body=("ProgramCreate", examples.PROGRAM_CREATE),
            success=(201, _program_answer("The new program", created=True, replayable=True)),
            errors=(404, 409),
        ),
    },
    "/programs/{program_id}": {
        "get": operation(
            "getProgram",
            tag=TAG,
            summary="One program",
            description="The program with every item's full dose; `version` is what PUT needs.",
            parameters=(PROGRAM_ID,),
            success=(200, _program_answer("The program")),
            errors=(404,),
        ),
        "put": operation(
            "updateProgram",
            tag=TAG,
            summary="Save changes to a program",
            description=(
                "GET the program, change what you need, PUT it back with the `version` you "
                "read. A program saved by someone else since is refused with 409 "
                "`version_conflict` (`current_version`). A PUT that changes nothing keeps the "
                "version."
            ),
            parameters=(PROGRAM_ID,),
            body=("ProgramUpdate", examples.PROGRAM_UPDATE),
            success=(
                200,
                _program_answer(
                    "The program as saved",
                    {
                        **examples.PROGRAM,
                        **examples.PROGRAM_UPDATE,
                        "version": 2,
                        "updated_at": examples.UPDATED,
                    },
                ),
            ),
            errors=(404, 409),
        ),
    },
    "/protocols": {
        "get": operation(
            "listProtocols",
            tag="Protocols",
            summary="The clinic's protocols",
            description=(
                "Named starting sets of items, by name. POST /programs with `protocol` starts "
                "a program from one. One page holds them all (`next` is null)."
            ),
            success=(
                200,
                json_response("Every protocol", page("Protocol"), examples.page(examples.PROTOCOL)),
            ),
        )
    },
}

PATHS["/protocols"]["post"] = operation(
    "createProtocol",
    tag="Protocols",
    summary="Add a protocol",
    description=(
        "Adds a protocol (scope `library`); its items name live exercises of the clinic. The "
        "slug is made from the name when left out."
    ),
    parameters=(IDEMPOTENCY_KEY,),
    body=("ProtocolCreate", examples.PROTOCOL_CREATE),
    success=(
        201,
        json_response(
            "The new protocol",
            schemas.ref("Protocol"),
            examples.PROTOCOL,
            created=True,
            replayable=True,
        ),
    ),
)
