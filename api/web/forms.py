"""The scenario editor: an HTML form built from the contract's own pydantic models, and back.

Every input is named by its contract location (``clients[0].routines[0].start``), the same
path the loader puts on each problem it finds, so each problem is shown next to the input
(or the group of inputs) it concerns, in the loader's words. The form is the whole
document: :func:`parse_form` reads it back into a scenario document, which the loader then
checks. A value that cannot be read (letters in a number) is kept as typed, so the loader
reports it rather than the form dropping it.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from scheduler.contract.scenario import ALL_DAYS, ScenarioDoc
from scheduler.errors import InputIssue

Kind = Literal[
    "text",
    "textarea",
    "number",
    "checkbox",
    "select",
    "days",
    "list",
    "spans",
    "map",
    "group",
    "hours",
    "items",
]
REMOVE = "__remove"
COUNT = "__count"
TIME_FIELDS = frozenset({"start", "end", "earliest", "latest", "day_start", "day_end"})
NOUNS = {
    "venues": "venue",
    "clients": "client",
    "carers": "carer",
    "practitioners": "practitioner",
    "appointments": "appointment",
    "routines": "routine",
    "busy": "busy entry",
    "current": "booking of today",
    "pinned": "pinned session",
    "matrix": "journey",
}
SECTIONS = (
    "horizon",
    "venues",
    "clients",
    "carers",
    "practitioners",
    "appointments",
    "travel",
    "weights",
    "solver",
)


@dataclass
class FormField:
    """One input, or one group of inputs, of the editor, at a contract location."""

    path: str
    key: str
    label: str
    kind: Kind
    value: Any = ""
    options: tuple[str, ...] = ()
    hint: str | None = None
    required: bool = False
    noun: str = ""
    children: list[FormField] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    open: bool = False

    @property
    def dom_id(self) -> str:
        """The element id of the input or group."""
        return dom_id(self.path)

    @property
    def error_id(self) -> str:
        """The element id of the field's error messages."""
        return self.dom_id + "-errors"

    def walk(self) -> Iterable[FormField]:
        """This field and every field inside it."""
        yield self
        for child in self.children:
            yield from child.walk()

    def has_errors(self) -> bool:
        """True when this field or one inside it has a problem."""
        return any(f.errors for f in self.walk())


@dataclass(frozen=True)
class Problem:
    """A loader problem with the element it is shown at."""

    location: str
    message: str
    target: str


@dataclass
class ScenarioForm:
    """The editor's sections (one per top-level part of the document) and the problems found."""

    fields: list[FormField]
    problems: list[Problem]

    def section(self, key: str) -> FormField:
        """The top-level field ``key``."""
        return next(f for f in self.fields if f.key == key)

    @property
    def top(self) -> list[FormField]:
        """Top-level scalar fields (name, description)."""
        return [f for f in self.fields if f.key not in SECTIONS]

    @property
    def sections(self) -> list[FormField]:
        """The document's parts, in order."""
        return [self.section(key) for key in SECTIONS]


