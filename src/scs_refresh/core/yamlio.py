"""Read the officer's YAML files into validated, typed objects (the one place that does it).

PyYAML is used with two changes that matter for council config:
- dates stay text until the model parses them, so ``2011-02-30`` is reported as an
  impossible date with its key, not as a crash inside the YAML reader;
- a key written twice in one mapping is an error (PyYAML silently keeps the last one);
- limits, so a hostile or broken file is one line, never a hang or a crash: the file's size,
  how deep blocks nest, how much aliases (``*name``) may expand (a "billion laughs" file),
  an alias inside the block it names, and only the plain YAML types (no ``!!python/...`` tag).
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


#: a config file larger than this is not one the officer wrote by hand
MAX_BYTES = 5 * 1024 * 1024
#: blocks nested deeper than this are a mistake (the bundled files nest 8 deep)
MAX_DEPTH = 64
#: values an alias (``*name``) may stand for in one file, all uses together
MAX_ALIAS_EXPANSION = 20_000
#: the tags a config value may have: text, numbers, yes/no, dates, lists and blocks
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}


class _Walk:
    """Turns the composed nodes into data, within the limits; one instance per file."""

    def __init__(self, file: Path):
        self.file = file
        self.lines: dict[Path_, int] = {}
        self.seen: set[int] = set()  # nodes already turned into data once: a second visit is an alias
        self.expanded = 0
        self.open: set[int] = set()  # the blocks being walked (an alias to one of them never ends)

    def fail(self, node: yaml.Node, path: Path_, message: str) -> ConfigError:
        where = key_path(path[:6]) + (" ..." if len(path) > 6 else "")  # a hostile path can be 20,000 deep
        return ConfigError([Problem(self.file, message, where, node.start_mark.line + 1)])

    def node(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(node, path, f"the tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is not allowed "
                                        "in a config file (only text, numbers, yes/no, dates, lists and blocks); "
                                        "remove it")
        if depth > MAX_DEPTH:
            raise self.fail(node, path, f"blocks nested more than {MAX_DEPTH} deep; the file is not a config file "
                                        "this tool writes or reads: check how it was made")
        if id(node) in self.open:
            raise self.fail(node, path, "an alias (*name) refers to the block that contains it, so it never ends; "
                                        "write the values out instead")
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise self.fail(node, path, f"aliases (*name) expand to more than {MAX_ALIAS_EXPANSION} values "
                                            "(a file built to exhaust memory?); write the values out instead")
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            self.open.add(id(node))
            try:
                return self._mapping(node, path, depth)
            finally:
                self.open.discard(id(node))
        if isinstance(node, yaml.SequenceNode):
            self.open.add(id(node))
            try:
                return [self.node(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            finally:
                self.open.discard(id(node))
        try:
            return _scalar(node)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:  # e.g. 5,000 digits, !!int 0xZZ
            raise self.fail(node, path, f"'{node.value[:40]}' cannot be read as "
                                        f"{node.tag.replace('tag:yaml.org,2002:', '')} ({_first_line(exc)[:80]}); "
                                        "write it as text in quotes, or correct it") from None

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, path, "merge keys (<<: *name) are not supported; write the keys out")
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                raise self.fail(key_node, path, "a key must be plain text (not a list, a block or a tagged value)")
            key = key_node.value  # keys are text as written (`yes:` is the key 'yes')
            if key in out:
                raise ConfigError([Problem(
                    self.file, f"the key '{key}' is written twice in the same block; keep one",
                    key_path(path + (key,)), key_node.start_mark.line + 1)])
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.node(value_node, path + (key,), depth + 1)
        return out


def _scalar(node: yaml.Node) -> Any:
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    finally:
        _CONSTRUCTOR.constructed_objects.clear()  # the nodes of one file are not kept


def read_yaml(file: Path) -> YamlDoc:
    """Parse ``file``; any unreadable, malformed or hostile YAML becomes a one-line ConfigError."""
    file = Path(file)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError([Problem(file, f"is {size / 1024 / 1024:.1f} MB; a config file is at most "
                                             f"{MAX_BYTES // 1024 // 1024} MB: is it the right file?")])
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError([Problem(file, "file not found")]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(file, "is a folder, not a file")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(file, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 "
                                         "text")]) from None
    except OSError as exc:
        raise ConfigError([Problem(file, f"cannot be read ({exc.strerror})")]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = "; ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError([Problem(file, f"not valid YAML: {what}", line=line)]) from None
    except yaml.YAMLError as exc:  # e.g. a control character: not marked with a line
        raise ConfigError([Problem(file, f"not valid YAML: {_first_line(exc)}")]) from None
    except RecursionError:
        raise ConfigError([Problem(file, f"blocks nested too deep to read (more than {MAX_DEPTH} is never "
                                         "needed); check how the file was made")]) from None
    if node is None:
        raise ConfigError([Problem(file, "the file is empty (or holds only comments); restore it from the copy "
                                         "that came with the tool")])
    if not isinstance(node, yaml.MappingNode):
        what = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise ConfigError([Problem(file, f"the file holds {what}, not 'key: value' lines; restore it from the copy "
                                         "that came with the tool", line=node.start_mark.line + 1)])
    walk = _Walk(file)
    try:
        data = walk.node(node, ())
    except yaml.MarkedYAMLError as exc:  # a scalar that cannot be built, e.g. a bad !!int
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError([Problem(file, f"not valid YAML: {exc.problem or exc.context}",
                                   line=mark.line + 1 if mark else None)]) from None
    return YamlDoc(file, data, walk.lines)


def _first_line(exc: BaseException) -> str:
    """The first line of an error, without Python's own wording around it."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


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
