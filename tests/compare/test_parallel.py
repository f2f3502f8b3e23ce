"""Simulations spread over processes give the serial results, sample for sample (compare/parallel.py)."""

import numpy as np
import pytest
from click.testing import CliRunner

from replicon.cli import main
from replicon.compare.experiment import run_compare
from replicon.compare.parallel import merge_measurements, simulate_task
from replicon.registry import get


def _same(a, b):
    assert a.seeds == b.seeds
    assert set(a.samples) == set(b.samples)
    for k in a.samples:
        np.testing.assert_array_equal(a.samples[k], b.samples[k])


@pytest.mark.parametrize("name, kw", [
    ("perceptron.teacher", dict(alpha=1.0, N=40, seeds=5, seed=3)),
    ("committee.online", dict(K=2, M=2, N=60, seeds=5, seed=1, alpha_max=2.0, n_points=5)),
    pytest.param("deep.linear", dict(L=1, alpha=1.5, T=0.2, N=20, seeds=5, seed=2, sweeps=20, burn=5),
                 marks=pytest.mark.slow),
])
def test_seed_slices_concatenate_to_the_serial_measurement(name, kw):
    """The slices 0:2 and 2:5 of a measurement, run as a worker would (seed_range), merge into the serial one."""
    m = get(name)
    params = m.validate(kw, sim=True)
    serial = m.simulate(**params)
    parts = [simulate_task(name, params, s) for s in ((0, 2), (2, 5))]
    assert [p.n_seeds for p in parts] == [2, 3]
    merged = merge_measurements(parts)
    _same(merged, serial)
    for k, v in serial.extra.items():             # per-seed extras (e.g. each seed's initial state) too
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(np.asarray(merged.extra[k]), v)


def test_simulate_on_two_processes_equals_one():
    """`replicon simulate ... --workers 2` prints what --workers 1 prints (real worker processes)."""
    args = ["simulate", "perceptron.teacher", "alpha=1", "N=30", "seeds=4", "seed=9", "--json"]
    one = CliRunner().invoke(main, args)
    two = CliRunner().invoke(main, args + ["--workers", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    assert one.output == two.output


@pytest.mark.slow
def test_compare_on_two_processes_equals_one():
    m = get("perceptron.teacher")
    kw = {"alpha": "0.5,1.5", "N": "20,40", "seeds": "3"}
    a = run_compare(m, dict(kw), workers=1)
    b = run_compare(m, dict(kw), workers=2)
    assert a.table.equals(b.table)
    assert a.agreement.equals(b.agreement)