def dom_id(path: str) -> str:
    """``clients[0].name`` -> ``f-clients-0-name``."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]+", "-", path).strip("-")


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type inside ``Annotated`` and ``X | None``, and whether None was allowed."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            annotation = args[0]
        else:
            return annotation, optional


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _kind(key: str, tp: Any) -> Kind:
    origin = get_origin(tp)
    if _is_model(tp):
        return "group"
    if origin is list:
        inner, _ = _unwrap(get_args(tp)[0])
        if _is_model(inner):
            return "items"
        if get_origin(inner) is tuple:
            return "spans"
        if get_origin(inner) is Literal and set(get_args(inner)) <= set(ALL_DAYS):
            return "days"
        return "list"
    if origin is dict:
        value_type, _ = _unwrap(get_args(tp)[1])
        return "hours" if get_origin(value_type) is list else "map"
    if tp is bool:
        return "checkbox"
    if tp in (int, float):
        return "number"
    if origin is Literal:
        return "select"
    return "textarea" if key == "description" else "text"


def _label(key: str) -> str:
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def _default(info: FieldInfo) -> Any:
    if info.default is not PydanticUndefined:
        return info.default
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return PydanticUndefined


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _spans_text(value: Any) -> str:
    if not isinstance(value, list):
        return _text(value)
    parts = []
    for span in value:
        if isinstance(span, list | tuple) and len(span) == 2:
            parts.append(f"{span[0]}-{span[1]}")
        else:
            parts.append(_text(span))
    return ", ".join(parts)


def _map_text(value: Any) -> str:
    if not isinstance(value, dict):
        return _text(value)
    return ", ".join(f"{k}={v}" for k, v in value.items())


def _item_title(noun: str, index: int, item: Any) -> str:
    title = f"{noun[:1].upper()}{noun[1:]} {index + 1}"
    if not isinstance(item, dict):
        return title
    if "from" in item and "to" in item:
        return f"{title}: {item.get('from')} to {item.get('to')} by {item.get('mode', '?')}"
    if "day" in item and "start" in item:
        week = f"week {item['week']} " if item.get("week") else ""
        return f"{title}: {week}{item.get('day')} {item.get('start')} at {item.get('venue', '?')}"
    ident = item.get("id") or item.get("name")
    extra = item.get("name") or item.get("title")
    if ident and extra and extra != ident:
        return f"{title}: {ident} ({extra})"
    return f"{title}: {ident}" if ident else title


def build_fields(model: type[BaseModel], data: Any, path: str) -> list[FormField]:
    """The fields of ``model`` showing ``data`` (a dict of the document, possibly invalid)."""
    values = data if isinstance(data, dict) else {}
    fields = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        fields.append(_build(key, info, values.get(key), f"{path}.{key}" if path else key))
    return fields


def _build(key: str, info: FieldInfo, value: Any, path: str) -> FormField:
    tp, _ = _unwrap(info.annotation)
    kind = _kind(key, tp)
    required = info.is_required()
    out = FormField(
        path=path, key=key, label=_label(key), kind=kind, hint=info.description, required=required
    )
    if kind == "group":
        out.children = build_fields(tp, value, path)
    elif kind == "items":
        item_type, _ = _unwrap(get_args(tp)[0])
        out.noun = NOUNS.get(key, key.rstrip("s"))
        items = value if isinstance(value, list) else []
        for i, item in enumerate(items):
            item_path = f"{path}[{i}]"
            out.children.append(
                FormField(
                    path=item_path,
                    key=str(i),
                    label=_item_title(out.noun, i, item),
                    kind="group",
                    children=build_fields(item_type, item, item_path),
                )
            )
    elif kind == "hours":
        days = value if isinstance(value, dict) else {}
        out.hint = (out.hint or "") + " Times as 09:00-12:30, 13:30-17:00; a day left empty is closed."
        out.children = [
            FormField(
                path=f"{path}.{d}", key=d, label=d.capitalize(), kind="spans", value=_spans_text(days.get(d))
            )
            for d in ALL_DAYS
        ]
    elif kind == "days":
        out.options = ALL_DAYS
        out.value = [d for d in value if isinstance(d, str)] if isinstance(value, list) else []
    elif kind == "select":
        out.options = tuple(str(a) for a in get_args(tp))
        default = _default(info)
        out.value = _text(value)
        if default is not PydanticUndefined and default is not None:
            out.hint = f"{out.hint or ''} Default: {default}."
    elif kind == "checkbox":
        default = _default(info)
        out.value = bool(value) if value is not None else bool(default is True)
    elif kind == "spans":
        out.value = _spans_text(value)
        out.hint = (out.hint or "") + " Times as 09:00-12:30, 13:30-17:00."
    elif kind == "map":
        out.value = _map_text(value)
        out.hint = (out.hint or "") + " As car=40, public=20."
    elif kind == "list":
        out.value = _text(value)
        out.hint = (out.hint or "") + " Separate several with commas."
    else:
        out.value = _text(value)
        if key in TIME_FIELDS:
            out.hint = (out.hint or "") + " A time as HH:MM."
        elif tp is date:
            out.hint = (out.hint or "") + " A date as YYYY-MM-DD."
    if out.hint:
        out.hint = out.hint.strip()
    return out


def scenario_form(
    document: Any, issues: Sequence[InputIssue] = (), open_paths: Iterable[str] = ()
) -> ScenarioForm:
    """The editor for ``document`` with each of ``issues`` attached to the field it concerns."""
    fields = build_fields(ScenarioDoc, document, "")
    nodes = {f.path: f for top in fields for f in top.walk()}
    problems = []
    for issue in issues:
        target = _nearest(nodes, issue.location)
        if target is not None:
            target.errors.append(issue.message)
        problems.append(Problem(issue.location, issue.message, dom_id(target.path) if target else "problems"))
    wanted = set(open_paths)
    for top in fields:
        for f in top.walk():
            f.open = f.has_errors() or any(
                p == f.path or p.startswith((f.path + "[", f.path + ".")) for p in wanted
            )
    return ScenarioForm(fields, problems)


def _nearest(nodes: Mapping[str, FormField], location: str) -> FormField | None:
    """The field at ``location`` or the closest one containing it."""
    path = location
    while path:
        if path in nodes:
            return nodes[path]
        path = re.sub(r"(\[\d+\]|\.[^.\[]+|^[^.\[]+)$", "", path)
    return None


class FormData(Mapping[str, str]):
    """The posted form: the last value of each name, every value of a name with :meth:`getlist`, and
    the uploaded files' names and bytes in ``files``."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        for name, value in pairs:
            self._values.setdefault(name, []).append(value)

    def __getitem__(self, key: str) -> str:
        return self._values[key][-1]

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def getlist(self, key: str) -> list[str]:
        """Every value posted under ``key``."""
        return self._values.get(key, [])


