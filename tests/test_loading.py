from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from sim.loading import (
    InputError,
    Sources,
    format_key,
    load_document,
    load_model,
    load_yaml,
    validate,
)
from sim.scenario import Scenario as Crisis
from tests.conftest import HISTORICAL

# --------------------------------------------------------------------------- test models


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Params(Strict):
    threshold: float = Field(ge=0, le=1)
    weight: float = 1.0


class State(Strict):
    role: Literal["state"]
    name: str
    params: Params = Params(threshold=0.5)
    ally: str | None = None


class Bloc(Strict):
    role: Literal["bloc"]
    members: list[str]
    cohesion: float = Field(0.5, ge=0, le=1)


Actor = Annotated[State | Bloc, Field(discriminator="role")]


class Region(Strict):
    population: int
    urban: bool = False


class Event(Strict):
    day: int
    action: str


class Scenario(Strict):
    name: str
    days: int = Field(ge=1)
    actors: dict[str, Actor]
    regions: dict[str, Region] = {}
    events: list[Event] = []

    def problems(self) -> list[tuple[tuple, str]]:
        out: list[tuple[tuple, str]] = []
        for aid, actor in self.actors.items():
            if isinstance(actor, State) and actor.ally and actor.ally not in self.actors:
                out.append((("actors", aid, "ally"), f"unknown actor {actor.ally!r}"))
            if isinstance(actor, Bloc):
                for i, member in enumerate(actor.members):
                    if member not in self.actors:
                        out.append((("actors", aid, "members", i), f"unknown actor {member!r}"))
        return out


GOOD = """\
name: test
days: 10
actors:
  russia:
    role: state
    name: Russia
    params:
      threshold: 0.4
  kz:
    role: state
    name: Kazakhstan
    ally: russia
  csto:
    role: bloc
    members: [russia, kz]
regions:
  almaty:
    population: 2000000
    urban: true
events:
  - day: 1
    action: protest
  - day: 2
    action: crackdown
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line of ``path`` containing ``needle``."""
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in {path}"
    return hits[nth - 1]


def load_error(model: type[BaseModel], path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_model(model, path)
    return info.value


def check(err: InputError, path: Path, line: int | None, key: str, message: str) -> None:
    where = f"{path}" if line is None else f"{path}:{line}"
    expected = f"{where}: {key}: {message}" if key else f"{where}: {message}"
    assert str(err) == expected
    assert (err.file, err.line, err.key, err.message) == (str(path), line, key, message)
    assert "\n" not in str(err)


# --------------------------------------------------------------------------- InputError


def test_input_error_formats() -> None:
    assert str(InputError("a.yaml", "boom", line=3, key="x.y")) == "a.yaml:3: x.y: boom"
    assert str(InputError("a.yaml", "boom", key="x")) == "a.yaml: x: boom"
    assert str(InputError("a.yaml", "boom", line=3)) == "a.yaml:3: boom"
    assert str(InputError("a.yaml", "boom")) == "a.yaml: boom"
    assert str(InputError("a.yaml", "two\nlines", line=1)) == "a.yaml:1: two lines"


def test_input_error_pickles() -> None:
    err = pickle.loads(pickle.dumps(InputError("a.yaml", "boom", line=3, key="x")))
    assert (err.file, err.line, err.key, err.message) == ("a.yaml", 3, "x", "boom")


def test_format_key() -> None:
    assert format_key(("actors", "russia", "params", "threshold")) == (
        "actors.russia.params.threshold"
    )
    assert format_key(("events", 3, "day")) == "events[3].day"
    assert format_key((0, "a")) == "[0].a"
    assert format_key(("a.b", "c")) == "['a.b'].c"
    assert format_key(()) == ""


# --------------------------------------------------------------------------- valid input


def test_valid_scenario_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD)
    scenario = load_model(Scenario, path)
    assert isinstance(scenario, Scenario)
    assert isinstance(scenario.actors["csto"], Bloc)
    assert scenario.actors["russia"].params.threshold == 0.4
    assert scenario.events[1].action == "crackdown"


