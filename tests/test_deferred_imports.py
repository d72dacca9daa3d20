"""Deferred imports: code runs at first use, packages first; the fork server's workers."""

from __future__ import annotations

import builtins
import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from sim.deferred_imports import deferred, is_deferred
from sim.experiments import pool_server
from sim.experiments.plan import RunSpec
from sim.experiments.spec import Keep
from sim.experiments.worker import Task, run_chunk
from sim.model import CrisisModel
from sim.outcomes import outcomes


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``dpkg`` whose modules note in ``builtins.dpkg_trace`` when their code runs."""
    root = tmp_path / "dpkg"
    root.mkdir()
    note = "import builtins; builtins.dpkg_trace.append(__name__)\n"
    (root / "__init__.py").write_text(note + "from dpkg import side\n")
    (root / "side.py").write_text(note)
    (root / "sub.py").write_text(note + "VALUE = 42\n")
    (root / "broken.py").write_text(note + "raise RuntimeError('broken on purpose')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(builtins, "dpkg_trace", [], raising=False)
    yield builtins.dpkg_trace
    for name in [m for m in sys.modules if m == "dpkg" or m.startswith("dpkg.")]:
        del sys.modules[name]


def test_a_deferred_module_runs_at_first_use_after_its_package(package):
    with deferred(["dpkg"]):
        import dpkg.sub
    assert package == []
    assert is_deferred("dpkg") and is_deferred("dpkg.sub")
    assert dpkg.sub.__name__ == "dpkg.sub"  # what import machinery and loggers read
    assert package == []
    assert dpkg.sub.VALUE == 42
    # the package's own imports ran with deferral off, as a plain import runs them
    assert package == ["dpkg", "dpkg.side", "dpkg.sub"]
    assert not is_deferred("dpkg") and not is_deferred("dpkg.sub")


def test_modules_outside_the_names_and_after_the_block_import_as_usual(package):
    with deferred(["elsewhere"]):
        import dpkg
    assert package == ["dpkg", "dpkg.side"]
    with deferred(["dpkg"]):
        pass
    import dpkg.sub

    assert not is_deferred("dpkg.sub") and dpkg.sub.VALUE == 42
    assert package == ["dpkg", "dpkg.side", "dpkg.sub"]


def test_a_module_that_fails_when_used_raises_and_is_not_left_half_loaded(package):
    with deferred(["dpkg"]):
        import dpkg.broken
    with pytest.raises(RuntimeError, match="broken on purpose"):
        dpkg.broken.anything  # noqa: B018
    assert "dpkg.broken" not in sys.modules


def _task(keep: Keep) -> Task:
    from sim.scenario import load_scenario

    base = load_scenario("scenarios/historical.yaml")
    columns = list(outcomes(CrisisModel(base, rng=1).run()))
    runs = [RunSpec(i, 0, i, seed, ()) for i, seed in enumerate((11, 12, 13))]
    return Task(base, [], [], runs, columns, keep)


def test_the_fork_servers_workers_run_as_the_parent_without_loading_pandas():
    pool_server.start()
    plain, kept = _task(Keep()), _task(Keep(events=True, series=True))
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("forkserver")) as pool:
        assert pool.submit(is_deferred, "pandas").result()
        assert pool.submit(run_chunk, plain).result().runs == run_chunk(plain).runs
        assert pool.submit(is_deferred, "pandas").result()  # a run did not need it
        got, want = pool.submit(run_chunk, kept).result(), run_chunk(kept)
        assert not pool.submit(is_deferred, "pandas").result()  # the tables did
    assert got.runs == want.runs
    assert got.events.equals(want.events) and got.series.equals(want.series)
