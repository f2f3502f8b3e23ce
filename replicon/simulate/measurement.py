"""Measurements: per-seed samples of finite-N simulations, with mean and standard error."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .._util import child_seeds, to_plain


@dataclass
class Measurement:
    """Observables of ``len(seeds)`` independent realisations at system size ``N``.

    ``samples[name]`` has shape ``(n_seeds,)`` for scalars and ``(n_seeds, n_t)``
    for trajectories (then ``axes[name]`` names the trajectory's coordinate,
    e.g. ``"alpha"``, whose values are in ``coords``). ``mean`` and ``sem``
    (standard error of the mean over seeds, ``std(ddof=1)/sqrt(n)``) are
    computed from the samples.
    """

    model: str
    params: dict[str, Any]
    N: int
    seeds: list[int]
    samples: dict[str, np.ndarray]
    coords: dict[str, np.ndarray] = field(default_factory=dict)
    axes: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    @property
    def mean(self) -> dict[str, np.ndarray]:
        return {k: np.mean(v, axis=0) for k, v in self.samples.items()}

    @property
    def sem(self) -> dict[str, np.ndarray]:
        n = self.n_seeds
        if n < 2:
            return {k: np.full(np.shape(v)[1:], np.nan) for k, v in self.samples.items()}
        return {k: np.std(v, axis=0, ddof=1) / np.sqrt(n) for k, v in self.samples.items()}

    def __getitem__(self, key):
        return self.mean[key]

    def to_dict(self) -> dict[str, Any]:
        return to_plain({
            "model": self.model,
            "params": self.params,
            "N": self.N,
            "seeds": self.seeds,
            "mean": self.mean,
            "sem": self.sem,
            "samples": self.samples,
            "coords": self.coords,
            **self.extra,
        })


_SEED_RANGE: list = [None]      # (a, b) while a worker runs seeds a:b of a measurement


@contextmanager
def seed_range(a: int, b: int):
    """Within this block, :func:`over_seeds` runs only the realisations ``a:b`` of its seeds.

    The children are spawned exactly as for the whole measurement and then sliced, so the slices
    of ``0:n`` concatenated in order are the serial measurement (used by
    ``replicon.compare.parallel.simulate_parallel``)."""
    old = _SEED_RANGE[0]
    _SEED_RANGE[0] = (int(a), int(b))
    try:
        yield
    finally:
        _SEED_RANGE[0] = old


def over_seeds(run_one: Callable[[int], dict], *, model: str, params: dict, N: int,
               seeds: int, seed: int | None = 0, coords=None, axes=None,
               progress: bool = False) -> Measurement:
    """Run ``run_one(child_seed) -> {observable: value or array}`` for independent seeds.

    The child seeds are spawned from ``numpy.random.SeedSequence(seed)``, so the
    whole measurement is reproducible from ``seed`` and realisations are independent.
    """
    kids = child_seeds(seed, int(seeds))
    if _SEED_RANGE[0] is not None:
        a, b = _SEED_RANGE[0]
        kids = kids[a:b]
    rows = []
    it = kids
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(kids, desc=f"{model} N={N}", leave=False)
    for s in it:
        rows.append(run_one(s))
    samples = {k: np.asarray([r[k] for r in rows], dtype=float) for k in rows[0]}
    return Measurement(model=model, params=dict(params), N=int(N), seeds=kids, samples=samples,
                       coords=dict(coords or {}), axes=dict(axes or {}))
