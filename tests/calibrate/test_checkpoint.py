"""The checkpoint fingerprint: what a resumed calibration may reuse."""

import dataclasses

import numpy as np

from sdflow.calibrate.checkpoint import fingerprint
from sdflow.calibrate.examples import decay_spec


def _likelihood():
    """A custom log-likelihood made anew, as a fresh process would define it."""
    namespace = {"np": np}
    exec("def loglik(simulated, observed):\n"  # noqa: S102 - test code, no model text
         "    return -sum(np.nansum((s - o) ** 2, axis=(1, 2)) for s, o in\n"
         "                zip(simulated.values(), observed.values()))\n", namespace)
    return namespace["loglik"]


def test_a_custom_likelihood_callable_is_fingerprinted_by_name_not_address():
    # the same function defined twice (two objects, two addresses) is the same fit, so a
    # resume in a new process reuses the checkpoint
    spec = decay_spec()
    compiled = spec.model.compile(["k"])
    first, again = (dataclasses.replace(spec, payoff="custom",
                                        payoff_options={"function": _likelihood()})
                    for _ in range(2))
    assert first.payoff_options["function"] is not again.payoff_options["function"]
    assert fingerprint(first, compiled) == fingerprint(again, compiled)
