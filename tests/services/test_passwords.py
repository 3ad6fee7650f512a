"""Password hashing: strong by default, cheap only where a setting says so (the test suite)."""

from hepbuilder.config import password_hash_method
from hepbuilder.services import passwords


def test_production_settings_hash_passwords_with_scrypt(monkeypatch):
    monkeypatch.delenv("HEPBUILDER_PASSWORD_HASH", raising=False)
    assert password_hash_method() == "scrypt"
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("scrypt:")
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "correct horse battery!")


def test_a_hash_made_with_another_method_still_verifies(monkeypatch):
    monkeypatch.setenv("HEPBUILDER_PASSWORD_HASH", "pbkdf2:sha256:1000")
    cheap = passwords.hash_password("correct horse battery")
    assert cheap.startswith("pbkdf2:sha256:1000$")
    monkeypatch.delenv("HEPBUILDER_PASSWORD_HASH")
    assert passwords.verify_password(cheap, "correct horse battery")
