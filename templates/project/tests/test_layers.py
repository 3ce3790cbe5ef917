"""The layers import only downwards, as the contracts in pyproject.toml say."""

from importlinter.cli import lint_imports


def test_each_layer_imports_only_what_it_may() -> None:
    assert lint_imports(config_filename="pyproject.toml") == 0