def parse_form(form: FormData) -> dict[str, Any]:
    """The scenario document the editor's inputs describe (checked by the loader afterwards)."""
    return _parse_model(ScenarioDoc, form, "")


def _parse_model(model: type[BaseModel], form: FormData, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        value = _parse(key, info, form, f"{path}.{key}" if path else key)
        if value is not _OMIT:
            out[key] = value
    return out


class _Omit:
    """Marks a value the document leaves out."""


_OMIT: Any = _Omit()


def _number(text: str, tp: Any) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    if tp is int and number.is_integer():
        return int(number)
    if tp is int:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _parse_spans(text: str) -> list[Any]:
    spans: list[Any] = []
    for part in _split(text):
        pieces = [p.strip() for p in re.split(r"\s*(?:-|–|to)\s*", part, maxsplit=1)]
        spans.append(pieces if len(pieces) == 2 and all(pieces) else [part])
    return spans


def _parse(key: str, info: FieldInfo, form: FormData, path: str) -> Any:
    tp, _ = _unwrap(info.annotation)
    kind = _kind(key, tp)
    text = form.get(path, "").strip()
    if kind == "group":
        value = _parse_model(tp, form, path)
        return value if value or info.is_required() else _OMIT
    if kind == "items":
        item_type, _ = _unwrap(get_args(tp)[0])
        items = []
        count = _number(form.get(f"{path}.{COUNT}", "0"), int)
        for i in range(min(count, len(form)) if isinstance(count, int) else 0):
            item_path = f"{path}[{i}]"
            if f"{item_path}.{REMOVE}" not in form:
                items.append(_parse_model(item_type, form, item_path))
        return items if items or info.is_required() else _OMIT
    if kind == "hours":
        hours = {d: _parse_spans(form.get(f"{path}.{d}", "")) for d in ALL_DAYS}
        chosen = {d: spans for d, spans in hours.items() if spans}
        return chosen if chosen else _OMIT
    if kind == "days":
        days = [d for d in ALL_DAYS if d in form.getlist(path)]
        return days if days or info.is_required() else _OMIT
    if kind == "checkbox":
        checked = path in form
        return _OMIT if checked == (_default(info) is True) else checked
    if not text:
        return _OMIT
    if kind == "number":
        return _number(text, tp)
    if kind == "select":
        choices = get_args(tp)
        return next((c for c in choices if str(c) == text), text)
    if kind == "spans":
        return _parse_spans(text)
    if kind == "map":
        mapping: dict[str, Any] = {}
        for part in _split(text):
            name, _, number = part.partition("=")
            mapping[name.strip()] = _number(number.strip(), float) if number else part
        return mapping
    if kind == "list":
        return _split(text)
    return text


def add_item(document: dict[str, Any], path: str) -> str:
    """Append an empty item to the list at ``path`` (``clients[0].routines``); the new item's path.

    Raises ``ValueError`` for a path that names no list of the document's form.
    """
    tokens = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    if not tokens:
        raise ValueError(f"no list at {path!r}")
    node: Any = document
    for token in tokens[:-1]:
        if token.startswith("["):
            index = int(token[1:-1])
            if not isinstance(node, list) or index >= len(node):
                raise ValueError(f"no list at {path!r}")
            node = node[index]
        else:
            if not isinstance(node, dict):
                raise ValueError(f"no list at {path!r}")
            node = node.setdefault(token, {})
    last = tokens[-1]
    if last.startswith("[") or not isinstance(node, dict):
        raise ValueError(f"no list at {path!r}")
    items = node.setdefault(last, [])
    if not isinstance(items, list):
        raise ValueError(f"no list at {path!r}")
    items.append({})
    return f"{path}[{len(items) - 1}]"


def blank_scenario(start: date) -> dict[str, Any]:
    """A small valid scenario to start from: one home, one client, one weekly appointment."""
    return {
        "name": "New scenario",
        "horizon": {"start": start.isoformat(), "weeks": 1, "timezone": "Europe/London"},
        "venues": [{"id": "home-1", "name": "Home", "kind": "home"}],
        "clients": [{"id": "client-1", "name": "First client", "home": "home-1"}],
        "appointments": [
            {"id": "visit-1", "client": "client-1", "title": "Home visit", "duration": 45, "venues": ["home"]}
        ],
    }
