"""docs/model.md documents every field of the scenario format.

The fields are found by walking the pydantic models reachable from ``Scenario`` (through nested
models, unions, ``Annotated`` and the value types of dicts and lists), so a field added to any
of them fails this test until the model description names it in backticks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAliasType, get_args, get_origin

import pytest
from pydantic import BaseModel, Field

from sim.scenario import Scenario

DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"


def reachable_models(tp: Any, seen: dict[type[BaseModel], None] | None = None) -> list[type]:
    """Every pydantic model reachable from the type ``tp``, in discovery order."""
    seen = {} if seen is None else seen
    if isinstance(tp, TypeAliasType):
        return reachable_models(tp.__value__, seen)
    origin = get_origin(tp)
    if origin is Literal:
        return list(seen)
    if origin is Annotated:
        return reachable_models(get_args(tp)[0], seen)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp not in seen:
            seen[tp] = None
            for field in tp.model_fields.values():
                reachable_models(field.annotation, seen)
        return list(seen)
    for arg in get_args(tp):  # unions, dict[K, V], list[T], Optional[T], ...
        reachable_models(arg, seen)
    return list(seen)


def field_names(root: type[BaseModel]) -> set[str]:
    """Names of the fields of every model reachable from ``root`` (``root`` included)."""
    return {name for model in reachable_models(root) for name in model.model_fields}


def documented_names(text: str) -> set[str]:
    """Names written in backticks: a whole code span, or one part of a dotted key path.

    ``unrest.noise`` documents ``unrest`` and ``noise``; ``actors.<id>.params.stake`` documents
    ``actors``, ``params`` and ``stake``.
    """
    names = set()
    for span in re.findall(r"`([^`\n]+)`", text):
        names.update(part.strip() for part in span.split("."))
    return names


def undocumented(root: type[BaseModel], text: str) -> list[str]:
    """Fields of the schema under ``root`` that ``text`` does not name in backticks."""
    return sorted(field_names(root) - documented_names(text))


# ---------------------------------------------------------------- the walker itself
class _Leaf(BaseModel):
    leaf_value: float


class _Sourced(BaseModel):
    sourced_value: float
    sourced_source: str


class _A(BaseModel):
    kind: Literal["a"]
    a_only: Annotated[float | _Sourced, Field(description="a ranged number")]


class _B(BaseModel):
    kind: Literal["b"]
    b_items: list[_Leaf] = []


type _AliasedLeaf = _Leaf


class _Root(BaseModel):
    members: dict[str, Annotated[_A | _B, Field(discriminator="kind")]]
    maybe: _Leaf | None = None
    aliased: list[_AliasedLeaf] = []


def test_walker_reaches_models_in_unions_dicts_lists_and_annotations():
    assert set(reachable_models(_Root)) == {_Root, _A, _B, _Leaf, _Sourced}
    assert field_names(_Root) == {
        "members",
        "maybe",
        "aliased",
        "kind",
        "a_only",
        "b_items",
        "leaf_value",
        "sourced_value",
        "sourced_source",
    }


def test_a_new_undocumented_field_is_reported():
    text = "`members` `maybe` `aliased` `kind` `a_only` `b_items` `x.leaf_value` `sourced_value`"
    assert undocumented(_Root, text) == ["sourced_source"]
    assert undocumented(_Root, text + " `sourced_source`") == []


def test_a_name_in_plain_text_or_inside_a_formula_does_not_count():
    assert "stake" not in documented_names("the stake, and `stake * violence > trigger`")
    assert "stake" in documented_names("`actors.<id>.params.stake`")


# ---------------------------------------------------------------- the model description
def test_the_schema_walk_finds_the_nested_models():
    # A sanity floor: the scenario, its actors' parameter blocks and the sourced-value form.
    assert len(reachable_models(Scenario)) >= 15


@pytest.mark.parametrize("name", sorted(field_names(Scenario)))
def test_every_scenario_field_is_documented(name):
    assert name in documented_names(DOC.read_text(encoding="utf-8")), (
        f"scenario field {name!r} is not named in backticks in {DOC.name}"
    )
