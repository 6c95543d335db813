"""Yes/no settings read from the environment: a clear yes or no, or the app refuses to start."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from backlog.settings import env_bool


def settings_import(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import backlog.settings"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "SECRET_KEY": "insecure-test-only-key", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_mistyped_https_only_stops_the_app_naming_the_variable():
    result = settings_import(HTTPS_ONLY="ture")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "HTTPS_ONLY='ture'" in result.stderr


def test_a_clear_https_only_lets_the_settings_load():
    assert settings_import(HTTPS_ONLY="Yes").returncode == 0


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "yes", "Yes", "on", " ON "])
def test_yes_words_turn_a_setting_on(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    assert env_bool("SOME_SWITCH") is True


@pytest.mark.parametrize("word", ["0", "false", "False", "no", "NO", "off", "Off"])
def test_no_words_turn_a_setting_off(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    assert env_bool("SOME_SWITCH", default=True) is False


@pytest.mark.parametrize("word", ["ture", "2", "y", "enabled", "nope"])
def test_anything_else_is_refused_with_the_variable_named(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    with pytest.raises(ImproperlyConfigured, match="SOME_SWITCH"):
        env_bool("SOME_SWITCH")


def test_an_unset_or_empty_setting_takes_its_default(monkeypatch):
    monkeypatch.delenv("SOME_SWITCH", raising=False)
    assert env_bool("SOME_SWITCH", default=True) is True
    monkeypatch.setenv("SOME_SWITCH", "")
    assert env_bool("SOME_SWITCH") is False
