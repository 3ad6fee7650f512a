"""The PDF store's settings (HEPBUILDER_PDF_STORE, HEPBUILDER_S3_*): the database by default, and
each wrong value refused at start with a sentence naming the setting."""

import pytest

from hepbuilder.config import PdfStoreSettings, SettingError, pdf_store_settings

S3 = {
    "PDF_STORE": "s3",
    "S3_BUCKET": "clinic-handouts",
    "S3_ENDPOINT_URL": "http://127.0.0.1:9000/",
    "S3_REGION": "eu-west-2",
    "S3_ACCESS_KEY_ID": "key",
    "S3_SECRET_ACCESS_KEY": "secret",
    "S3_KEY_PREFIX": "/hep/prod/",
}


def test_no_setting_means_the_database_store():
    assert pdf_store_settings({}) == PdfStoreSettings(store="database")
    assert not pdf_store_settings({}).has_s3


def test_an_s3_store_is_read_with_its_endpoint_and_prefix_tidied():
    settings = pdf_store_settings(S3)
    assert (settings.store, settings.bucket, settings.region) == (
        "s3",
        "clinic-handouts",
        "eu-west-2",
    )
    assert settings.endpoint_url == "http://127.0.0.1:9000"
    assert settings.key_prefix == "hep/prod"
    assert "secret" not in repr(settings)


@pytest.mark.parametrize(
    ("changes", "named", "says"),
    [
        ({"PDF_STORE": "disk"}, "HEPBUILDER_PDF_STORE", 'must be "database" or "s3"'),
        ({"S3_BUCKET": ""}, "HEPBUILDER_S3_BUCKET", "HEPBUILDER_PDF_STORE=s3 needs"),
        ({"S3_BUCKET": "Clinic_Handouts"}, "HEPBUILDER_S3_BUCKET", "must be a bucket name"),
        (
            {"S3_ENDPOINT_URL": "s3.example.org"},
            "HEPBUILDER_S3_ENDPOINT_URL",
            "http:// or https://",
        ),
        ({"S3_SECRET_ACCESS_KEY": ""}, "HEPBUILDER_S3_SECRET_ACCESS_KEY", "go together"),
        ({"S3_ACCESS_KEY_ID": ""}, "HEPBUILDER_S3_ACCESS_KEY_ID", "go together"),
        ({"S3_KEY_PREFIX": "a/../b c"}, "HEPBUILDER_S3_KEY_PREFIX", "may hold letters"),
    ],
)
def test_a_wrong_setting_is_refused_naming_it(changes, named, says):
    with pytest.raises(SettingError) as refused:
        pdf_store_settings({**S3, **changes})
    assert named in str(refused.value) and says in str(refused.value)


def test_an_s3_store_may_be_kept_for_reading_while_new_pdfs_go_to_the_database():
    settings = pdf_store_settings({**S3, "PDF_STORE": "database"})
    assert settings.store == "database" and settings.has_s3
