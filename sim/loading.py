"""Strict loading of YAML input files into pydantic models, with one-line located errors.

Every problem with an input file becomes an :class:`InputError` whose ``str()`` is one line
naming the file, the line and the dotted key path, e.g.::

    scenarios/foo.yaml:12: behaviour.provider.rungs.pledge: Input should be ... (got 3.5)

Key paths are tuples of mapping keys and list indices, e.g. ``("events", 3, "day")``; they
are printed as ``events[3].day`` (see :func:`format_key`).

YAML is read with PyYAML's safe machinery only (``SafeLoader`` to compose the node tree,
its ``SafeConstructor`` to build Python objects). Before anything is constructed, the node
tree is checked: only the standard safe tags are accepted, duplicate keys and recursive
aliases are refused, and the size the document would have once aliases are expanded is
bounded, so an alias bomb ("billion laughs") fails at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Annotated, Any, Literal, TypeAliasType, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import InputError

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "InputError",
    "Sources",
    "format_key",
    "load_document",
    "load_model",
    "load_yaml",
    "validate",
    "with_edits",
]

type KeyPath = tuple[Any, ...]
"""A path of mapping keys and list indices into a loaded document."""

type Origin = tuple[str, int | None]
"""Where a value was set: a file and its line, or an option (``--set ...``) and None."""

MAX_ALIAS_EXPANSION = 200_000
"""Most nodes that alias expansion may add to a document before it is refused."""

_YAML_TAG = "tag:yaml.org,2002:"
_MERGE_TAG = _YAML_TAG + "merge"
_VALUE_TAG = _YAML_TAG + "value"
_STR_TAG = _YAML_TAG + "str"
_SAFE_TAGS = frozenset(t for t in yaml.SafeLoader.yaml_constructors if t is not None)
_MISSING_TYPES = frozenset(
    {
        "missing",
        "missing_argument",
        "missing_keyword_only_argument",
        "missing_positional_only_argument",
    }
)
_PLAIN_KEY = re.compile(r"[^.\[\]\s'\"]+")
_SHORT = 60
_MERGE = object()  # stands for a '<<' merge key while checking for duplicate keys
_KINDS = {"seq": "a list", "set": "a set", "omap": "an ordered map", "pairs": "a list of pairs"}


def format_key(path: Sequence[Any]) -> str:
    """Render a key path as ``a.b[3].c``.

    String keys made of ordinary characters are joined with dots, integers become ``[i]``,
    and any other key is shown as ``[repr(key)]`` so the result always stays on one line.
    """
    out = ""
    for part in path:
        if isinstance(part, str) and _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


class Sources(Mapping[KeyPath, Origin]):
    """Where each key path of a loaded document was set: ``path -> (file, line)``.

    Attributes:
        file: The top-level file (used when nothing better is known).
    """

    def __init__(self, file: str, entries: Mapping[KeyPath, Origin] | None = None) -> None:
        self.file = file
        self._entries: dict[KeyPath, Origin] = dict(entries or {})

    def __getitem__(self, path: KeyPath) -> Origin:
        return self._entries[tuple(path)]

    def __iter__(self) -> Iterator[KeyPath]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Sources({self.file!r}, {len(self._entries)} entries)"

    def locate(self, path: Sequence[Any]) -> Origin:
        """Return ``(file, line)`` for ``path``, or for its nearest ancestor that is present.

        A key that is absent (e.g. a missing required key) is thus located at the mapping
        that should hold it. Falls back to ``(self.file, None)``.
        """
        path = tuple(path)
        for end in range(len(path), -1, -1):
            found = self._entries.get(path[:end])
            if found is not None:
                return found
        return self.file, None

    def error(self, path: Sequence[Any], message: str) -> InputError:
        """Build an :class:`InputError` for ``path`` located with :meth:`locate`."""
        file, line = self.locate(path)
        return InputError(file, message, line=line, key=format_key(path))


# --------------------------------------------------------------------------- YAML reading


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def _tag_message(tag: str) -> str:
    return f"tag {_show_tag(tag)} is not allowed (only plain YAML data is accepted)"


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` that also notes where aliases used as list items appear."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_lines: dict[tuple[int, int], int] = {}  # (id(seq node), index) -> line

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose a node, recording the line of an alias that is a list item."""
        if isinstance(index, int) and self.check_event(yaml.AliasEvent):
            self.alias_lines[(id(parent), index)] = self.peek_event().start_mark.line + 1
        return super().compose_node(parent, index)


