"""Seeds of a simulation: one :class:`numpy.random.SeedSequence` spawned by replicate index.

Replicate ``i`` of a run with seed ``S`` owns ``SeedSequence(S, spawn_key=(i,))``, which is the
``i``-th child of ``SeedSequence(S).spawn(...)``: its numbers depend on ``S`` and ``i`` only, never
on the backend, the number of workers or the order in which replicates finish. Every random step
of the replicate draws from a grandchild of that sequence (``spawn_key=(i, j)``), one per purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ReplicateSeeds", "replicate_seeds"]

# grandchild streams of a replicate, by purpose (the numbers are part of the store's meaning: never reorder)
STREAM_COHORT, STREAM_NULL, STREAM_PIPELINE, STREAM_VALIDATION = 0, 1, 2, 3


@dataclass(frozen=True)
class ReplicateSeeds:
    """The seeds of replicate ``index`` of a run with seed ``seed``: its synthetic cohorts' and its pipeline's."""

    seed: int  # the run's seed S
    index: int  # replicate index i
    cohort: tuple[
        int, ...
    ]  # synthetic-cohort seeds (nenaudit.synth.generate), one per cohort block
    pipeline: int  # PipelineConfig.seed: the resample indices of every validation scheme

    @property
    def label(self) -> str:
        return f"SeedSequence({self.seed}, spawn_key=({self.index},))"

    def null_rng(self) -> np.random.Generator:
        """The generator of the replicate's permutations (features against lesions, outcome against patients)."""
        return np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(self.index, STREAM_NULL))
        )

    def validation_rng(self) -> np.random.Generator:
        """The generator of the noise twin's independent validation cohort."""
        return np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(self.index, STREAM_VALIDATION))
        )


def _int_seed(ss: np.random.SeedSequence) -> int:
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def replicate_seeds(seed: int, index: int, n_blocks: int = 1) -> ReplicateSeeds:
    """The seeds of replicate ``index`` of a run seeded ``seed`` (``n_blocks`` synthetic cohorts)."""
    if index < 0:
        raise ValueError(f"replicate index must be >= 0, got {index}")
    cohort = tuple(
        _int_seed(np.random.SeedSequence(seed, spawn_key=(index, STREAM_COHORT, j)))
        for j in range(n_blocks)
    )
    pipe = _int_seed(np.random.SeedSequence(seed, spawn_key=(index, STREAM_PIPELINE)))
    return ReplicateSeeds(int(seed), int(index), cohort, pipe)
