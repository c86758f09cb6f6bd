"""`make format` wraps a line too long for `ruff check` before it runs `ruff check --fix`, so it ends clean
where `ruff check --fix` alone stops at E501."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LONG_CALL = "result = dict(" + ", ".join(f"argument_number_{n}={n}" for n in range(8)) + ")\n"


def test_make_format_wraps_long_lines_before_checking(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    source = tmp_path / "example.py"
    source.write_text(LONG_CALL)
    assert len(LONG_CALL) > 110
    run = f"RUN={sys.executable} -m"  # the project's tools, without uv's project checks in tmp_path
    done = subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "format", run], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert max(len(line) for line in source.read_text().splitlines()) <= 110
    assert subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=tmp_path).returncode == 0
