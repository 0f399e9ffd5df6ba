"""Organizers' letter templates, rendered so that a template can neither reach the application
nor exhaust the server.

Three fences, each enough against a different attack:
1. Static check of the parsed template: only placeholders, `if`, `for` over `range`/lists,
   comparisons, `~` and a short list of filters. No assignment, no arithmetic that can grow
   strings (`*`, `**`, `%`), no attribute access except `loop.*`, no macros or includes.
2. Jinja's ImmutableSandboxedEnvironment with StrictUndefined: whatever slips through the check
   still cannot read `__class__` and the like (SecurityError), nor mutate anything.
3. Runtime budget: `range()` capped, a step budget on the template's own code (loops included),
   and an output size cap.
Every failure is a TemplateProblem carrying a message and, where known, the template line.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

if TYPE_CHECKING:
    from _typeshed import TraceFunction

MAX_SOURCE_CHARS = 20_000
MAX_OUTPUT_CHARS = 50_000
MAX_RANGE = 200
MAX_STEPS = 20_000
TEMPLATE_FILENAME = "<letter-template>"

PLACEHOLDERS = ("supporter_name", "supporter_place", "campaign_title", "signature_count",
                "date", "target_name")
ALLOWED_FILTERS = {"upper", "lower", "title", "capitalize", "trim", "default", "d", "string",
                   "length", "count", "first", "last", "join", "e", "escape", "int"}
ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If,
    nodes.For, nodes.Filter, nodes.Test, nodes.Compare, nodes.Operand, nodes.And, nodes.Or,
    nodes.Not, nodes.CondExpr, nodes.Concat, nodes.List, nodes.Tuple, nodes.Add, nodes.Sub,
    nodes.Neg, nodes.Pos, nodes.Getattr, nodes.Call, nodes.Keyword,
)


class TemplateProblem(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class _Budget(Exception):
    pass


def _limited_range(*args: int) -> range:
    span = range(*args)
    if len(span) > MAX_RANGE:
        raise TemplateProblem(f"range() is limited to {MAX_RANGE} items")
    return span


class LetterEnvironment(ImmutableSandboxedEnvironment):
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Only the loop helper's public attributes (loop.index, loop.first ...).
        return isinstance(obj, LoopContext) and not attr.startswith("_") and super(
        ).is_safe_attribute(obj, attr, value)


def _environment() -> LetterEnvironment:
    env = LetterEnvironment(undefined=StrictUndefined, autoescape=False,
                            keep_trailing_newline=True)
    env.globals = {"range": _limited_range}
    env.filters = {name: f for name, f in env.filters.items() if name in ALLOWED_FILTERS}
    env.tests = {name: env.tests[name] for name in
                 ("defined", "undefined", "none", "number", "string", "even", "odd",
                  "eq", "ne", "lt", "gt", "le", "ge", "in") if name in env.tests}
    return env


ENV = _environment()


def _check(tree: nodes.Template) -> None:
    for node in tree.find_all(nodes.Node):
        line = getattr(node, "lineno", None)
        if not isinstance(node, ALLOWED_NODES):
            raise TemplateProblem(f"“{type(node).__name__}” is not allowed in a letter template",
                                  line)
        if isinstance(node, nodes.Getattr) and not (
                isinstance(node.node, nodes.Name) and node.node.name == "loop"):
            raise TemplateProblem(f"attribute “.{node.attr}” is not allowed; only loop.*", line)
        if isinstance(node, nodes.Call) and not (
                isinstance(node.node, nodes.Name) and node.node.name == "range"):
            raise TemplateProblem("only range() may be called", line)
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise TemplateProblem(f"filter “{node.name}” is not allowed", line)
        if isinstance(node, nodes.Name) and node.ctx == "load" and node.name.startswith("_"):
            raise TemplateProblem(f"name “{node.name}” is not allowed", line)


def compile_template(source: str) -> Template:
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateProblem(f"the template is longer than {MAX_SOURCE_CHARS} characters")
    try:
        tree = ENV.parse(source, filename=TEMPLATE_FILENAME)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.message or "syntax error", exc.lineno) from None
    _check(tree)
    try:
        code = ENV.compile(tree, filename=TEMPLATE_FILENAME)
        return ENV.template_class.from_code(ENV, code, ENV.make_globals(None))
    except TemplateSyntaxError as exc:  # e.g. a loop over an undefined construct
        raise TemplateProblem(exc.message or "syntax error", exc.lineno) from None


def _template_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(source: str, values: dict[str, Any]) -> str:
    """Render one template string with `values`; raises TemplateProblem for anything wrong."""
    template = compile_template(source)
    steps = [MAX_STEPS]
    last_line = [0]  # of the compiled Python code; mapped back to the template's line

    def local_trace(frame: FrameType, event: str, arg: Any) -> TraceFunction:
        if event == "line":
            last_line[0] = frame.f_lineno
            steps[0] -= 1
            if steps[0] < 0:
                raise _Budget()
        return local_trace

    def global_trace(frame: FrameType, event: str, arg: Any) -> TraceFunction | None:
        return local_trace if frame.f_code.co_filename == TEMPLATE_FILENAME else None

    previous = sys.gettrace()
    out, size = [], 0
    sys.settrace(global_trace)
    try:
        for chunk in template.generate(**values):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateProblem(
                    f"the letter would be longer than {MAX_OUTPUT_CHARS} characters",
                    template.get_corresponding_lineno(last_line[0]) if last_line[0] else None)
            out.append(chunk)
    except TemplateProblem as exc:
        exc.line = exc.line or _template_line(exc.__traceback__)
        raise
    except _Budget as exc:
        raise TemplateProblem("the template does too much work (loops)",
                              _template_line(exc.__traceback__) or
                              template.get_corresponding_lineno(last_line[0])) from None
    except Exception as exc:  # noqa: BLE001 - undefined names, SecurityError, type errors
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        raise TemplateProblem(message, _template_line(exc.__traceback__)) from None
    finally:
        sys.settrace(previous)
    return "".join(out)


@dataclass
class Rendered:
    subject: str
    body: str


def render_letter(subject: str, body: str, values: dict[str, Any]) -> Rendered:
    """Subject on one line (at most 300 characters), and the body."""
    try:
        rendered_subject = " ".join(render(subject, values).split())[:300]
    except TemplateProblem as exc:
        exc.message = f"subject: {exc.message}"
        raise
    return Rendered(rendered_subject, render(body, values))


def sample_values(campaign_title: str, signature_count: int, today: str) -> dict[str, Any]:
    return {"supporter_name": "Aisha Vanahun", "supporter_place": "Almaty, Kazakhstan",
            "campaign_title": campaign_title, "signature_count": signature_count,
            "date": today, "target_name": "UN Special Rapporteur on minority issues"}
