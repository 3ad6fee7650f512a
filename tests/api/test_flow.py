"""The PMS's whole job through the API: exercises, patient, program, handout, PDF."""

import io

from pypdf import PdfReader


def test_api_flow_creates_patient_program_and_fetches_handout_pdf(api, patient, program):
    assert patient["external_id"] == "PMS-1"
    assert program["patient_id"] == patient["id"]
    assert [item["exercise"] for item in program["items"]] == ["figure-4-stretch", "monster-walk"]
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts")
    assert issued.status_code == 201, issued.get_json()
    body = issued.get_json()
    assert {"id", "pdf_url", "share_url"} <= set(body)  # v1's answer, extended in v1.1
    pdf = api.get(body["pdf_url"])
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Hip mobility" in text
