"""How named dimensions combine when expressions meet (broadcasting by name, as xarray)."""


def union(*dim_lists) -> tuple:
    """Dimensions of a broadcast result: all operands' dims, in order of first appearance.

    Examples
    --------
    >>> union(("region",), ("sector", "region"), ())
    ('region', 'sector')
    """
    out: list = []
    for dims in dim_lists:
        for d in dims:
            if d not in out:
                out.append(d)
    return tuple(out)
