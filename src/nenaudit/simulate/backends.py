"""Where replicates run: a local process pool, or a ``dask.distributed`` cluster.

Both backends call :func:`nenaudit.simulate.replicate.run_replicate` (a pure function of the spec
and the replicate index) and hand each finished row to ``on_row`` in the driving process, in the
order of completion; the numbers do not depend on the backend, the number of workers or that order.

``local``
    a :class:`concurrent.futures.ProcessPoolExecutor` of ``jobs`` workers
    (:func:`nenaudit.stats.workers.worker_pool`). Each worker ignores
    SIGINT (the driver handles Ctrl-C), takes SIGTERM's default action and asks the kernel to kill it
    when the driver dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; and a watchdog thread).
    If the driver stops by an exception (an error, Ctrl-C, SIGTERM) the workers are terminated at
    once and their unfinished replicates are simply not in the store.
``dask``
    a ``distributed.Client`` on ``scheduler`` (any Dask cluster: ``dask-jobqueue`` on SLURM/PBS,
    Kubernetes, cloud), or on a ``LocalCluster`` of ``jobs`` single-threaded worker processes when
    no address is given (its workers exit with the driver: Dask's nanny gives each a pipe to the
    parent). A worker lost in the middle of a replicate costs only that replicate: the scheduler
    runs it again elsewhere (up to ``distributed.scheduler.allowed-failures`` times). On an
    interruption the driver cancels its tasks before it closes the client.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import uuid
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from nenaudit.exceptions import NenauditError, WorkerLost
from nenaudit.simulate.replicate import ReplicateInputs, SimulationSpec, run_replicate
from nenaudit.stats.workers import run_retrying  # worker_pool, with re-runs of killed workers

__all__ = ["BACKENDS", "run_local", "run_dask", "check_scheduler", "CONNECT_TIMEOUT"]

CONNECT_TIMEOUT = 30.0  # seconds to reach a --scheduler (and for Dask's own connection)

BACKENDS = ("local", "dask")


def run_local(
    spec: SimulationSpec,
    todo: Iterable[int],
    jobs: int,
    on_row: Callable[[dict], None],
    inputs: ReplicateInputs | None = None,
) -> None:
    """Run the replicates ``todo`` on a pool of ``jobs`` local worker processes; ``inputs`` (None: loaded
    here, once) go to each replicate with its task."""
    todo = list(todo)
    inputs = inputs if inputs is not None else ReplicateInputs.load(spec)
    # workers ignore SIGINT, die with the driver (prctl + watchdog) and are terminated on any exception; a worker
    # killed from outside (SIGKILL, out of memory) costs only a re-run of its replicate, as on Dask
    try:
        run_retrying(
            jobs, run_replicate, {i: (spec, i, inputs) for i in todo}, lambda i, row: on_row(row)
        )
    except WorkerLost as exc:
        raise NenauditError(
            f"{exc}: {exc.lost} replicate(s) not run; the finished ones are stored: run again with "
            "--resume to continue (with fewer --jobs if memory is short)"
        ) from None


def check_scheduler(address: str, timeout: float = CONNECT_TIMEOUT) -> str:
    """Check a ``--scheduler`` address before anything is created: ``tcp://HOST:PORT`` (or ``HOST:PORT``) that
    accepts a connection within ``timeout`` seconds and answers as a Dask scheduler does (its first bytes are
    the length of a handshake message); anything else is one line. Returns the address with its scheme."""
    opt = f"--scheduler {address}"
    a = address.strip()
    if "://" not in a:
        a = "tcp://" + a
    scheme = a.split("://", 1)[0].lower()
    if scheme == "tls":
        raise NenauditError(
            f"{opt}: tls:// needs certificates that nenaudit does not configure; use tcp:// "
            "(e.g. through an SSH tunnel) or run the simulation from Python with your Security"
        )
    if scheme != "tcp":
        raise NenauditError(
            f"{opt}: the scheme {scheme!r} is not supported; give tcp://HOST:PORT, e.g. "
            "tcp://10.0.0.5:8786"
        )
    try:
        u = urlsplit(a)
        host, port = u.hostname, u.port
    except ValueError as exc:
        raise NenauditError(
            f"{opt}: not an address ({exc}); give tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        ) from None
    if not host or port is None or u.path not in ("", "/") or u.query or u.fragment:
        raise NenauditError(
            f"{opt}: not an address; give tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        )
    if not 0 < timeout <= 3600:
        raise NenauditError(f"--connect-timeout {timeout:g}: give a number of seconds in (0, 3600]")
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise NenauditError(
            f"{opt}: no answer within {timeout:g} s; is the scheduler running and reachable?"
        ) from None
    except OSError as exc:
        raise NenauditError(
            f"{opt}: cannot connect ({exc.strerror or exc}); start a scheduler (dask scheduler) "
            "or leave --scheduler out for a local cluster"
        ) from None
    head = b""
    try:
        sock.settimeout(min(timeout, 10.0))
        while len(head) < 8:
            chunk = sock.recv(8 - len(head))
            if not chunk:
                break
            head += chunk
    except OSError:
        pass
    finally:
        sock.close()
    n = int.from_bytes(head, "little") if len(head) == 8 else 0
    if not 0 < n < 1 << 24:
        seen = f"it began with {head[:8]!r}" if head else "it sent nothing"
        raise NenauditError(
            f"{opt}: the program listening there is not a Dask scheduler ({seen}); give the "
            "scheduler's address (dask scheduler prints it)"
        )
    return a


def run_dask(
    spec: SimulationSpec,
    todo: Iterable[int],
    jobs: int,
    on_row: Callable[[dict], None],
    scheduler: str | None = None,
    say: Callable[[str], None] | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> None:
    """Run the replicates ``todo`` on the Dask cluster at ``scheduler`` (or a LocalCluster of ``jobs`` workers)."""
    try:
        from distributed import Client, LocalCluster, as_completed  # noqa: PLC0415 - heavy, --backend dask only
    except ImportError:  # pragma: no cover - a dependency of nenaudit
        raise NenauditError(
            "--backend dask needs the distributed package: pip install 'dask[distributed]'"
        ) from None
    todo = list(todo)
    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout=f"{connect_timeout:g}s")
            except (OSError, TimeoutError) as exc:
                raise NenauditError(
                    f"--scheduler {scheduler}: cannot reach a Dask scheduler ({exc}); start one "
                    "(dask scheduler) or leave --scheduler out for a local cluster"
                ) from None
        else:
            cluster = LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except BaseException:
        if cluster is not None:
            cluster.close()
        raise
    if say:
        say(
            f"dask: {len(client.scheduler_info()['workers'])} workers on {client.scheduler.address}"
        )
    futures = []
    token = uuid.uuid4().hex[
        :12
    ]  # task keys unique to this run, on a cluster shared with other runs
    try:
        # the run's inputs are loaded once, by a task (the scheduler loads them again if their worker is lost),
        # and handed to every replicate
        inputs = client.submit(
            ReplicateInputs.load, spec, key=f"nenaudit-inputs-{token}", pure=False
        )
        futures = [inputs] + [
            client.submit(
                run_replicate, spec, i, inputs, key=f"nenaudit-replicate-{i}-{token}", pure=False
            )
            for i in todo
        ]
        for fut in as_completed(futures[1:]):
            try:
                row = fut.result()
            except Exception as exc:
                if isinstance(exc, ImportError):
                    raise NenauditError(
                        f"dask: a worker cannot import nenaudit ({exc}); install the same nenaudit "
                        "on every worker of the cluster"
                    ) from None
                if type(exc).__name__ == "KilledWorker":
                    raise NenauditError(
                        f"dask: replicate {fut.key} killed its worker repeatedly ({exc}); it is not "
                        "in the store: look at the workers' memory and logs, then --resume"
                    ) from None
                raise
            on_row(row)
            fut.release()
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(futures, force=True)
        raise
    finally:
        with contextlib.suppress(Exception):
            client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()
