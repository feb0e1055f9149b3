"""Settings: safe defaults, layered sources (TOML file, environment, overrides), and clear errors for bad values."""

from pathlib import Path

import pytest

from kg.cli import main
from kg.core.config import DEFAULT_BASE, Settings
from kg.core.errors import UsageError

from helpers import BASE


def test_defaults_are_safe():
    settings = Settings.from_env({})
    assert not settings.writable and settings.write_token is None
    assert settings.query_timeout > 0 and settings.max_rows > 0 and settings.max_body > 0
    assert settings.service_allowlist == ()


def test_the_write_token_is_in_no_repr():
    """Settings are logged and shown in errors: the secret that allows writes must not travel with them."""
    settings = Settings.from_env({"KG_WRITE_TOKEN": "s3cret-token"})
    assert settings.writable and "s3cret-token" not in repr(settings) and "s3cret-token" not in str(settings)


def test_the_default_base_is_the_data_s_base():
    """The tests' BASE is written out, not taken from the code: the default must be the shipped data's base."""
    assert DEFAULT_BASE == BASE == Settings.from_env({}).base


def test_layers_file_then_environment_then_overrides(tmp_path):
    config = tmp_path / "kg.toml"
    config.write_text('query_timeout = 3\nmax_rows = 50\nservice_allowlist = ["a.org"]\n', encoding="utf-8")
    settings = Settings.from_env({"KG_CONFIG": str(config), "KG_MAX_ROWS": "70", "KG_STORE_PATH": "db"}, port=9000)
    assert (settings.query_timeout, settings.max_rows, settings.port) == (3.0, 70, 9000)
    assert settings.service_allowlist == ("a.org",) and settings.store_path == Path("db")


@pytest.mark.parametrize("environ, words", [
    ({"KG_QUERY_TIMEOUT": "soon"}, "query_timeout: 'soon' is not a valid float"),
    ({"KG_MAX_ROWS": "1e3x"}, "max_rows"),
    ({"KG_CONFIG": "/nonexistent/kg.toml"}, "cannot read the configuration file"),
])
def test_bad_values_are_usage_errors(environ, words):
    with pytest.raises(UsageError, match=words):
        Settings.from_env(environ)


@pytest.mark.parametrize("text, words", [("max_rows = ", "kg.toml"), ("colour = 'blue'\n", "unknown setting 'colour'")])
def test_bad_configuration_files(tmp_path, text, words):
    config = tmp_path / "kg.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=words):
        Settings.from_env({"KG_CONFIG": str(config)})


def test_cli_reports_a_bad_setting_without_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv("KG_MAX_ROWS", "many")
    assert main(["stats"]) == 2
    err = capsys.readouterr().err
    assert "max_rows" in err and "Traceback" not in err
