"""`python_identifier`: every text gives a valid identifier, distinct ones stay distinct."""

from __future__ import annotations

import ast
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from sdflow.compile.identifiers import RESERVED, comment, python_identifier, string_literal


@given(st.lists(st.text(max_size=20), max_size=8), st.sampled_from(["", "C_", "LX_", "DX_"]))
def test_any_text_gives_a_distinct_valid_identifier(texts, prefix):
    taken: set[str] = set()
    made = [python_identifier(text, taken, prefix) for text in texts]
    for name in made:
        assert name.isidentifier() and name.startswith(prefix)
        assert name not in RESERVED
        # Python reads identifiers in NFKC form: the text we hand out must already be it,
        # or two different strings in the namespace would be one name in the source
        assert unicodedata.normalize("NFKC", name) == name
    assert len(set(made)) == len(made) == len(taken)


def test_names_equal_after_normalisation_get_distinct_identifiers():
    # "ﬁx" (with the ligature U+FB01) is read by Python as "fix"; "ℂ_k" as "C_k"
    taken: set[str] = set()
    assert [python_identifier(t, taken) for t in ("ﬁx", "fix")] == ["fix", "fix_2"]
    assert python_identifier("ℂ_k", taken) != python_identifier("k", taken, "C_")


def test_names_the_generated_code_uses_are_never_given_out():
    taken: set[str] = set()
    for text in ("start", "check", "steps", "sum", "min", "float", "initialize", "rows",
                 "lambda", "t"):
        assert python_identifier(text, taken) == f"v_{text.lower()}"


@given(st.text())
def test_comment_and_literal_stay_on_one_line_and_read_back(text):
    line = comment(text)
    assert "\n" not in line and "\r" not in line and line.startswith("# ")
    assert ast.literal_eval(string_literal(text)) == text
    compile(line + "\nx = 1\n", "<comment>", "exec")  # a comment, then a statement
