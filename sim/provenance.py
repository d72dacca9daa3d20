"""Where parameter values come from: find rule parameters written without a source."""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from sim.scenario import Sourced, SourcedCount


def _members(tp: Any) -> tuple[Any, ...]:
    if get_origin(tp) is Annotated:
        return _members(get_args(tp)[0])
    if get_origin(tp) in (Union, types.UnionType):
        return tuple(m for a in get_args(tp) for m in _members(a))
    return (tp,)


def _is_param(tp: Any) -> bool:
    return not {Sourced, SourcedCount}.isdisjoint(_members(tp))


def unsourced(model_cls: type[BaseModel], data: Any, path: tuple = ()) -> list[tuple]:
    """Key paths of rule parameters in ``data`` given as bare numbers, without a source."""
    out: list[tuple] = []
    if not isinstance(data, dict):
        return out
    for name, field in model_cls.model_fields.items():
        if name not in data:
            continue
        out += _walk(field.annotation, data[name], (*path, name), field.discriminator)
    return out


def _walk(tp: Any, value: Any, path: tuple, discriminator: Any = None) -> list[tuple]:
    if _is_param(tp):
        return [] if isinstance(value, dict) and value.get("source") else [path]
    origin = get_origin(tp)
    if origin is Annotated:
        args = get_args(tp)
        disc = next((getattr(a, "discriminator", None) for a in args[1:]), None) or discriminator
        return _walk(args[0], value, path, disc)
    if origin is dict and isinstance(value, dict):
        vt = get_args(tp)[1]
        return [p for k, v in value.items() for p in _walk(vt, v, (*path, k), discriminator)]
    models = [m for m in _members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    if discriminator and isinstance(value, dict):
        models = [
            m
            for m in models
            if value.get(discriminator) in get_args(m.model_fields[discriminator].annotation)
        ]
    return unsourced(models[0], value, path) if models else []
