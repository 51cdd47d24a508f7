"""Template rendering in a bounded sandbox.

Templates come from the user's repository, so they render in Jinja's immutable sandbox with
strict undefined variables: a template can format the values it is given and nothing more. The
sandbox is also bounded, so a hostile or mistaken template ends with one error line instead of
exhausting memory or running forever:

- output: at most :data:`MAX_OUTPUT` characters, and no single value (``'a' * 10**9``, a padded
  format, a ``~`` concatenation, ``2 ** 10**9``) may grow past it;
- time: at most :data:`TIME_LIMIT` seconds (an interval timer in the main thread; every loop over
  ``range`` and every piece of output also checks the clock);
- one file: ``{% include %}``, ``{% import %}`` and ``{% extends %}`` are refused, as are the
  ``lipsum`` and ``cycler`` helpers nothing needs.
"""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import re
import signal
import string
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.errors import InputError

if TYPE_CHECKING:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = ["MAX_OUTPUT", "TIME_LIMIT", "render_template"]

#: Most characters a template may render (documents are a few kilobytes).
MAX_OUTPUT = 1_000_000
#: Most seconds a template may take to render.
TIME_LIMIT = 5.0


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


def _yamlstr(value: object) -> str:
    """Escape a value for use inside a double-quoted YAML scalar."""
    return json.dumps(str(value), ensure_ascii=False)[1:-1]


def _size(value: object) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _check_spec_numbers(text: str) -> None:
    for digits in re.findall(r"\d+", text):
        if len(digits) > 7 or int(digits) > MAX_OUTPUT:
            raise _TooLarge


def _check_format(text: str) -> None:
    """Refuse a ``str.format`` string whose field widths (or nested widths) could be huge."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format raises the same error, reported as a template error
    for _, _, spec, _ in fields:
        if spec:
            if "{" in spec:
                raise _TooLarge
            _check_spec_numbers(spec)


def _check_percent(text: str) -> None:
    """Refuse a ``%`` format whose widths or precisions could be huge, or are taken from args."""
    for flags in re.findall(r"%[-#0 +]*[\d*]*(?:\.[\d*]*)?", text):
        if "*" in flags:
            raise _TooLarge
        _check_spec_numbers(flags)


def _bounded(value: object) -> object:
    _bounded_size(_size(value) or 0)
    return value


class _Clock:
    """The render's deadline, checked by loops and output."""

    def __init__(self, limit: float) -> None:
        self.deadline = time.monotonic() + limit

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise _TooSlow


@contextlib.contextmanager
def _alarm(limit: float) -> Iterator[None]:
    """Interrupt the render after ``limit`` seconds (only the main thread can take signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _environment(clock: _Clock) -> ImmutableSandboxedEnvironment:
    import jinja2
    from jinja2.compiler import CodeGenerator, Frame
    from jinja2.nodes import Concat
    from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

    class Generator(CodeGenerator):
        def visit_Concat(self, node: Concat, frame: Frame) -> None:
            # a ~ b ~ c: joined by the environment, which refuses a result past the limit
            self.write("environment.bounded_join((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    def checked_range(*args: int) -> Iterator[int]:
        for number in safe_range(*args):
            clock.check()
            yield number

    class Environment(ImmutableSandboxedEnvironment):
        code_generator_class = Generator
        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def bounded_join(self, parts: tuple[object, ...]) -> str:
            texts = [str(part) for part in parts]
            _bounded_size(sum(len(text) for text in texts))
            return "".join(texts)

        def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
            if operator_ == "*":
                for seq, times in ((left, right), (right, left)):
                    if isinstance(times, int):
                        _bounded_size((_size(seq) or 0) * times)
            elif operator_ == "**" and isinstance(left, int) and isinstance(right, int):
                # the result has about right * bits(left) bits: refuse a number too long to print
                if abs(left) > 1 and right * abs(left).bit_length() > 8 * MAX_OUTPUT:
                    raise _TooLarge
            elif operator_ == "%" and isinstance(left, str):
                _check_percent(left)
            elif operator_ == "+":
                return _bounded(operator.add(left, right))
            return super().call_binop(context, operator_, left, right)

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            owner = getattr(value, "__self__", None)
            if isinstance(owner, str) and getattr(value, "__name__", "") in _FORMATS:
                _check_format(owner)
            return super().wrap_str_format(value)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            clock.check()
            owner = getattr(__obj, "__self__", None)
            if isinstance(owner, str) and args:
                args = _check_method(owner, getattr(__obj, "__name__", ""), args)
            return super().call(__context, __obj, *args, **kwargs)

    env = Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.globals["range"] = checked_range
    for helper in ("lipsum", "cycler", "joiner"):
        env.globals.pop(helper, None)
    for name in ("center", "indent", "format", "replace", "join", "wordwrap", "truncate"):
        env.filters[name] = _width_checked(env.filters[name])
    env.filters["yamlstr"] = _yamlstr
    return env


_FORMATS = ("format", "format_map")


def _check_method(text: str, name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Refuse a ``str`` method call whose result would grow past the limit; returns the args
    (an iterable given to ``join`` is read once, here, and passed on as a list)."""
    if name in ("ljust", "rjust", "center", "zfill") and isinstance(args[0], int):
        _bounded_size(args[0])
    elif name == "expandtabs" and isinstance(args[0], int):
        _bounded_size(len(text) + text.count("\t") * args[0])
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str):
        old, new = args[0], args[1]
        if isinstance(new, str) and len(new) > len(old):
            count = text.count(old) if old else len(text) + 1
            _bounded_size(len(text) + count * (len(new) - len(old)))
    elif name == "join" and not isinstance(args[0], str | list | tuple):
        items = list(args[0]) if hasattr(args[0], "__iter__") else args[0]
        args = (items, *args[1:])
    if name == "join" and isinstance(args[0], list | tuple):
        _bounded_size(len(text) * len(args[0]) + sum(_size(item) or 0 for item in args[0]))
    return args