class _Checker:
    """Checks a composed node tree before construction and records its expanded size."""

    def __init__(self, file: str, loader: _Loader) -> None:
        self.file = file
        self.loader = loader
        self.sizes: dict[int, int] = {}  # id(node) -> node count once aliases are expanded
        self.keys: dict[int, Any] = {}  # id(key node) -> constructed key
        self.active: set[int] = set()
        self.first_big: tuple[Node, KeyPath] | None = None

    def fail(self, node: Node, path: KeyPath, message: str) -> InputError:
        """An error at ``node``, reached by ``path``."""
        return InputError(self.file, message, line=_line(node), key=format_key(path))

    def size(self, node: Node, path: KeyPath) -> int:
        """Check ``node`` and its subtree once; return its size with aliases expanded."""
        nid = id(node)
        if nid in self.sizes:
            return self.sizes[nid]
        if nid in self.active:
            raise self.fail(node, path, "recursive alias: a node cannot contain itself")
        self.active.add(nid)
        if isinstance(node, ScalarNode):
            total = self._scalar(node, path)
        elif isinstance(node, SequenceNode):
            self._check_tag(node, path)
            total = 1 + sum(self.size(item, (*path, i)) for i, item in enumerate(node.value))
        else:
            self._check_tag(node, path)
            total = self._mapping(node, path)
        self.active.discard(nid)
        self.sizes[nid] = total
        if total > MAX_ALIAS_EXPANSION and self.first_big is None:
            self.first_big = (node, path)
        return total

    def _check_tag(self, node: Node, path: KeyPath) -> None:
        if node.tag not in _SAFE_TAGS:
            raise self.fail(node, path, _tag_message(node.tag))

    def _scalar(self, node: ScalarNode, path: KeyPath) -> int:
        if node.tag in (_VALUE_TAG, _MERGE_TAG):  # a bare '=' or '<<' used as a value
            node.tag = _STR_TAG
        self._check_tag(node, path)
        try:
            self.loader.construct_object(node)
        except Exception as exc:  # e.g. an impossible date or bad base64
            text = node.value if len(node.value) <= _SHORT else node.value[:_SHORT] + "..."
            raise self.fail(
                node, path, f"invalid {_show_tag(node.tag)} value {text!r}: {_one_line(exc)}"
            ) from None
        return 1

    def _key(self, node: Node, path: KeyPath) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, path, "mapping keys must be plain values, not lists or mappings")
        if node.tag == _VALUE_TAG:
            node.tag = _STR_TAG
        self._scalar(node, path)
        key = self.loader.construct_object(node)
        self.keys[id(node)] = key
        return key

    def _mapping(self, node: MappingNode, path: KeyPath) -> int:
        total = 1
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                key: Any = _MERGE
                total += self._merge_size(value_node, path)
            else:
                key = self._key(key_node, path)
                total += 1 + self.size(value_node, (*path, key))
            if key in seen:
                shown = "<<" if key is _MERGE else key
                raise self.fail(
                    key_node, (*path, shown), f"duplicate key (first set on line {seen[key]})"
                )
            seen[key] = _line(key_node)
        return total

    def _merge_size(self, value: Node, path: KeyPath) -> int:
        sources = value.value if isinstance(value, SequenceNode) else [value]
        if not all(isinstance(src, MappingNode) for src in sources):
            raise self.fail(value, path, "merge key '<<' needs a mapping or a list of mappings")
        if isinstance(value, SequenceNode):
            self._check_tag(value, path)
        return sum(self.size(src, path) - 1 for src in sources)


