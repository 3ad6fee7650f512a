"""Text that no database can store (NUL) is refused with 400, never a 500."""

import pytest

from tests.builders import make_user, sign_in


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/patients?q=ab%00c", None),
        ("get", "/exercises?q=%00", None),
        ("post", "/patients/new", {"first_name": "Zo\x00ë", "last_name": "Ł"}),
    ],
)
def test_nul_characters_are_refused_with_400(client, session, method, path, data):
    user = make_user(session)
    session.commit()
    sign_in(client, user)
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 400
