"""The Flask class of `create_app`: the apps of one process share what werkzeug and Jinja compile.

A server builds one app; the tests build one for each test, and most of that cost was compiling
the same code again. werkzeug turns every URL rule into two small Python functions (the builders
of `url_for`) by generating and compiling their source, about 0.4 ms a rule, most of the cost of
`create_app`; a builder is a pure function of the rule's text, its parsed parts and the names of
its defaults (it reaches the rule's converters through its `self` argument), so one compiled
builder serves that rule in every app. Parsing the rule's text into parts (regular expressions,
weights) is, given the map's converter classes, a pure function of that text too: the parts are
kept, and a rule parsed again gets them with converters of its own (made as werkzeug makes them,
from the names and arguments the first parse asked for). Likewise a template's compiled code
depends only on its source and the environment's options (it gets the environment when it is
loaded), so Jinja's own bytecode cache, kept in memory, hands it to every app whose environment
has the default options; a changed source has a new checksum and is compiled again.

This reaches into werkzeug 3's Rule (`_parse_rule`, `_trace`, `_converters`, `_compile_builder`);
tests/web/test_app_class.py holds every rule of a later app to the Rule werkzeug itself makes, so
an upgrade that changes them fails there.
"""

from collections.abc import Callable

from flask import Flask
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
from werkzeug.routing import Rule

_builders: dict[tuple, Callable] = {}
# (rule text, the map's converter classes) -> (parts, trace entries, converters asked for)
_parsed: dict[tuple, tuple[list, list, list]] = {}


class SharedBuilderRule(Rule):
    _asked: list | None = None  # while parsing for the first time: the converters asked for

    def _parse_rule(self, rule: str) -> list:
        key = (rule, tuple(self.map.converters.items()))
        parsed = _parsed.get(key)
        if parsed is None:
            start, self._asked = len(self._trace), []
            try:
                parts = list(super()._parse_rule(rule))
                parsed = _parsed[key] = (parts, self._trace[start:], self._asked)
            finally:
                self._asked = None
            return parts
        parts, trace, asked = parsed
        self._trace.extend(trace)
        for variable, converter, args, kwargs in asked:
            self._converters[variable] = self.get_converter(variable, converter, args, kwargs)
            self.arguments.add(variable)
        return parts

    def get_converter(self, variable_name, converter_name, args, kwargs):
        if self._asked is not None:
            self._asked.append((variable_name, converter_name, args, kwargs))
        return super().get_converter(variable_name, converter_name, args, kwargs)

    def _compile_builder(self, append_unknown: bool = True) -> Callable:
        defaults = self.defaults or {}
        if any(is_dynamic and part in defaults for is_dynamic, part in self._trace):
            # a default inside the rule is turned into text by this rule's converter: not shared
            return super()._compile_builder(append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        builder = _builders.get(key)
        if builder is None:
            builder = _builders[key] = super()._compile_builder(append_unknown)
        return builder


class _TemplateCode(BytecodeCache):
    """Compiled templates in memory, for every environment of the process."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self._code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_template_code = _TemplateCode()


class App(Flask):
    """Flask, with URL builders and compiled templates shared by the apps of the process."""

    url_rule_class = SharedBuilderRule

    def create_jinja_environment(self) -> Environment:
        environment = super().create_jinja_environment()
        if not self.jinja_options:  # the options the shared code was compiled with
            environment.bytecode_cache = _template_code
        return environment