def _line_map(
    root: Node, keys: Mapping[int, Any], alias_lines: Mapping[tuple[int, int], int]
) -> dict[KeyPath, int]:
    """Map each key path of a constructed (merge-flattened) node tree to its line.

    A mapping entry is located at its key; a list item at the item, or at the alias
    when the item is an alias.
    """
    lines: dict[KeyPath, int] = {(): _line(root)}

    def walk(node: Node, path: KeyPath) -> None:
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, index)] = alias_lines.get((id(node), index)) or _line(item)
                walk(item, (*path, index))
        elif isinstance(node, MappingNode):
            winners: dict[Any, tuple[Node, Node]] = {}
            for key_node, value_node in node.value:  # later pairs win, as in construction
                winners[keys[id(key_node)]] = (key_node, value_node)
            for key, (key_node, value_node) in winners.items():
                lines[(*path, key)] = _line(key_node)
                walk(value_node, (*path, key))

    walk(root, ())
    return lines


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _yaml_error(file: str, text: str, exc: yaml.YAMLError) -> InputError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if exc.context and exc.problem and exc.context_mark is not None:
            if mark is None or exc.context_mark.line != mark.line:
                problem += f" ({exc.context} on line {exc.context_mark.line + 1})"
            else:
                problem += f" ({exc.context})"
        return InputError(
            file, f"malformed YAML: {problem}", line=None if mark is None else mark.line + 1
        )
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        why = f"control character U+{code:04X} is not allowed in YAML (remove it)"
        return InputError(file, why, line=line)
    return InputError(file, f"malformed YAML: {_one_line(exc)}")


