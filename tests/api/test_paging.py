"""Lists are paged with limit and cursor, in a stable order, with the next page's link."""

from tests.api.conftest import make_api_client


def _walk(api, path, **query):
    seen, url, pages = [], path, 0
    response = api.get(url, query_string=query or None)
    while True:
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen.extend(body["items"])
        pages += 1
        if body["next"] is None:
            return seen, pages
        response = api.get(body["next"])


def test_api_patients_pages_follow_next_in_id_order(api):
    ids = [
        api.post("/api/v1/patients", json={"first_name": "P", "last_name": str(n)}).get_json()["id"]
        for n in range(7)
    ]
    seen, pages = _walk(api, "/api/v1/patients", limit=3)
    assert [p["id"] for p in seen] == ids
    assert pages == 3


def test_api_patient_added_between_pages_is_neither_skipped_nor_repeated(api):
    for n in range(4):
        api.post("/api/v1/patients", json={"first_name": "P", "last_name": str(n)})
    first = api.get("/api/v1/patients", query_string={"limit": 2}).get_json()
    api.post("/api/v1/patients", json={"first_name": "Late", "last_name": "Comer"})
    rest, _ = _walk(api, first["next"])
    names = [p["last_name"] for p in first["items"] + rest]
    assert names == ["0", "1", "2", "3", "Comer"]


def test_api_exercises_pages_cover_the_library_once_in_name_order(api):
    everything = api.get("/api/v1/exercises", query_string={"limit": 100}).get_json()
    assert everything["next"] is None
    seen, pages = _walk(api, "/api/v1/exercises", limit=4)
    assert [e["slug"] for e in seen] == [e["slug"] for e in everything["items"]]
    assert pages > 1
    names = [e["name"] for e in seen]
    assert names == sorted(names)


def test_api_exercise_filters_are_kept_in_the_next_link(api):
    first = api.get(
        "/api/v1/exercises", query_string={"category": "stretch", "limit": 1}
    ).get_json()
    assert "category=stretch" in first["next"]
    seen, _ = _walk(api, "/api/v1/exercises", category="stretch", limit=1)
    assert seen and all(e["category"] == "stretch" for e in seen)


def test_api_exercise_search_and_detail(api):
    found = api.get("/api/v1/exercises", query_string={"q": "figure"}).get_json()["items"]
    assert "figure-4-stretch" in [e["slug"] for e in found]
    one = api.get("/api/v1/exercises/figure-4-stretch")
    assert one.status_code == 200
    assert one.get_json()["slug"] == "figure-4-stretch" and one.get_json()["steps"]
    assert api.get("/api/v1/exercises/no-such-thing").status_code == 404


def test_api_exercises_of_another_clinic_are_its_own_copy(session, client, api):
    other = make_api_client(session, client)
    assert other.get("/api/v1/exercises/step-up").status_code == 200