def _bounded_size(size: int) -> None:
    if size > MAX_OUTPUT:
        raise _TooLarge


def _width_checked(jinja_filter: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses a width, count or format that would grow its result past the
    limit (checked before the filter runs, so nothing large is ever built)."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in (*args, *kwargs.values()) if not hasattr(a, "autoescape")]
        for arg in values:
            if isinstance(arg, int):
                _bounded_size(arg)
        first = values[0] if values else None
        if jinja_filter.__name__ == "do_format" and isinstance(first, str):
            _check_percent(first)
        if jinja_filter.__name__ == "do_replace" and len(values) >= 3:
            text, old, new = values[0], values[1], values[2]
            if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
                _check_method(text, "replace", (old, new))
        if jinja_filter.__name__ == "do_join" and values and not isinstance(values[0], str):
            items = [str(item) for item in values[0]]
            sep = values[1] if len(values) > 1 and isinstance(values[1], str) else ""
            _bounded_size(len(sep) * len(items) + sum(len(item) for item in items))
            args = (*args[: len(args) - len(values)], items, *args[len(args) - len(values) + 1 :])
        return _bounded(jinja_filter(*args, **kwargs))

    return functools.update_wrapper(checked, jinja_filter)  # keeps Jinja's pass_* marks


def _refuse_other_templates(source: str, env: Any, path: str | Path) -> None:
    from jinja2 import nodes

    tags = {
        nodes.Include: "include",
        nodes.Import: "import",
        nodes.FromImport: "import",
        nodes.Extends: "extends",
    }
    for node in env.parse(source).find_all(tuple(tags)):
        raise InputError(
            f"templates cannot use {{% {tags[type(node)]} %}}",
            path=path,
            line=node.lineno,
            hint="a template is one file: put the text it needs in the template itself",
        )


def render_template(
    source: str,
    variables: dict[str, Any],
    *,
    path: str | Path,
    time_limit: float = TIME_LIMIT,
) -> str:
    """Render ``source`` with ``variables``; errors name the template file and line.

    Raises :class:`InputError` for a template that is malformed, uses an unknown variable, is
    refused by the sandbox, renders more than :data:`MAX_OUTPUT` characters or takes longer
    than ``time_limit`` seconds.
    """
    import jinja2

    clock = _Clock(time_limit)
    env = _environment(clock)
    try:
        _refuse_other_templates(source, env, path)
        template = env.from_string(source)
        out: list[str] = []
        size = 0
        with _alarm(time_limit):
            for chunk in template.generate(**variables):
                size += len(chunk)
                _bounded_size(size)
                clock.check()
                out.append(chunk)
        return "".join(out)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"template syntax error: {exc.message}",
            path=path,
            line=exc.lineno,
            hint="fix the {{ }} or {% %} tag",
        ) from None
    except jinja2.UndefinedError as exc:
        known = ", ".join(sorted(variables))
        raise InputError(
            f"template uses an unknown variable: {exc.message}",
            path=path,
            hint=f"templates can use: {known}",
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        raise InputError(
            f"template refused by the sandbox: {exc}", path=path, hint="use only plain variables"
        ) from None
    except (_TooLarge, MemoryError, OverflowError):
        raise InputError(
            f"template renders more than {MAX_OUTPUT:,} characters",
            path=path,
            hint="a template renders one document: remove the repetition",
        ) from None
    except (_TooSlow, RecursionError):
        raise InputError(
            f"template did not finish rendering within {time_limit:g} s",
            path=path,
            hint="remove the loop or recursion that does not end",
        ) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        # a value used wrongly inside the template (1 / 0, 'a' + 1, a bad format): the
        # template's mistake, not opsdocs'
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"template failed: {first}", path=path, hint="fix the expression in the template"
        ) from None
