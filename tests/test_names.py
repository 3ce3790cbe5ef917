import pytest

from fastgen.errors import InvalidNameError
from fastgen.names import parse_project_name


@pytest.mark.parametrize(
    ("raw", "distribution", "python_name"),
    [
        ("shop", "shop", "shop"),
        ("my-api", "my-api", "my_api"),
        ("My_Api", "my-api", "my_api"),
        ("a1-b2_c3", "a1-b2-c3", "a1_b2_c3"),
        ("x" * 64, "x" * 64, "x" * 64),
        ("my-class", "my-class", "my_class"),
    ],
)
def test_valid_names_derive_the_other_forms(raw: str, distribution: str, python_name: str) -> None:
    name = parse_project_name(raw)

    assert (name.name, name.distribution, name.python_name) == (raw, distribution, python_name)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("my app", "it contains ' '"),
        ("1shop", "it starts with a digit"),
        ("class", "it is a Python keyword"),
        ("typing", "it would shadow the Python module or installed package 'typing'"),
        ("test", "shadow"),
        ("fastapi", "shadow"),
        ("SQLAlchemy", "shadow"),
        ("app", "shadow"),
        ("../x", "it is a path"),
        ("a/b", "it is a path"),
        ("/abs", "it is a path"),
        ("~", "it is a path"),
        ("a\\b", "it is a path"),
        ("con", "reserved file name on Windows"),
        ("COM1", "reserved file name on Windows"),
        ("x" * 65, "longer than 64"),
        ("{{ x }}", "it contains"),
        ("$(rm)", "it contains '$' '(' ')'"),
        ("a;b", "it contains ';'"),
        ("café", "it must be ASCII"),
        ("my--app", "must each stand between two letters or digits"),
        ("shop-", "must each stand between two letters or digits"),
    ],
)
def test_invalid_names_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNameError, match="invalid project name") as caught:
        parse_project_name(raw)

    assert reason in caught.value.message
