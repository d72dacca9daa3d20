"""An experiment's results on disk: a Parquet dataset written as chunks arrive, and resume.

Layout of ``DIR``::

    manifest.json      what ran (the spec, its hash, the file's text, edits), version, times,
                       counts and status (running, finished, interrupted or crashed)
    runs/part-*.parquet    one row per run (ids, seed, varied values, status, outcomes)
    series/part-*.parquet  daily series, when kept (run_id, day, date, entity, variable, value)
    events/part-*.parquet  events, when kept (run_id, time, date, actor, action, ...)
    .lock              held while a process writes here

A chunk's series and events parts are written before its runs part, each by an atomic
rename, so the runs part is the chunk's commit mark: after a crash, chunks without one are
removed and run again, and every run ends up exactly once. Column types come from the
declarations in :mod:`sim.outcomes` and the sweep's parameters, never from a run.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.errors import StoreError
from sim.experiments.spec import Parameter
from sim.experiments.worker import ChunkResult
from sim.jsonout import plain
from sim.outcomes import Outcome

TABLES = ("runs", "series", "events")
ID_COLUMNS = ("run_id", "sample_id", "replication", "seed", "status", "error")
"""Columns of the runs table that identify a run rather than describe its outcome."""

KIND_TYPES = {
    "day": pa.int64(),
    "count": pa.int64(),
    "number": pa.float64(),
    "category": pa.string(),
    "flag": pa.bool_(),
}
"""Column type of each kind of declared outcome."""

__all__ = [
    "ID_COLUMNS",
    "TABLES",
    "Store",
    "StoreError",
    "count_status",
    "load",
    "runs_done",
    "runs_schema",
]


def parameter_type(p: Parameter) -> pa.DataType:
    """Column type of a varied parameter: int for whole numbers, float, bool or text."""
    if p.whole:
        return pa.int64()
    if p.levels is None or not isinstance(p.levels[0], bool | str):
        return pa.float64()
    return pa.bool_() if isinstance(p.levels[0], bool) else pa.string()


def runs_schema(params: list[Parameter], outcomes: Mapping[str, Outcome]) -> pa.Schema:
    """Schema of the runs table: ids, varied values, status, error, then the outcomes."""
    fields = [pa.field(n, pa.int64()) for n in ("run_id", "sample_id", "replication", "seed")]
    fields += [pa.field(p.path, parameter_type(p)) for p in params]
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string())]
    fields += [pa.field(name, KIND_TYPES[o.kind]) for name, o in outcomes.items()]
    return pa.schema(fields)


@dataclass
class Store:
    """Writes chunks under ``root`` and knows which runs are already there."""

    root: Path
    schema: pa.Schema

    @classmethod
    @contextmanager
    def open(
        cls, root: Path, schema: pa.Schema, manifest: dict
    ) -> Iterator[tuple[Store, set[int]]]:
        """Hold ``root`` for this experiment; yield the store and the run ids already done.

        Raises:
            StoreError: ``root`` is a file, is being written by another process, or holds
                results of another experiment.
        """
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file, not a folder; give --out a folder")
        root.mkdir(parents=True, exist_ok=True)
        with _locked(root):
            path = root / "manifest.json"
            if path.exists():
                old = json.loads(path.read_text())
                if old.get("hash") != manifest["hash"]:
                    raise StoreError(
                        f"{root} holds results of another experiment ({old.get('source')}, "
                        f"{old.get('runs_planned')} runs); use another --out or remove it"
                    )
                manifest = old | {"status": "running"}
            done = _clean(root)
            _write_json(path, manifest)
            yield cls(root, schema), done

    def write(self, result: ChunkResult) -> None:
        """Write one chunk: series and events first, then the runs part that commits it."""
        name = f"part-{result.chunk_id:012d}.parquet"
        for table, frame in (("series", result.series), ("events", result.events)):
            if frame is not None:
                _atomic(self.root / table / name, pa.Table.from_pandas(frame, preserve_index=False))
        _atomic(self.root / "runs" / name, pa.Table.from_pylist(result.runs, schema=self.schema))

    def finish(self, seconds: float, counts: dict[str, int], status: str) -> dict:
        """Record the time taken, the counts and the status in the manifest; return it."""
        path = self.root / "manifest.json"
        manifest = json.loads(path.read_text())
        manifest["seconds"] = round(manifest.get("seconds", 0.0) + seconds, 3)
        manifest["status"] = status
        manifest[status] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        manifest["counts"] = counts
        _write_json(path, manifest)
        return manifest


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold ``root/.lock``; the operating system lets it go if the process dies."""
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise StoreError(
                f"{root} is being written by another sim process (pid {pid}); wait for it to "
                "end or use another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _clean(root: Path) -> set[int]:
    """Remove what an interrupted write left; return the run ids of the committed chunks."""
    for table in TABLES:
        (root / table).mkdir(exist_ok=True)
        for tmp in (root / table).glob("*.tmp"):
            tmp.unlink()
    committed = {p.name for p in (root / "runs").glob("part-*.parquet")}
    for table in ("series", "events"):
        for part in (root / table).glob("part-*.parquet"):
            if part.name not in committed:
                part.unlink()
    done: set[int] = set()
    for part in (root / "runs").glob("part-*.parquet"):
        done.update(pq.read_table(part, columns=["run_id"]).column(0).to_pylist())
    return done


def runs_done(root: Path, digest: str) -> int | None:
    """Runs of the experiment with hash ``digest`` already in ``root`` (None: another's)."""
    path = root / "manifest.json"
    if not path.exists():
        return 0
    if json.loads(path.read_text()).get("hash") != digest:
        return None
    committed = sorted((root / "runs").glob("part-*.parquet"))
    return sum(pq.read_metadata(p).num_rows for p in committed)


def new_manifest(**fields: Any) -> dict:
    """The manifest of a new experiment: the given fields, the version, the start time."""
    return {
        **fields,
        "package_version": __version__,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": 0.0,
        "status": "running",
    }


def count_status(root: Path) -> dict[str, int]:
    """How many runs in ``root`` ended ok and how many failed."""
    parts = sorted((root / "runs").glob("part-*.parquet"))
    counts = {"ok": 0, "failed": 0}
    for part in parts:
        for status in pq.read_table(part, columns=["status"]).column(0).to_pylist():
            counts[status] = counts.get(status, 0) + 1
    return counts


def load(root: str | os.PathLike[str]) -> dict[str, Any]:
    """The tables of an experiment directory as pandas DataFrames, sorted by run.

    Returns a dict with ``runs`` and, when they were kept, ``series`` and ``events``, plus
    ``manifest`` (a dict).
    """
    root = Path(root)
    out: dict[str, Any] = {"manifest": json.loads((root / "manifest.json").read_text())}
    for table in TABLES:
        parts = sorted((root / table).glob("part-*.parquet"))
        if parts:
            frame = pa.concat_tables([pq.read_table(p) for p in parts]).to_pandas()
            keys = ["run_id"] + (["day"] if table == "series" else [])
            out[table] = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    return out


def _atomic(path: Path, table: pa.Table) -> None:
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(plain(data), indent=2, allow_nan=False))
    os.replace(tmp, path)
