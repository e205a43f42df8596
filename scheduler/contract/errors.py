"""Turning JSON text and pydantic's errors into located, human messages."""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from scheduler.errors import InputError, InputIssue

ModelT = TypeVar("ModelT", bound=BaseModel)


def format_location(loc: Sequence[str | int]) -> str:
    """``("clients", 2, "routines", 0, "start")`` -> ``clients[2].routines[0].start``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part == "[key]":
            continue
        elif not _PLAIN_KEY.match(part):
            text += f"[{_short(part)}]"
        else:
            text += f".{part}" if text else part
    return text


_PLAIN_KEY = re.compile(r"^[^\s.\[\]\"\\\x00-\x1f\x7f-\x9f\u2028\u2029]+$")
"""A key shown as ``.key`` in a location; any other is shown quoted, as ``["odd key"]``."""


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """``'; did you mean "x"?'`` when a choice is close to ``word``, else ``''``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def _unwrap(tp: Any) -> list[Any]:
    """The concrete types behind Optional, Annotated and unions."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _unwrap(arg)]
    return [tp]


def _descend(tp: Any, key: str | int) -> Any:
    """The type found at ``key`` inside a value of type ``tp`` (None when unknown)."""
    for concrete in _unwrap(tp):
        origin = typing.get_origin(concrete)
        if isinstance(concrete, type) and issubclass(concrete, BaseModel) and isinstance(key, str):
            for name, info in concrete.model_fields.items():
                if key in (name, info.alias):
                    return info.annotation
        elif origin in (list, tuple) and isinstance(key, int):
            args = typing.get_args(concrete)
            return args[min(key, len(args) - 1)] if origin is tuple else args[0]
        elif origin is dict and isinstance(key, str):
            return typing.get_args(concrete)[1]
    return None


def _field_names_at(root: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    tp: Any = root
    for key in loc:
        tp = _descend(tp, key)
        if tp is None:
            return []
    for concrete in _unwrap(tp):
        if isinstance(concrete, type) and issubclass(concrete, BaseModel):
            return [info.alias or name for name, info in concrete.model_fields.items()]
    return []


def _literal_choices(root: type[BaseModel], loc: Sequence[str | int], *, key: bool = False) -> list[str]:
    """The words a literal field at ``loc`` allows (of a map's keys when ``key``), for suggestions."""
    tp: Any = root
    for part in loc if not key else loc[:-1]:
        tp = _descend(tp, part)
        if tp is None:
            return []
    if key:
        maps = [t for t in _unwrap(tp) if typing.get_origin(t) is dict]
        tp = typing.get_args(maps[0])[0] if maps else None
    return [
        choice
        for concrete in _unwrap(tp)
        if typing.get_origin(concrete) is typing.Literal
        for choice in typing.get_args(concrete)
        if isinstance(choice, str)
    ]


def _short(value: Any) -> str:
    """``value`` as short, printable JSON (escapes for control characters and lone surrogates)."""
    try:
        text = json.dumps(value, default=str)
    except (RecursionError, ValueError):
        text = f"a nested {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


def _message(root: type[BaseModel], error: Any) -> InputIssue:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return InputIssue(format_location(loc), "required field is missing")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        hint = did_you_mean(key, _field_names_at(root, loc[:-1]))
        return InputIssue(format_location(loc), f"unknown field {_short(key)}{hint}")
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        if loc and loc[-1] == "[key]":
            word = str(loc[-2])
            hint = did_you_mean(word, _literal_choices(root, loc[:-1], key=True))
            return InputIssue(format_location(loc), f"{_short(word)} is not one of {expected}{hint}")
        hint = did_you_mean(value, _literal_choices(root, loc)) if isinstance(value, str) else ""
        return InputIssue(format_location(loc), f"{_short(value)} is not one of {expected}{hint}")
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        return InputIssue(format_location(loc), message)
    message = error["msg"]
    if value is not None and not isinstance(value, dict | list):
        message += f" (got {_short(value)})"
    return InputIssue(format_location(loc), message[0].lower() + message[1:])


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse_json(text: str | bytes, error: type[InputError]) -> Any:
    """Parse JSON text, raising ``error`` with the line and column of what is wrong."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error([InputIssue("", f"not UTF-8 text (byte {exc.start})")]) from None
    if not text.strip():
        raise error([InputIssue("", "the document is empty")])
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except _DuplicateKeyError as exc:
        raise error([InputIssue("", f"the key {_short(exc.key)} appears twice in one object")]) from None
    except RecursionError:
        raise error([InputIssue("", "arrays or objects are nested too deeply")]) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise error([InputIssue(where, f"not valid JSON: {exc.msg}")]) from None


def read_document(path: str | Path, error: type[InputError]) -> Any:
    """Read and parse a JSON file, raising ``error`` when it cannot be read or parsed."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise error([InputIssue(str(path), f"cannot read the file: {exc.strerror}")]) from None
    return parse_json(raw, error)


def validate_model(model: type[ModelT], data: Any, error: type[InputError]) -> ModelT:
    """``model`` validated from plain data, raising ``error`` with every located problem."""
    if not isinstance(data, dict):
        raise error([InputIssue("", f"expected a JSON object, got {type(data).__name__}")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error([_message(model, e) for e in exc.errors()]) from None