def test_load_yaml_line_map(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD)
    data, lines = load_yaml(path)
    assert data["actors"]["russia"]["params"]["threshold"] == 0.4
    assert lines[()] == 1
    assert lines[("actors", "russia", "params", "threshold")] == line_of(path, "threshold")
    assert lines[("regions", "almaty")] == line_of(path, "almaty")
    assert lines[("events", 1)] == line_of(path, "day: 2")
    assert lines[("events", 1, "action")] == line_of(path, "crackdown")
    assert lines[("actors", "csto", "members", 1)] == line_of(path, "members")


def test_anchors_aliases_and_merge_keys_work(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        """\
        defaults: &defaults
          role: state
          params: &p {threshold: 0.3}
        actors:
          russia:
            <<: *defaults
            name: Russia
          kz:
            <<: *defaults
            name: Kazakhstan
            params: {threshold: 0.9}
        shared: [*p, *p]
        """,
    )
    data, lines = load_yaml(path)
    assert data["actors"]["russia"] == {
        "role": "state",
        "params": {"threshold": 0.3},
        "name": "Russia",
    }
    assert data["actors"]["kz"]["params"] == {"threshold": 0.9}
    assert data["shared"] == [{"threshold": 0.3}, {"threshold": 0.3}]
    # merged-in keys are located where they are written (in the anchored mapping) ...
    assert lines[("actors", "russia", "role")] == line_of(path, "role: state")
    # ... explicit keys where the mapping overrides them, alias list items at the alias
    assert lines[("actors", "kz", "params")] == line_of(path, "threshold: 0.9")
    assert lines[("shared", 1)] == line_of(path, "shared")

    class Doc(BaseModel):
        actors: dict[str, Actor]

    doc = validate(Doc, {"actors": data["actors"]}, Sources(str(path)))
    assert doc.actors["russia"].params.threshold == 0.3


# --------------------------------------------------------------------------- validation errors


# Each case edits the good scenario: (old text, new text, needle on the error's line, key, message).
EDITS = {
    "wrong_type": (
        "days: 10",
        "days: many",
        "days:",
        "days",
        "Input should be a valid integer, unable to parse string as an integer (got 'many')",
    ),
    "wrong_type_in_list_item": (
        "day: 2",
        "day: [2]",
        "day: [2]",
        "events[1].day",
        "Input should be a valid integer",
    ),
    "out_of_range": (
        "threshold: 0.4",
        "threshold: 3.5",
        "threshold: 3.5",
        "actors.russia.params.threshold",
        "Input should be less than or equal to 1 (got 3.5)",
    ),
    "unknown_top_level_key": (
        "days: 10",
        "days: 10\nevnts: []",
        "evnts",
        "evnts",
        "unknown key (did you mean 'events'?)",
    ),
    # A misspelt required key reports the unknown key, not the missing one.
    "misspelt_required_key": (
        "population:",
        "populaton:",
        "populaton",
        "regions.almaty.populaton",
        "unknown key (did you mean 'population'?)",
    ),
    "unknown_key_in_dict_entry": (
        "urban: true",
        "urbn: true",
        "urbn",
        "regions.almaty.urbn",
        "unknown key (did you mean 'urban'?)",
    ),
    # The tag that pydantic puts into loc is not a key: it must not appear.
    "unknown_key_in_union_member": (
        "    params:",
        "    parms:",
        "parms",
        "actors.russia.parms",
        "unknown key (did you mean 'params'?)",
    ),
    # The 'bloc' member is chosen by its tag: 'members' only exists there.
    "unknown_key_in_other_union_member": (
        "    members: [russia, kz]",
        "    membrs: [a]",
        "membrs",
        "actors.csto.membrs",
        "unknown key (did you mean 'members'?)",
    ),
    "missing_required_key_at_parent": (
        "    population: 2000000\n",
        "",
        "almaty",
        "regions.almaty.population",
        "Field required",
    ),
    "missing_required_key_in_union_member": (
        "    name: Russia\n",
        "",
        "russia:",
        "actors.russia.name",
        "Field required",
    ),
    "missing_top_level_key": ("name: test\n", "", "days:", "name", "Field required"),
    "reference_error": (
        "ally: russia",
        "ally: china",
        "ally: china",
        "actors.kz.ally",
        "unknown actor 'china'",
    ),
    "reference_error_in_list": (
        "[russia, kz]",
        "[russia,\n      china]",
        "china",
        "actors.csto.members[1]",
        "unknown actor 'china'",
    ),
    "unknown_key_without_close_match": (
        "urban: true",
        "zzzz: true",
        "zzzz",
        "regions.almaty.zzzz",
        "unknown key (allowed keys: population, urban)",
    ),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_bad_value_is_located(tmp_path: Path, case: str) -> None:
    old, new, needle, key, message = EDITS[case]
    path = write(tmp_path, "s.yaml", GOOD.replace(old, new))
    check(load_error(Scenario, path), path, line_of(path, needle), key, message)


def test_unknown_key_via_alias_suggests_alias(tmp_path: Path) -> None:
    class Aliased(Strict):
        start_date: str = Field(alias="start-date")

    path = write(tmp_path, "s.yaml", "start-dat: x\n")
    err = load_error(Aliased, path)
    assert err.key == "start-dat"
    assert err.message.endswith("(did you mean 'start-date'?)")


class Sourced(Strict):
    value: float
    source: str


class Knobs(Strict):
    level: float | Sourced = 0.0
    levels: list[float | Sourced] = []


def test_plain_union_reports_the_member_that_fits_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "k.yaml", "levels: [1, 2]\nlevel: {value: 0.5, sorce: paper}\n")
    err = load_error(Knobs, path)
    # pydantic's first error is float's 'Input should be a valid number'; the mapping
    # was clearly meant as Sourced, whose misspelt key is the real problem.
    check(err, path, 2, "level.sorce", "unknown key (did you mean 'source'?)")


