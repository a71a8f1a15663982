"""Facts about builtin functions that every stage needs, kept below the DSL's wrappers."""

#: Functions whose value jumps at given times: adaptive solvers cannot integrate across them.
DISCRETE_FUNCTIONS = frozenset({"step", "pulse", "pulse_train", "ramp"})
