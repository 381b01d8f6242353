"""Progress of long steps on stderr: a tqdm bar on a terminal, plain time-stamped lines otherwise.

Never on stdout, so ``--json`` output stays clean. ``StepProgress(...).step(message)`` marks the
start of the next step; the bar counts steps (``total`` when the number is known).
"""

from __future__ import annotations

import sys
import time

from tqdm import tqdm

__all__ = ["StepProgress"]


class StepProgress:
    """Context manager; ``step(msg)`` is the callable the pipeline and crosscheck take as ``progress``."""

    def __init__(self, label: str, total: int | None = None, enabled: bool = True, stream=None):
        self.label = label
        self.total = total
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.t0 = time.perf_counter()
        self.bar = None
        self.n = 0

    def __enter__(self) -> StepProgress:
        if self.enabled and getattr(self.stream, "isatty", lambda: False)():
            self.bar = tqdm(
                total=self.total,
                desc=self.label,
                file=self.stream,
                unit="step",
                leave=False,
                bar_format="{desc}: {n_fmt}/{total_fmt} steps [{elapsed}] {postfix}"
                if self.total
                else "{desc}: {n_fmt} steps [{elapsed}] {postfix}",
            )
        return self

    def step(self, message: str) -> None:
        if not self.enabled:
            return
        if self.n and self.bar is not None:
            self.bar.update(1)
        self.n += 1
        if self.bar is not None:
            self.bar.set_postfix_str(message[:70])
        else:
            print(
                f"[{time.perf_counter() - self.t0:6.1f} s] {self.label}: {message}",
                file=self.stream,
                flush=True,
            )

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.close()
