"""Turtle syntax errors are reported as file:line:column with the offending token."""

import pytest

from kg.core.errors import ParseError
from kg.rdf.graphs import read_turtle

PREFIX = "@prefix ex: <http://example.org/> .\n"

CASES = [
    # (file body, line, column, token, words of the reason)
    (PREFIX + "ex:a ex:b ex:c ex:d .\n", 2, 16, "ex:d", "dot is expected"),
    (PREFIX + "ex:a nope:b ex:c .\n", 2, 6, "nope:b", "prefix nope: has not been declared"),
    (PREFIX + 'ex:a ex:b "open ;\n', 2, 11, '"open ;', "end of file"),
    (PREFIX + "ex:a ex:b ex:c\n", 3, 1, "", "Unexpected end"),
]


@pytest.mark.parametrize("body, line, column, token, reason", CASES)
def test_syntax_error_is_located(tmp_path, body, line, column, token, reason):
    path = tmp_path / "broken.ttl"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        read_turtle(path)
    error = caught.value
    assert (error.line, error.column, error.token) == (line, column, token)
    assert reason in error.reason
    assert str(error).startswith(f"{path}:{line}:{column}: ")


def test_missing_file_is_a_parse_error(tmp_path):
    with pytest.raises(ParseError, match="cannot read file"):
        read_turtle(tmp_path / "absent.ttl")


def test_valid_file_parses(tmp_path):
    path = tmp_path / "ok.ttl"
    path.write_text(PREFIX + 'ex:a ex:b "x"@en-t-kk .\n', encoding="utf-8")
    assert len(read_turtle(path)) == 1