def test_plain_union_member_error_inside_list(tmp_path: Path) -> None:
    path = write(tmp_path, "k.yaml", "levels:\n  - 1\n  - {value: high, source: paper}\n")
    err = load_error(Knobs, path)
    check(
        err,
        path,
        3,
        "levels[1].value",
        "Input should be a valid number, unable to parse string as a number (got 'high')",
    )


def test_plain_union_scalar_keeps_first_member_error(tmp_path: Path) -> None:
    path = write(tmp_path, "k.yaml", "level: high\n")
    err = load_error(Knobs, path)
    check(
        err,
        path,
        1,
        "level",
        "Input should be a valid number, unable to parse string as a number (got 'high')",
    )


class Inner(Strict):
    x: int


class Nested(Strict):
    inner: Inner


class Flat(Strict):
    inner: int
    other: int
    third: int


class Either(Strict):
    pick: Nested | Flat


def test_did_you_mean_uses_the_union_member_that_failed(tmp_path: Path) -> None:
    # Top-level keys overlap Flat more, but only Nested accepts a mapping for 'inner':
    # the suggestion must come from Nested's Inner.
    text = "pick:\n  inner: {x: 1, xx: 2}\n  other: 1\n  third: 1\n"
    path = write(tmp_path, "e.yaml", text)
    err = load_error(Either, path)
    check(err, path, 2, "pick.inner.xx", "unknown key (did you mean 'x'?)")


def test_bad_union_tag_located_at_tag(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD.replace("role: bloc", "role: empire"))
    err = load_error(Scenario, path)
    assert err.line == line_of(path, "empire")
    assert err.key == "actors.csto.role"
    assert "'empire'" in err.message


def test_sources_locate_falls_back_to_ancestor() -> None:
    sources = Sources("f.yaml", {(): ("f.yaml", 1), ("a",): ("g.yaml", 4)})
    assert sources.locate(("a", "b", 3)) == ("g.yaml", 4)
    assert sources.locate(("z",)) == ("f.yaml", 1)
    assert Sources("f.yaml").locate(("z",)) == ("f.yaml", None)
    assert str(sources.error(("a", "b"), "bad")) == "g.yaml:4: a.b: bad"


