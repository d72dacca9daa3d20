"""Import modules now and run their code at first use: for libraries a process may never need.

Inside ``with deferred(names):`` a module named in ``names`` (or inside one of those packages)
is created and put in ``sys.modules`` as usual, with its name, file, path and spec, but its code
runs only when another attribute of it is first read. Its packages' code runs first, in order,
and with deferral off, so that the library loads as a plain import would have loaded it.
``importlib.util.LazyLoader`` would load the module at the first read of any attribute, which
Mesa's loggers make at once (they walk every module's ``__file__``).
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.machinery import ModuleSpec, SourceFileLoader, SourcelessFileLoader

_loaders: dict[str, importlib.abc.Loader] = {}  # deferred module -> the loader that runs it
_finders: list[_Finder] = []  # those installed now
_lock = threading.RLock()
_PYTHON_SOURCE = (SourceFileLoader, SourcelessFileLoader)


class _Deferred(types.ModuleType):
    """A module whose code has not run yet: reading a missing attribute runs it."""

    def __getattr__(self, name: str) -> object:
        _load(self)
        return getattr(self, name)


def _load(module: types.ModuleType) -> None:
    """Run a deferred module's code, its packages' first, with no deferral while it runs."""
    with _lock:
        parent = sys.modules.get(module.__name__.rpartition(".")[0])
        if isinstance(parent, _Deferred):
            _load(parent)
        if not isinstance(module, _Deferred):  # its package's code loaded it
            return
        module.__class__ = types.ModuleType
        loader = _loaders.pop(module.__name__)
        module.__spec__.loader = module.__loader__ = loader
        paused = list(_finders)
        for finder in paused:
            sys.meta_path.remove(finder)
        try:
            loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module.__name__, None)  # as a failed import leaves it
            raise
        finally:
            sys.meta_path[:0] = paused


class _Loader(importlib.abc.Loader):
    """Creates the module as its own loader would, and leaves its code for later."""

    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        _loaders[module.__name__] = self.real
        module.__class__ = _Deferred


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the modules of ``names`` through the other finders, and defers their code."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        if not any(name == n or name.startswith(n + ".") for n in self.names):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if isinstance(spec.loader, _PYTHON_SOURCE):  # extension modules run when created
            spec.loader = _Loader(spec.loader)
        return spec


@contextmanager
def deferred(names: Sequence[str]) -> Iterator[None]:
    """Defer the code of the modules in ``names`` (and in those packages) imported in the block.

    Modules already imported stay as they are.
    """
    finder = _Finder(names)
    with _lock:
        sys.meta_path.insert(0, finder)
        _finders.append(finder)
    try:
        yield
    finally:
        with _lock:
            sys.meta_path.remove(finder)
            _finders.remove(finder)


def is_deferred(name: str) -> bool:
    """Whether module ``name`` is imported and its code has not run yet."""
    return isinstance(sys.modules.get(name), _Deferred)