def load_yaml(path: str | os.PathLike[str]) -> tuple[Any, dict[KeyPath, int]]:
    """Read one YAML file safely and strictly.

    Args:
        path: The file; it is named in errors as given.

    Returns:
        The data (a dict) and a map from each key path (list indices as ints) to the
        1-based line where that key or list item appears.

    Raises:
        InputError: If the file is missing or unreadable, is not valid YAML, uses a tag
            other than the standard safe ones, has a duplicate key or a recursive alias,
            expands aliases too far (more than ``MAX_ALIAS_EXPANSION`` extra nodes), or its
            document is not a mapping.
    """
    file = os.fspath(path)
    try:
        with open(file, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise InputError(file, "file not found") from None
    except OSError as exc:
        raise InputError(file, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(file, "file is not valid UTF-8 text", line=line) from None

    try:
        loader = _Loader(text)  # the reader refuses control characters here
    except yaml.YAMLError as exc:
        raise _yaml_error(file, text, exc) from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _yaml_error(file, text, exc) from None
        if root is None:
            raise InputError(file, "file is empty (expected a mapping of keys to values)")
        if root.tag not in _SAFE_TAGS:
            raise InputError(file, _tag_message(root.tag), line=_line(root))
        if not isinstance(root, MappingNode) or root.tag != _YAML_TAG + "map":
            kind = _KINDS.get(root.tag.removeprefix(_YAML_TAG), "a single value")
            raise InputError(
                file,
                f"the document must be a mapping of keys to values, not {kind}",
                line=_line(root),
            )
        checker = _Checker(file, loader)
        total = checker.size(root, ())
        extra = total - len(checker.sizes)
        if extra > MAX_ALIAS_EXPANSION:
            node, where = checker.first_big or (root, ())
            raise checker.fail(
                node,
                where,
                f"too many alias expansions: aliases would add {extra} nodes to the "
                f"document (limit {MAX_ALIAS_EXPANSION})",
            )
        try:
            data = loader.construct_document(root)
        except yaml.YAMLError as exc:
            raise _yaml_error(file, text, exc) from None
        lines = _line_map(root, checker.keys, loader.alias_lines)
    except RecursionError:
        raise InputError(file, "malformed YAML: nesting is too deep") from None
    finally:
        loader.dispose()
    return data, lines


# --------------------------------------------------------------------------- extends


def _paths(value: Any, path: KeyPath) -> Iterator[KeyPath]:
    """``path`` and the path of everything inside ``value`` below it."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _copy_sources(value: Any, path: KeyPath, src: Mapping[KeyPath, Origin], out: dict) -> None:
    for sub in _paths(value, path):
        found = src.get(sub)
        if found is not None:
            out[sub] = found


def _is_sourced_value(data: dict) -> bool:
    """Whether a mapping is a value with its source: a ``value`` key, at most a ``source``."""
    return "value" in data and set(data) <= {"value", "source"}


def _merge(
    base: Any,
    base_src: Mapping[KeyPath, Origin],
    over: Any,
    over_src: Mapping[KeyPath, Origin],
    path: KeyPath,
    out: dict[KeyPath, Origin],
) -> Any:
    """Deep-merge ``over`` onto ``base`` (new dicts; inputs untouched), filling ``out``.

    A value with its source (``{value: ..., source: ...}``) is one value: it replaces whole, so
    a source never outlives the value it was written for.
    """
    if not (isinstance(base, dict) and isinstance(over, dict)) or _is_sourced_value(over):
        _copy_sources(over, path, over_src, out)
        return over
    found = over_src.get(path) or base_src.get(path)
    if found is not None:
        out[path] = found
    merged: dict[Any, Any] = {}
    for key, value in base.items():
        if key in over:
            merged[key] = _merge(value, base_src, over[key], over_src, (*path, key), out)
        else:
            merged[key] = value
            _copy_sources(value, (*path, key), base_src, out)
    for key, value in over.items():
        if key not in base:
            merged[key] = value
            _copy_sources(value, (*path, key), over_src, out)
    return merged


def _load_extending(
    file: str, chain: tuple[tuple[str, str], ...]
) -> tuple[dict[Any, Any], dict[KeyPath, Origin]]:
    data, lines = load_yaml(file)
    own_src = {path: (file, line) for path, line in lines.items()}
    if "extends" not in data:
        return data, own_src
    spec = data.pop("extends")
    for path in [p for p in own_src if p[:1] == ("extends",)]:
        del own_src[path]

    entries: list[tuple[KeyPath, Any]]
    if isinstance(spec, list):
        entries = [(("extends", index), item) for index, item in enumerate(spec)]
    else:
        entries = [(("extends",), spec)]
    chain = (*chain, (os.path.realpath(file), file))
    merged: dict[Any, Any] = {}
    merged_src: dict[KeyPath, Origin] = {}
    for key_path, name in entries:
        line = lines.get(key_path)
        where = {"line": line, "key": format_key(key_path)}
        if not isinstance(name, str) or not name.strip():
            raise InputError(file, "extends needs a file name or a list of file names", **where)
        base_file = os.path.normpath(os.path.join(os.path.dirname(file), name))
        real = os.path.realpath(base_file)
        if any(seen == real for seen, _ in chain):
            names = " -> ".join([shown for _, shown in chain] + [base_file])
            raise InputError(file, f"extends cycle: {names}", **where)
        if not os.path.exists(base_file):
            raise InputError(file, f"cannot extend {name!r}: file not found ({base_file})", **where)
        base, base_src = _load_extending(base_file, chain)
        out: dict[KeyPath, Origin] = {}
        merged = _merge(merged, merged_src, base, base_src, (), out)
        merged_src = out
    out = {}
    result = _merge(merged, merged_src, data, own_src, (), out)
    return result, out


def load_document(path: str | os.PathLike[str]) -> tuple[dict[Any, Any], Sources]:
    """Load a YAML file, resolving ``extends:`` into one merged mapping.

    ``extends`` names a file, or a list of files applied in order, relative to the
    extending file's directory. Bases are merged first, then the file's own keys on top:
    mappings merge recursively, while scalars and lists replace whole. ``extends`` itself
    is removed from the result.

    Args:
        path: The top-level file.

    Returns:
        The merged data and its :class:`Sources`, which give for each key path the file
        and line where its value was last set.

    Raises:
        InputError: For any problem :func:`load_yaml` reports in any of the files, a bad
            ``extends`` value, an ``extends`` naming a missing file, or an ``extends`` cycle.
    """
    file = os.fspath(path)
    data, entries = _load_extending(file, ())
    return data, Sources(file, entries)


# --------------------------------------------------------------------------- validation


def _short(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value.isoformat() if isinstance(value, dt.date | dt.time) else repr(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bytes | dt.date | dt.time)


def _holds(container: Any, part: Any) -> bool:
    if isinstance(container, dict):
        return part in container
    if isinstance(container, list) and isinstance(part, int) and not isinstance(part, bool):
        return 0 <= part < len(container)
    return False


class _Located:
    """A pydantic error with its ``loc`` split into a data path and the parts skipped."""

    def __init__(self, err: Any, data: Any) -> None:
        self.err = err
        self.loc: tuple[Any, ...] = tuple(err["loc"])
        keep_last = err["type"] in _MISSING_TYPES
        path: list[Any] = []
        self.skipped: list[tuple[int, int, Any]] = []  # (position in loc, depth, part)
        current = data
        for position, part in enumerate(self.loc):
            if _holds(current, part):
                path.append(part)
                current = current[part]
            elif keep_last and position == len(self.loc) - 1:
                path.append(part)
            else:
                self.skipped.append((position, len(path), part))
        self.path: KeyPath = tuple(path)

    def skips_at(self, position: int) -> bool:
        return any(pos == position for pos, _, _ in self.skipped)

    def hints(self) -> dict[int, list[Any]]:
        """Skipped parts (union member names, tags) by the data depth where they occur."""
        out: dict[int, list[Any]] = {}
        for _, depth, part in self.skipped:
            out.setdefault(depth, []).append(part)
        return out


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _fields(tp: Any) -> dict[str, FieldInfo] | None:
    if isinstance(tp, type):
        found = getattr(tp, "__pydantic_fields__", None)
        if isinstance(found, dict):
            return found
    return None


def _field_keys(tp: Any, name: str, field: FieldInfo) -> list[str]:
    """The keys under which input data may give field ``name`` of class ``tp``."""
    aliases: list[str] = []
    for alias in (field.validation_alias, field.alias):
        if isinstance(alias, str):
            aliases.append(alias)
        elif alias is not None and hasattr(alias, "choices"):
            aliases.extend(c for c in alias.choices if isinstance(c, str))
    config = getattr(tp, "model_config", None) or getattr(tp, "__pydantic_config__", {}) or {}
    by_name = config.get("populate_by_name") or config.get("validate_by_name")
    keys = [] if config.get("validate_by_alias") is False else list(dict.fromkeys(aliases))
    if not keys or by_name:
        keys.insert(0, name)
    return keys


def _allowed_keys(tp: Any) -> list[str]:
    fields = _fields(tp) or {}
    return [key for name, f in fields.items() for key in _field_keys(tp, name, f)]


def _find_field(tp: Any, key: Any) -> FieldInfo | None:
    for name, field in (_fields(tp) or {}).items():
        if key in _field_keys(tp, name, field):
            return field
    return None


def _discriminator(meta: Any) -> str | None:
    disc = getattr(meta, "discriminator", None)
    disc = getattr(disc, "discriminator", disc)  # a pydantic Discriminator object
    return disc if isinstance(disc, str) else None


def _literal_values(tp: Any) -> set[Any]:
    values: set[Any] = set()
    origin = get_origin(tp)
    if origin is Annotated:
        return _literal_values(get_args(tp)[0])
    if origin is Literal:
        for value in get_args(tp):
            values.add(value)
            values.add(getattr(value, "value", value))
    elif origin in (Union, types.UnionType):
        for arg in get_args(tp):
            values |= _literal_values(arg)
    return values


def _union_members(tp: Any) -> list[Any]:
    members: list[Any] = []
    for arg in get_args(tp):
        while get_origin(arg) is Annotated or isinstance(arg, TypeAliasType):
            arg = arg.__value__ if isinstance(arg, TypeAliasType) else get_args(arg)[0]
        if get_origin(arg) in (Union, types.UnionType):
            members.extend(_union_members(arg))
        elif arg is not type(None):
            members.append(arg)
    return members


def _pick_member(members: list[Any], disc: str | None, data: Any, hints: list[Any]) -> Any:
    models = [m for m in members if _fields(m) is not None]
    for member in models:  # pydantic names the member in loc, e.g. ('x', 'Sourced', 'value')
        if getattr(member, "__name__", None) in hints:
            return member
    if not isinstance(data, dict):
        return None
    if disc is not None and disc in data:
        for member in models:
            field = _find_field(member, disc)
            try:
                if field is not None and data[disc] in _literal_values(field.annotation):
                    return member
            except TypeError:  # unhashable tag value
                break
    if not models:
        return None
    return max(models, key=lambda m: len(set(_allowed_keys(m)) & set(map(str, data))))


def _resolve(tp: Any, disc: str | None, data: Any, hints: list[Any]) -> Any:
    """Unwrap aliases, ``Annotated`` and unions (choosing the member that fits ``data``)."""
    for _ in range(64):
        if isinstance(tp, TypeAliasType):
            tp = tp.__value__
            continue
        origin = get_origin(tp)
        if isinstance(origin, TypeAliasType):
            tp = origin.__value__
        elif origin is Annotated:
            args = get_args(tp)
            tp = args[0]
            disc = next((d for d in map(_discriminator, args[1:]) if d), disc)
        elif origin in (Union, types.UnionType):
            members = _union_members(tp)
            tp = members[0] if len(members) == 1 else _pick_member(members, disc, data, hints)
        else:
            return tp
    return None


def _type_at(model_cls: type, data: Any, path: KeyPath, hints: dict[int, list[Any]]) -> Any:
    """The (resolved) type expected at ``path`` of ``data`` under ``model_cls``."""
    tp: Any = model_cls
    disc: str | None = None
    for depth, part in enumerate(path):
        tp = _resolve(tp, disc, data, hints.get(depth, []))
        disc = None
        if tp is None:
            return None
        if _fields(tp) is not None:
            field = _find_field(tp, part)
            if field is None:
                return None
            tp, disc = field.annotation, _discriminator(field)
        else:
            origin, args = get_origin(tp), get_args(tp)
            if isinstance(origin, type) and issubclass(origin, Mapping) and len(args) == 2:
                tp = args[1]
            elif origin is tuple and args and isinstance(part, int):
                fixed = not (len(args) == 2 and args[1] is Ellipsis)
                tp = (args[part] if part < len(args) else None) if fixed else args[0]
            elif isinstance(origin, type) and issubclass(origin, Sequence | set | frozenset):
                tp = args[0] if args else None
            else:
                return None
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            data = None
    return _resolve(tp, disc, data, hints.get(len(path), []))


def _unknown_key_message(model_cls: type, data: Any, error: _Located) -> str:
    path = error.path
    owner = _type_at(model_cls, data, path[:-1], error.hints())
    if _fields(owner) is None:
        return "unknown key"
    allowed = _allowed_keys(owner)
    if not allowed:
        return "unknown key (no keys are allowed here)"
    close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (allowed keys: {', '.join(allowed)})"


def _pick_error(errors: list[Any], data: Any) -> _Located:
    """Choose the error to report.

    Normally the first error. Where a plain union failed, pydantic reports errors for
    every member (their ``loc`` parts differ by member name); the first error of the member
    that got deepest into the data (then: with fewest errors) is taken instead, as it is the
    one the user meant (``{value: 1, sorce: x}`` for ``float | Sourced`` concerns
    ``Sourced``, not ``float``).
    Then a missing key yields to an unknown key in the same mapping: a misspelt key
    causes both, and the unknown key says more.
    """
    group = [_Located(err, data) for err in errors]
    start = 0
    while True:
        first = group[0]
        position = next((pos for pos, _, _ in first.skipped if pos >= start), None)
        if position is None:
            break
        prefix = first.loc[:position]
        same = [e for e in group if e.loc[:position] == prefix and e.skips_at(position)]
        members: dict[Any, list[_Located]] = {}
        for located in same:
            members.setdefault(located.loc[position], []).append(located)
        group = max(members.values(), key=lambda m: (max(len(e.path) for e in m), -len(m)))
        start = position + 1
    chosen = group[0]
    if chosen.err["type"] in _MISSING_TYPES:
        for other in group[1:]:
            if other.err["type"] == "extra_forbidden" and other.path[:-1] == chosen.path[:-1]:
                return other
    return chosen


def validate[M: BaseModel](model_cls: type[M], data: dict[Any, Any], sources: Sources) -> M:
    """Validate ``data`` with ``model_cls``, turning the first problem into an InputError.

    Pydantic ``loc`` parts that are not keys of the data at their level (tags of
    discriminated unions, union member names such as ``int`` or a class name, ``[key]``)
    are dropped, so the reported key path is always a path in the user's file; for a
    missing key the last part is kept. Of a failed plain union, the member that got
    deepest into the data is reported. ``extra_forbidden`` becomes ``unknown key`` with a
    did-you-mean suggestion drawn from the fields (and aliases) of the model at that place.
    After validation, a ``problems()`` method on the instance, if any, is called; it must
    return ``[(key_path, message), ...]`` and its first entry is raised.

    Args:
        model_cls: The pydantic model to validate against.
        data: Loaded data, e.g. from :func:`load_document`.
        sources: Where each key path of ``data`` was set.

    Returns:
        The validated instance.

    Raises:
        InputError: For the first validation error or reported problem.
    """
    try:
        instance = model_cls.model_validate(data)
    except ValidationError as exc:
        chosen = _pick_error(exc.errors(), data)
        err, path, kind = chosen.err, chosen.path, chosen.err["type"]
        if kind == "extra_forbidden":
            message = _unknown_key_message(model_cls, data, chosen)
        else:
            message = err["msg"].removeprefix("Value error, ")
            if kind in ("union_tag_invalid", "union_tag_not_found"):
                tag = str((err.get("ctx") or {}).get("discriminator", "")).strip("'")
                if tag and isinstance(_get(data, path), dict):
                    path = (*path, tag)
            elif _is_scalar(err.get("input")) and kind not in _MISSING_TYPES:
                message += f" (got {_short(err['input'])})"
        raise sources.error(path, message) from None
    problems: Callable[[], list[tuple[KeyPath, str]]] | None = getattr(instance, "problems", None)
    if callable(problems):
        found = problems()
        if found:
            path, message = found[0]
            raise sources.error(tuple(path), message)
    return instance


def load_model[M: BaseModel](
    model_cls: type[M], path: str | os.PathLike[str], edits: Sequence[str] = ()
) -> M:
    """Load ``path`` (resolving ``extends``), apply ``edits`` and validate with ``model_cls``.

    Args:
        model_cls: The pydantic model to validate against.
        path: The file.
        edits: ``PATH=VALUE`` edits applied on top of the file (see :func:`with_edits`).

    Raises:
        InputError: For any problem, located in the file where the offending value was set, or
            at the edit that set it.
    """
    data, sources = load_document(path)
    data, sources = with_edits(data, sources, edits)
    return validate(model_cls, data, sources)


# --------------------------------------------------------------------------- edits


def parse_edit(text: str) -> tuple[KeyPath, Any]:
    """Split a ``PATH=VALUE`` edit into its key path and its value, read as YAML.

    ``unrest.noise=0.3`` gives ``(("unrest", "noise"), 0.3)``; the value may be any YAML
    value: a number, a word, ``[a, b]``, ``{value: 1, source: "..."}``.

    Raises:
        InputError: Named ``--set TEXT``, if there is no ``=``, a key is empty, or the value
            is not valid YAML or is empty.
    """
    label = f"--set {text}"
    path, sep, raw = text.partition("=")
    keys = tuple(k.strip() for k in path.split("."))
    if not sep or not all(keys):
        raise InputError(label, "give PATH=VALUE with a dotted key path, e.g. unrest.noise=0.3")
    if not raw.strip():
        raise InputError(label, "no value after '='")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        why = getattr(exc, "problem", None) or _one_line(exc)
        raise InputError(label, f"the value is not valid YAML: {why}") from None
    return keys, value


def with_edits(
    data: dict[Any, Any], sources: Sources, edits: Sequence[str]
) -> tuple[dict[Any, Any], Sources]:
    """``data`` with each ``PATH=VALUE`` edit applied as if written in a file extending it.

    Mappings merge and other values replace, as with ``extends``. Errors in an edited value
    are located at the edit (``--set PATH=VALUE``) instead of a file line.
    """
    entries: dict[KeyPath, Origin] = dict(sources)
    for text in edits:
        keys, value = parse_edit(text)
        over: Any = value
        for key in reversed(keys):
            over = {key: over}
        over_src = {path: (f"--set {text}", None) for path in _paths(value, keys)}
        out: dict[KeyPath, Origin] = {}
        data = _merge(data, entries, over, over_src, (), out)
        entries = out
    return data, Sources(sources.file, entries)
