"""Variable names as Vensim compares them: the key every later stage looks names up by."""


def name_key(name: str) -> str:
    """Vensim's name equivalence: case, underscores and repeated spaces do not matter.

    Examples
    --------
    >>> name_key("Adoption_Rate") == name_key("adoption   rate")
    True
    >>> name_key(" Market  Size ")
    'market size'
    """
    return " ".join(name.replace("_", " ").lower().split())