# --------------------------------------------------------------------------- extends


BASE = """\
name: base
days: 10
actors:
  russia:
    role: state
    name: Russia
    params:
      threshold: 0.4
      weight: 2.0
  csto:
    role: bloc
    members: [russia, kz, by]
regions:
  almaty:
    population: 2000000
"""


def test_extends_deep_merge(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "sub/child.yaml",
        """\
        extends: ../base.yaml
        name: child
        actors:
          russia:
            params:
              threshold: 0.9
          kz:
            role: state
            name: Kazakhstan
          csto:
            members: [russia, kz]
        """,
    )
    data, sources = load_document(child)
    assert "extends" not in data
    assert data["name"] == "child"
    assert data["days"] == 10
    assert data["actors"]["russia"] == {
        "role": "state",
        "name": "Russia",
        "params": {"threshold": 0.9, "weight": 2.0},
    }
    assert data["actors"]["csto"]["members"] == ["russia", "kz"]  # lists replace whole
    assert list(data["actors"]) == ["russia", "csto", "kz"]
    base_name = str(tmp_path / "base.yaml")
    assert base_name == str(base)
    child_name = str(child)
    assert sources[("actors", "russia", "params", "threshold")] == (
        child_name,
        line_of(child, "threshold"),
    )
    assert sources[("actors", "russia", "params", "weight")] == (
        base_name,
        line_of(base, "weight"),
    )
    assert sources[("days",)] == (base_name, line_of(base, "days"))
    assert sources[("actors", "csto", "members", 1)] == (child_name, line_of(child, "members"))
    assert ("actors", "csto", "members", 2) not in sources  # replaced list: no stale entries
    assert not any(path[:1] == ("extends",) for path in sources)
    assert load_model(Scenario, child).actors["russia"].params.threshold == 0.9


def test_extends_error_in_child_points_at_child(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        """\
        extends: base.yaml
        actors:
          russia:
            params:
              threshold: 3.5
        """,
    )
    err = load_error(Scenario, child)
    check(
        err,
        child,
        line_of(child, "threshold"),
        "actors.russia.params.threshold",
        "Input should be less than or equal to 1 (got 3.5)",
    )


