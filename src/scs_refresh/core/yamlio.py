"""Read the officer's YAML files into validated, typed objects (the one place that does it).

PyYAML is used with two changes that matter for council config:
- dates stay text until the model parses them, so ``2011-02-30`` is reported as an
  impossible date with its key, not as a crash inside the YAML reader;
- a key written twice in one mapping is an error (PyYAML silently keeps the last one).
Every problem is reported with the file, the line and the key path (``meetings[3].date``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scs_refresh.core.errors import ConfigError, Problem

M = TypeVar("M", bound=BaseModel)
Path_ = tuple[str | int, ...]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader without the implicit timestamp type (dates are parsed by the models).

    PyYAML's C loader (libyaml) when present: it composes nodes with their marks as the
    pure-Python one does, several times faster.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # builds scalars; one for the process, not one per scalar


def key_path(path: Path_) -> str:
    """``('meetings', 3, 'date')`` -> ``meetings[3].date``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class YamlDoc:
    """A parsed YAML file: its data plus the line of every key and item, for error messages."""

    def __init__(self, file: Path, data: Any, lines: dict[Path_, int]):
        self.file = file
        self.data = data
        self._lines = lines

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that exists in the file."""
        for n in range(len(path), -1, -1):
            if path[:n] in self._lines:
                return self._lines[path[:n]]
        return None

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.file, message, key_path(path), self.line(path))


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: Path) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else _scalar(key_node)
            if key in out:
                raise ConfigError([Problem(
                    file, f"the key '{key}' is written twice in the same block; keep one",
                    key_path(path + (key,)), key_node.start_mark.line + 1)])
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, path + (key,), lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), lines, file) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    finally:
        _CONSTRUCTOR.constructed_objects.clear()  # the nodes of one file are not kept


def read_yaml(file: Path) -> YamlDoc:
    """Parse ``file``; any unreadable or malformed YAML becomes a one-line ConfigError."""
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError([Problem(file, "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(file, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except OSError as exc:
        raise ConfigError([Problem(file, f"cannot be read ({exc.strerror})")]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError([Problem(file, f"not valid YAML: {exc.problem or exc.context}", line=line)]) from None
    lines: dict[Path_, int] = {}
    data = {} if node is None else _walk(node, (), lines, file)
    return YamlDoc(file, data, lines)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_iso_date(value: Any) -> date:
    """A calendar date written as YYYY-MM-DD; explains impossible dates in plain words."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _DATE.match(text):
        raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2011-05-09")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a real date (no such day in the calendar)") from None


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path_:
    """Drop the parts of a pydantic error location that are not keys in the data (union tags)."""
    path: list[str | int] = []
    cur = data
    for part in loc:
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
        elif isinstance(cur, Mapping) and isinstance(part, str) and part == loc[-1]:
            pass  # a missing key: keep it so the message names it
        else:
            continue
        path.append(part)
    return tuple(path)


def validation_message(err: dict[str, Any]) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return f"unknown key '{err['loc'][-1]}' (misspelt, or not something this file takes)"
    if kind == "missing":
        return f"the key '{err['loc'][-1]}' is required but missing"
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def parse_model(doc: YamlDoc, model: type[M], context: dict[str, Any] | None = None) -> M:
    """Validate ``doc`` against ``model``; every problem is located by file, line and key."""
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        problems = [doc.problem(_data_path(doc.data, tuple(e["loc"])), validation_message(e)) for e in exc.errors()]
        raise ConfigError(problems) from None


def load_model(file: Path, model: type[M], check: Callable[[M], list[tuple[Path_, str]]] | None = None) -> M:
    """Read and validate one YAML file into ``model``, then run ``check`` on the typed object.

    ``check`` returns what makes a well-formed file impossible as (key path, sentence)
    pairs; each becomes a problem located by file, line and key.
    """
    doc = read_yaml(file)
    obj = parse_model(doc, model)
    problems = check(obj) if check else []
    if problems:
        raise ConfigError([doc.problem(path, msg) for path, msg in problems])
    return obj
