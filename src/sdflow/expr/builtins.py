"""Facts about builtin functions that every stage needs, kept below the DSL's wrappers."""

#: Functions whose value jumps at given times: adaptive solvers cannot integrate across them.
DISCRETE_FUNCTIONS = frozenset({"step", "pulse", "pulse_train", "ramp"})

#: Random distributions (Vensim's RANDOM functions): name -> parameters after the minimum
#: and maximum, in Vensim's order; the stream ID comes last in Vensim and is kept apart.
NOISE_ARGUMENTS = {
    "uniform": (),
    "normal": ("mean", "std"),
    "exponential": ("shift", "stretch"),
    "poisson": ("mean", "shift", "stretch"),
    "triangular": ("start", "peak", "end"),
    "beta": ("alpha", "beta", "shift", "stretch"),
    "binomial": ("probability", "trials", "shift", "stretch"),
}
