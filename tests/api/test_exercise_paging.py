"""GET /api/v1/exercises pages by cursor; a `next` link only while more matches remain."""

from urllib.parse import urlsplit

from hepbuilder.library import load_library


def _walk(api, address: str) -> tuple[list[str], int]:
    slugs, pages = [], 0
    while address:
        body = api.get(address).get_json()
        slugs += [item["slug"] for item in body["items"]]
        pages += 1
        address = None
        if body["next"]:
            parts = urlsplit(body["next"])
            address = f"{parts.path}?{parts.query}"
    return slugs, pages


def test_api_exercise_pages_end_exactly_where_the_matches_end(api):
    bundled = len(load_library().exercises)
    slugs, pages = _walk(api, "/api/v1/exercises?limit=5")
    assert len(slugs) == len(set(slugs)) == bundled and pages == -(-bundled // 5)
    slugs, pages = _walk(api, f"/api/v1/exercises?limit={bundled}")
    assert len(slugs) == bundled and pages == 1  # a full last page has no `next`
