"""The app's URL rules share what werkzeug compiles between the apps of a process
(web/app_class.py); a rule of a later app must be the rule werkzeug itself makes."""

from werkzeug.routing import Map, Rule

from hepbuilder.web.app_class import SharedBuilderRule


def test_a_later_apps_rules_are_the_rules_werkzeug_makes(app):
    from hepbuilder.web import create_app

    later = create_app(dict(app.config))  # its rules' parts and builders come from the first's
    rules = list(later.url_map.iter_rules())
    assert rules and all(isinstance(rule, SharedBuilderRule) for rule in rules)
    for rule in rules:
        plain = Rule(rule.rule, **rule.get_empty_kwargs())
        Map([plain], converters=dict(later.url_map.converters))
        assert rule._parts == plain._parts, rule.rule
        assert rule._trace == plain._trace, rule.rule
        assert rule.arguments == plain.arguments, rule.rule
        assert {n: (type(c), c.regex) for n, c in rule._converters.items()} == {
            n: (type(c), c.regex) for n, c in plain._converters.items()
        }, rule.rule
        assert not set(map(id, rule._converters.values())) & {
            id(c) for r in app.url_map.iter_rules() for c in r._converters.values()
        }  # converters of its own, bound to its own map
        assert all(c.map is later.url_map for c in rule._converters.values())
        values = {name: "7" for name in rule.arguments}
        if all(
            type(c).__name__ in ("IntegerConverter", "UnicodeConverter", "PathConverter")
            for c in rule._converters.values()
        ):
            assert rule.build(values) == plain.build(values), rule.rule


def test_url_for_and_routing_work_in_every_app(app):
    from flask import url_for

    from hepbuilder.web import create_app

    for each in (app, create_app(dict(app.config))):
        with each.test_request_context():
            assert url_for("patients.show", patient_id=7) == "/patients/7"
        response = each.test_client().get("/patients/7")
        assert (response.status_code, response.location) == (302, "/login?next=/patients/7")
        assert each.test_client().get("/setup").status_code == 200
