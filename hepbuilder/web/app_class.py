"""The Flask class of `create_app`: the apps of one process share what werkzeug and Jinja compile.

A server builds one app; the tests build one for each test, and most of that cost was compiling
the same code again. werkzeug turns every URL rule into two small Python functions (the builders
of `url_for`) by generating and compiling their source, about 0.4 ms a rule, most of the cost of
`create_app`; a builder is a pure function of the rule's text, its parsed parts and the names of
its defaults (it reaches the rule's converters through its `self` argument), so one compiled
builder serves that rule in every app. Likewise a template's compiled code depends only on its
source and the environment's options (it gets the environment when it is loaded), so Jinja's own
bytecode cache, kept in memory, hands it to every app whose environment has the default options;
a changed source has a new checksum and is compiled again.
"""

from collections.abc import Callable

from flask import Flask
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
from werkzeug.routing import Rule

_builders: dict[tuple, Callable] = {}


class SharedBuilderRule(Rule):
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
