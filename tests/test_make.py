"""`make test` fetches Chromium through apt only when it is missing, and then waits for a
lock held by another process instead of failing at once. apt-get is replaced by a small
script on PATH that records how it was called (the real one would change the machine)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCKED_APT = """#!/bin/sh
echo "$@" >> "{calls}"
{behaviour}
"""


def fake_bin(tmp_path: Path, apt_behaviour: str) -> tuple[Path, Path]:
    """A PATH holding only apt-get (and `id`, saying root), so no real chromium is found."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    scripts = {
        "apt-get": LOCKED_APT.format(calls=calls, behaviour=apt_behaviour),
        "id": "#!/bin/sh\necho 0\n",
    }
    for name, text in scripts.items():
        script = bin_dir / name
        script.write_text(text)
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return bin_dir, calls


def make_chromium(bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/usr/bin/make", "--no-print-directory", "-C", str(REPO_ROOT), "chromium", *args],
        env={**os.environ, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_chromium_never_calls_apt_when_chromium_is_installed(tmp_path):
    locked = 'echo "E: Could not get lock /var/lib/dpkg/lock-frontend" >&2; exit 100'
    bin_dir, calls = fake_bin(tmp_path, locked)
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)

    result = make_chromium(bin_dir, f"CHROMIUM_BIN={chromium}")

    assert result.returncode == 0, result.stderr
    assert not calls.exists()


def test_make_chromium_skips_apt_for_debians_chromium_even_when_path_does_not_find_it(
    tmp_path,
):
    locked = 'echo "E: Could not get lock /var/lib/dpkg/lock-frontend" >&2; exit 100'
    bin_dir, calls = fake_bin(tmp_path, locked)

    result = make_chromium(bin_dir)

    assert Path("/usr/bin/chromium").exists()
    assert result.returncode == 0, result.stderr
    assert not calls.exists()


def test_make_chromium_waits_for_the_apt_lock_when_it_must_install(tmp_path):
    bin_dir, calls = fake_bin(tmp_path, "exit 0")

    result = make_chromium(bin_dir, f"CHROMIUM_BIN={tmp_path / 'missing'}")

    assert result.returncode == 0, result.stderr
    update, install = calls.read_text().splitlines()
    assert update.startswith("-o DPkg::Lock::Timeout=600 update")
    assert install.startswith("-o DPkg::Lock::Timeout=600 install")
    assert install.endswith("chromium")


def test_make_installs_the_javascript_from_the_lock_file_for_every_way_of_running():
    for target in ("js", "install", "run", "serve", "test"):
        result = subprocess.run(
            ["/usr/bin/make", "--no-print-directory", "-C", str(REPO_ROOT), "-n", "-B", target],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "npm ci" in result.stdout, target
