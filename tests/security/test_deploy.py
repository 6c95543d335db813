import os
import secrets
import subprocess
import sys

from django.conf import settings


def production_env(tmp_path) -> dict[str, str]:
    """DEBUG off, a real SECRET_KEY, HTTPS_ONLY left at its default (on when DEBUG is off).

    The test run's own switches (the browser tests allow sync ORM calls in async contexts)
    are left out: a deployment has none of them.
    """
    test_only = {"DEBUG", "HTTPS_ONLY", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_ROOT"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    return env


def test_the_deploy_checks_pass_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_secret_key_production_settings_refuse_to_start(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