def test_extends_error_in_base_points_at_base(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", BASE.replace("weight: 2.0", "weight: heavy"))
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\n")
    err = load_error(Scenario, child)
    assert err.file == str(base)
    assert err.line == line_of(base, "weight")
    assert err.key == "actors.russia.params.weight"
    assert err.message.endswith("(got 'heavy')")


def test_extends_list_applied_in_order(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "x: 1\ny: {p: 1, q: 1}\n")
    b = write(tmp_path, "b.yaml", "x: 2\ny: {q: 2}\n")
    c = write(tmp_path, "c.yaml", "extends: [a.yaml, b.yaml]\nz: 3\n")
    data, sources = load_document(c)
    assert data == {"x": 2, "y": {"p": 1, "q": 2}, "z": 3}
    assert sources[("x",)] == (str(b), 1)
    assert sources[("y", "p")] == (str(tmp_path / "a.yaml"), 2)
    assert sources[("z",)] == (str(c), 2)


def test_extends_chain_of_three(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "x: 1\ny: 1\nw: 1\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\ny: 2\n")
    c = write(tmp_path, "c.yaml", "extends: b.yaml\nw: 3\n")
    data, sources = load_document(c)
    assert data == {"x": 1, "y": 2, "w": 3}
    assert sources[("y",)] == (str(tmp_path / "b.yaml"), 2)


def test_extends_cycle(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\nx: 1\n")
    b = write(tmp_path, "b.yaml", "y: 2\nextends: a.yaml\n")
    with pytest.raises(InputError) as info:
        load_document(a)
    check(info.value, b, 2, "extends", f"extends cycle: {a} -> {b} -> {a}")


def test_extends_self(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "x: 1\nextends: [a.yaml]\n")
    with pytest.raises(InputError) as info:
        load_document(a)
    check(info.value, a, 2, "extends[0]", f"extends cycle: {a} -> {a}")


def test_extends_diamond_is_not_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, "d.yaml", "x: 1\n")
    write(tmp_path, "b.yaml", "extends: d.yaml\nb: 1\n")
    write(tmp_path, "c.yaml", "extends: d.yaml\nc: 1\n")
    a = write(tmp_path, "a.yaml", "extends: [b.yaml, c.yaml]\n")
    assert load_document(a)[0] == {"x": 1, "b": 1, "c": 1}


def test_extends_missing_file(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "x: 1\nextends: nowhere.yaml\n")
    with pytest.raises(InputError) as info:
        load_document(a)
    err = info.value
    assert (err.file, err.line, err.key) == (str(a), 2, "extends")
    assert "'nowhere.yaml'" in err.message
    assert "file not found" in err.message


def test_extends_bad_value(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: {file: b.yaml}\n")
    with pytest.raises(InputError) as info:
        load_document(a)
    assert (info.value.line, info.value.key) == (1, "extends")


# --------------------------------------------------------------------------- YAML errors


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as info:
        load_yaml(path)
    check(info.value, path, None, "", "file not found")


def test_malformed_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "a: 1\nb:\n  c: 2\n d: 3\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    err = info.value
    assert (err.file, err.line, err.key) == (str(path), 4, "")
    assert err.message.startswith("malformed YAML: ")


def test_python_tag_refused_and_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(
        tmp_path,
        "evil.yaml",
        f'name: x\nrun: !!python/object/apply:os.system ["touch {marker}"]\n',
    )
    with pytest.raises(InputError) as info:
        load_yaml(path)
    check(
        info.value,
        path,
        2,
        "run",
        "tag !!python/object/apply:os.system is not allowed (only plain YAML data is accepted)",
    )
    assert not marker.exists()


def test_custom_tag_on_root_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "evil.yaml", "!!python/object:os.Foo {a: 1}\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert info.value.line == 1
    assert "!!python/object:os.Foo is not allowed" in info.value.message


def test_duplicate_key(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "a: 1\nb:\n  c: 2\n  d: 0\n  c: 3\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    check(info.value, path, 5, "b.c", "duplicate key (first set on line 3)")


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "a: 1\nb: 2\na: 1\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    check(info.value, path, 3, "a", "duplicate key (first set on line 1)")


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- 1\n- 2\n", "a list"), ("just text\n", "a single value"), ("42\n", "a single value")],
)
def test_non_mapping_document(tmp_path: Path, text: str, kind: str) -> None:
    path = write(tmp_path, "x.yaml", text)
    with pytest.raises(InputError) as info:
        load_yaml(path)
    check(info.value, path, 1, "", f"the document must be a mapping of keys to values, not {kind}")


def test_empty_document(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "# nothing here\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert info.value.file == str(path)
    assert "empty" in info.value.message


def test_multiple_documents_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "a: 1\n---\nb: 2\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert info.value.line == 2
    assert info.value.message.startswith("malformed YAML")


def test_invalid_scalar_located(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "a: 1\nstart: 2022-13-45\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert (info.value.line, info.value.key) == (2, "start")
    assert "'2022-13-45'" in info.value.message


def test_recursive_alias_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "a: 1\nloop: &r [1, *r]\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert (info.value.line, info.value.key) == (2, "loop[1]")
    assert "recursive alias" in info.value.message


def billion_laughs(levels: int) -> str:
    """A document whose last list expands to 9**levels strings."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * 9)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


# Run in a child process, with a time limit and (where available) a memory cap, so that a
# broken bound makes the test fail instead of hanging the test run or exhausting memory.
BOMB_CHILD = """
import sys, time
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
except (ImportError, ValueError, OSError):
    pass
from pydantic import BaseModel, ConfigDict
from sim.loading import InputError, load_model, load_yaml

class Anything(BaseModel):
    model_config = ConfigDict(extra="allow")

start = time.perf_counter()
try:
    if sys.argv[2] == "model":
        load_model(Anything, sys.argv[1])
    else:
        load_yaml(sys.argv[1])
except InputError as err:
    print(f"{time.perf_counter() - start:.3f}")
    print(err)
    sys.exit(0)
sys.exit("no InputError")
"""


def assert_refused_fast(path: Path, how: str) -> str:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", BOMB_CHILD, str(path), how],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("alias bomb was not refused (timed out)")
    assert proc.returncode == 0, proc.stderr[-2000:]
    elapsed, message = proc.stdout.splitlines()
    assert float(elapsed) < 2.0
    return message


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    text = billion_laughs(9)
    assert text.count("\n") == 9
    path = write(tmp_path, "bomb.yaml", text)
    message = assert_refused_fast(path, "model")
    assert message.startswith(f"{path}:")
    assert "too many alias expansions" in message


def test_billion_laughs_via_merge_keys_fails_fast(tmp_path: Path) -> None:
    lines = ["a0: &a0 {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1}"]
    for level in range(1, 9):
        items = ", ".join(f"k{i}: *a{level - 1}" for i in range(9))
        lines.append(f"a{level}: &a{level} {{{items}}}")
    lines.append("top: {<<: *a8}")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert "too many alias expansions" in assert_refused_fast(path, "yaml")


def test_small_alias_fan_out_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.yaml", billion_laughs(4))  # 9**4 leaves: well under the limit
    data, lines = load_yaml(path)
    assert len(data["l3"]) == 9
    assert data["l3"][8][8][8] == ["lol"] * 9
    assert lines[("l3", 8)] == 4
    assert lines[("l3", 8, 8, 8, 0)] == 1


# --------------------------------------------------------------------------- values with sources
def test_a_value_with_its_source_replaces_whole(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "x:\n  w: {value: 1.0, source: 'article, A: why'}\n  k: 2\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nx:\n  w: {value: 9.0}\n")
    data, sources = load_document(child)
    assert data["x"]["w"] == {"value": 9.0}  # the base's source does not outlive its value
    assert data["x"]["k"] == 2  # other mappings still merge
    assert sources[("x", "w")][0] == str(child)
    resourced = write(tmp_path, "re.yaml", "extends: base.yaml\nx:\n  w: {source: other}\n")
    # a new source alone cites the same value anew
    assert load_document(resourced)[0]["x"]["w"] == {"value": 1.0, "source": "other"}


def test_a_changed_rule_value_without_a_source_fails_the_source_check(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {HISTORICAL}\nactors:\n  russia:\n    force:\n      troops: {{value: 9.0}}\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "validate", "--require-sources", str(child)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith(f"{child}:5: actors.russia.force.troops")


# --------------------------------------------------------------------------- --set edits
def test_edits_merge_like_a_child_file_and_are_checked() -> None:
    sc = load_model(
        Crisis, HISTORICAL, ["behaviour.unrest.noise=0.3", "switches.host_never_asks=[russia]"]
    )
    assert sc.behaviour.unrest.noise == 0.3 and sc.switches.host_never_asks == ["russia"]
    assert (
        sc.behaviour.unrest.contagion == load_model(Crisis, HISTORICAL).behaviour.unrest.contagion
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            "behaviour.unrest.noise=7",
            "--set behaviour.unrest.noise=7: behaviour.unrest.noise: "
            "must be between 0 and 2 (got 7)",
        ),
        ("behaviour.unrest.contagoin=1", "did you mean 'contagion'"),
        ("behaviour.unrest.noise", "give PATH=VALUE"),
        ("behaviour.unrest.noise=", "no value"),
        ("unrest..noise=1", "give PATH=VALUE"),
        ("behaviour.unrest.noise=[1", "not valid YAML"),
        ("behaviour.host.max_concessions=1.5", "valid integer"),
    ],
)
def test_a_bad_edit_names_the_edit(edit: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        load_model(Crisis, HISTORICAL, [edit])
    assert str(err.value).startswith(f"--set {edit.split('=')[0]}")
    assert message in str(err.value)
