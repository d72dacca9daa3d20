"""An experiment's results on disk: a Parquet dataset written as chunks arrive, and resume.

Layout of ``DIR``::

    manifest.json      the sweep file's text and hash, package version, times, counts
    runs/part-*.parquet    one row per run (ids, seed, varied values, status, outcomes)
    series/part-*.parquet  daily series, when kept (run_id, day, date, entity, variable, value)
    events/part-*.parquet  events, when kept (run_id, time, date, actor, action, ...)

A chunk's series and events parts are written before its runs part, each by an atomic
rename, so the runs part is the chunk's commit mark: after a crash, chunks without one are
removed and run again, and every run ends up exactly once.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.experiments.spec import Parameter
from sim.experiments.worker import ChunkResult

TABLES = ("runs", "series", "events")
ID_COLUMNS = ("run_id", "sample_id", "replication", "seed", "status", "error")
"""Columns of the runs table that identify a run rather than describe its outcome."""


class StoreError(Exception):
    """The output directory cannot take these results (another sweep's, or unreadable)."""


def arrow_type(value: Any, name: str) -> pa.DataType:
    """Column type of an outcome or parameter, from an example value (and its name if None)."""
    if isinstance(value, bool):
        return pa.bool_()
    if isinstance(value, int) or (value is None and name.endswith("_day")):
        return pa.int64()
    if isinstance(value, float):
        return pa.float64()
    return pa.string()


def parameter_type(p: Parameter) -> pa.DataType:
    """Column type of a varied parameter: float for bounds; bool, float or text for levels."""
    if p.levels is None or not isinstance(p.levels[0], bool | str):
        return pa.float64()
    return pa.bool_() if isinstance(p.levels[0], bool) else pa.string()


def runs_schema(params: list[Parameter], outcome_example: dict) -> pa.Schema:
    """Schema of the runs table: ids, varied values, status, error, then the outcomes."""
    fields = [pa.field(n, pa.int64()) for n in ("run_id", "sample_id", "replication", "seed")]
    fields += [pa.field(p.path, parameter_type(p)) for p in params]
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string())]
    fields += [pa.field(k, arrow_type(v, k)) for k, v in outcome_example.items()]
    return pa.schema(fields)


@dataclass
class Store:
    """Writes chunks under ``root`` and knows which runs are already there."""

    root: Path
    schema: pa.Schema

    @classmethod
    def open(cls, root: Path, schema: pa.Schema, manifest: dict) -> tuple[Store, set[int]]:
        """Open ``root`` for this experiment; return the store and the run ids already done.

        Raises:
            StoreError: ``root`` holds results of an experiment with another hash.
        """
        path = root / "manifest.json"
        if path.exists():
            old = json.loads(path.read_text())
            if old.get("hash") != manifest["hash"]:
                raise StoreError(
                    f"{root} holds results of another sweep ({old.get('source')}, hash "
                    f"{str(old.get('hash'))[:12]}); use another --out"
                )
            manifest = old
        for table in TABLES:
            (root / table).mkdir(parents=True, exist_ok=True)
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
        _write_json(path, manifest)
        return cls(root, schema), done

    def write(self, result: ChunkResult) -> None:
        """Write one chunk: series and events first, then the runs part that commits it."""
        name = f"part-{result.chunk_id:012d}.parquet"
        for table, frame in (("series", result.series), ("events", result.events)):
            if frame is not None:
                _atomic(self.root / table / name, pa.Table.from_pandas(frame, preserve_index=False))
        _atomic(self.root / "runs" / name, pa.Table.from_pylist(result.runs, schema=self.schema))

    def finish(self, seconds: float, counts: dict[str, int]) -> dict:
        """Record the time taken and the counts in the manifest; return it."""
        path = self.root / "manifest.json"
        manifest = json.loads(path.read_text())
        manifest["seconds"] = round(manifest.get("seconds", 0.0) + seconds, 3)
        manifest["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        manifest["counts"] = counts
        _write_json(path, manifest)
        return manifest


def new_manifest(source: str, text: str, digest: str, total: int) -> dict:
    """The manifest of a new experiment."""
    return {
        "source": source,
        "hash": digest,
        "sweep": text,
        "package_version": __version__,
        "runs_planned": total,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": 0.0,
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
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)
