"""The durable store of a simulation: one SQLite file in the output folder, one row per finished replicate.

``simulation.sqlite`` holds

``meta``
    ``key``/``value`` text pairs: ``spec`` (the :class:`~nenaudit.simulate.replicate.SimulationSpec`
    as JSON, checked on ``--resume``), ``format`` and ``created_by``, the build that created it
    (:func:`~nenaudit.simulate.replicate.build_id`: the version and a fingerprint of the code, so
    that a development checkout whose code changed does not resume an older run). Format 1 stores
    were made while nenaudit had three LASSO engines (the spec's ``engine``: fortran when it names
    none, rust or numba); format 2 runs the one compiled kernel, :mod:`nenaudit.stats._lognet`.
    ``--resume`` refuses a format 1 store and says which build and engine made it.
``replicates``
    one row per finished replicate: ``idx`` (primary key, so a replicate is never stored twice),
    ``scale``, ``seed`` (the replicate's ``SeedSequence``), ``seeds`` (the integer seeds derived from
    it, JSON), ``version`` (the build that computed it), ``status``, ``detail``, ``metrics`` and ``details`` (JSON),
    ``seconds``, ``worker`` and ``finished_utc``.

Each row is committed on its own transaction as soon as its replicate finishes (journal in WAL
mode, ``synchronous=FULL``): a run killed at any moment leaves only complete rows, and
``--resume`` runs exactly the indices that have none. Only the driving process writes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nenaudit.exceptions import NenauditError
from nenaudit.io import stable_float

__all__ = ["STORE_NAME", "Store", "row_key"]

STORE_NAME = "simulation.sqlite"
FORMAT = "nenaudit simulation store 2"
# format 1: the stores of nenaudit's three LASSO engines; its spec names the engine, or none (the Fortran)
FORMAT_ENGINES = "nenaudit simulation store 1"
# columns that identify a replicate's result (what two runs must agree on); the rest is bookkeeping
RESULT_COLUMNS = (
    "idx",
    "scale",
    "seed",
    "seeds",
    "version",
    "status",
    "detail",
    "metrics",
    "details",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS replicates (
    idx INTEGER PRIMARY KEY,
    scale INTEGER NOT NULL,
    seed TEXT NOT NULL,
    seeds TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    metrics TEXT NOT NULL,
    details TEXT NOT NULL,
    seconds REAL NOT NULL,
    worker TEXT NOT NULL,
    finished_utc TEXT NOT NULL
);
"""


def _dumps(x) -> str:
    return json.dumps(x, allow_nan=False, sort_keys=True, separators=(",", ":"))


def _clean(x):
    """NaN and infinities -> None, so that every stored JSON is strict; finite floats rounded to
    ``nenaudit.io.STABLE_DIGITS`` significant digits (the same bytes on any CPU: :func:`nenaudit.io.stable_float`)."""
    if isinstance(x, float):
        return stable_float(x) if x == x and abs(x) != float("inf") else None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):  # numpy scalars
        return _clean(x.item())
    return x


def row_key(row: dict[str, Any]) -> tuple:
    """The part of a row that must be identical between two runs of the same spec."""
    return tuple(row[c] for c in RESULT_COLUMNS)


class Store:
    """Open (or create) the store of an output folder."""

    def __init__(self, folder: str | Path, *, create: bool):
        self.path = Path(folder) / STORE_NAME
        if not create and not self.path.is_file():
            raise NenauditError(
                f"{self.path}: no simulation store to resume; run without --resume first"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise NenauditError(
                f"{self.path}: not a readable simulation store ({exc}); choose another --out"
            ) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # meta ---------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        r = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if r is None else r[0]

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def init_or_check(self, spec: dict[str, Any], version: str) -> None:
        """Record the spec of a new store, or refuse to continue a store made with another spec."""
        old = self.get_meta("spec")
        if old is None:
            self.db.execute("BEGIN")
            self.set_meta("format", FORMAT)
            self.set_meta("created_by", version)
            self.set_meta("spec", _dumps(spec))
            self.db.execute("COMMIT")
            return
        if self.get_meta("format") == FORMAT_ENGINES:
            engine = self.spec().get("engine")
            engine = (
                "fortran (python-glmnet; the store names none)" if engine is None else repr(engine)
            )
            raise NenauditError(
                f"{self.path}: made by nenaudit {self.get_meta('created_by')} with the LASSO engine "
                f"{engine}, before nenaudit had one engine; it cannot be resumed: start a new "
                "store (choose another --out, without --resume)"
            )
        if self.get_meta("format") != FORMAT:
            raise NenauditError(
                f"{self.path}: written in another store format ({self.get_meta('format')}); "
                "choose another --out"
            )
        prev = self.spec()
        for k in sorted(set(prev) | set(spec)):
            if prev.get(k) != spec.get(k):
                raise NenauditError(
                    f"{self.path}: the stored run has {k} = {prev.get(k)!r}, this command "
                    f"{spec.get(k)!r}; repeat the stored options to resume, or choose another --out"
                )
        made = self.get_meta("created_by")
        if made != version:
            raise NenauditError(
                f"{self.path}: started by nenaudit {made}, this is {version}; rows of two builds "
                "would mix: finish it with that code or choose another --out"
            )

    def spec(self) -> dict[str, Any] | None:
        s = self.get_meta("spec")
        try:
            return None if s is None else json.loads(s)
        except ValueError as exc:
            raise NenauditError(
                f"{self.path}: the stored run's spec is not valid JSON ({exc}); the store was changed "
                "by hand: choose another --out"
            ) from None

    # rows ---------------------------------------------------------------------------------
    def done(self) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT idx FROM replicates")}

    def add(self, row: dict[str, Any]) -> bool:
        """Append one finished replicate in its own transaction; False if it was already stored."""
        vals = (
            int(row["idx"]),
            int(row["scale"]),
            row["seed"],
            _dumps(_clean(row["seeds"])),
            row["version"],
            row["status"],
            row["detail"],
            _dumps(_clean(row["metrics"])),
            _dumps(_clean(row["details"])),
            float(row["seconds"]),
            row["worker"],
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        )
        cur = self.db.execute(
            "INSERT OR IGNORE INTO replicates (idx, scale, seed, seeds, version, status, detail, "
            "metrics, details, seconds, worker, finished_utc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            vals,
        )
        return cur.rowcount == 1

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every stored row in index order, JSON columns decoded."""
        cur = self.db.execute(
            "SELECT idx, scale, seed, seeds, version, status, detail, metrics, details, seconds, "
            "worker, finished_utc FROM replicates ORDER BY idx"
        )
        names = [d[0] for d in cur.description]
        for r in cur:
            d = dict(zip(names, r))
            for c in ("seeds", "metrics", "details"):
                try:
                    d[c] = json.loads(d[c])
                except (TypeError, ValueError) as exc:
                    raise NenauditError(
                        f"{self.path}: replicate {d['idx']}: the column {c!r} is not valid JSON "
                        f"({exc}); the row was changed by hand: delete it (DELETE FROM replicates "
                        f"WHERE idx = {d['idx']}) and --resume re-runs it"
                    ) from None
            yield d
