"""The README's example of a new command and task ("Extending it"), copied as written, passes the lint and
works: every block of the section is applied to a copy of the project (diffs with `git apply`, new files as
they are), ruff and mypy run there, then the example's own tests and the exact end-to-end check below,
with a real worker and the bot polling the emulator."""

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "README.md"  # where the example lives: the one text this test reads
SECTION = "## Extending it"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
LINT = (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy", "."])
NOT_COPIED = (".git", ".venv", ".dev-data", ".env", "secrets", "*_cache", "__pycache__", "dump.rdb")
CHECK = "tests/bot/test_readme_example_works.py"
CHECK_TEXT = """
import pytest

from devtools.emulator.validation import visible_text
from tests.support.chat import ChatClient
from tests.support.telegram import Telegram


@pytest.mark.usefixtures("celery_worker")
async def test_the_example_works(telegram: Telegram, running_bot: object) -> None:
    chat = ChatClient(telegram.state, 9901)
    for text in ("1 < 2 & <i>x", "<b>not bold</b> &amp; </i>"):
        reply = await chat.reply_to(f"/echo {text}")
        assert visible_text(reply.text, reply.parse_mode) == text
    usage = await chat.reply_to("/echo")
    assert visible_text(usage.text, usage.parse_mode) == "Usage: /echo <text>"
    help_reply = await chat.reply_to("/help")
    assert "/echo <text> — Repeat a text through a worker" in visible_text(help_reply.text, "HTML")
"""


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "diff": a change to an existing file; "file": a new file, whole
    path: str
    text: str


def example_blocks(markdown: str) -> list[Block]:
    """The section's code blocks: ```diff (`+++ b/<path>`) and ```python whose first line is `# <path>`."""
    section = markdown.split(f"\n{SECTION}\n", 1)[1].split("\n## ", 1)[0]
    blocks = []
    for language, text in FENCE.findall(section):
        if language == "diff":
            target = re.search(r"^\+\+\+ b/(\S+)$", text, re.MULTILINE)
            assert target, f"a diff block of {SECTION!r} names no file:\n{text}"
            blocks.append(Block("diff", target[1], text))
        elif language == "python":
            first = text.partition("\n")[0]
            assert first.startswith("# "), f"a python block of {SECTION!r} names no file: {first!r}"
            blocks.append(Block("file", first.removeprefix("# ").strip(), text))
    return blocks


def copy_project(destination: Path) -> None:
    """The project's working tree without environments, caches, local data and secrets."""
    shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(*NOT_COPIED))
    if (ROOT / ".mypy_cache").is_dir():  # a warm start: mypy re-checks what the example changes
        shutil.copytree(ROOT / ".mypy_cache", destination / ".mypy_cache")


def apply(blocks: list[Block], project: Path) -> None:
    for block in blocks:
        if block.kind == "diff":
            done = subprocess.run(
                ["git", "apply", "-"], cwd=project, input=block.text, capture_output=True, text=True
            )
            assert done.returncode == 0, f"the diff for {block.path} does not apply:\n{done.stderr}"
        else:
            target = project / block.path
            assert not target.exists(), f"{block.path} is given as a new file but exists"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text)


def run(project: Path, *command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_section_gives_every_file_it_touches() -> None:
    blocks = example_blocks(SOURCE.read_text())
    assert {block.path for block in blocks} >= {
        "tasks/names.py", "tasks/contracts.py", "tasks/registry.py", "tasks/controllers/echo.py",
        "ioc/worker.py", "bot/commands.py", "bot/controllers/echo.py", "bot/routing.py",
    }  # fmt: skip
    assert any(block.kind == "file" and block.path.startswith("tests/") for block in blocks)


@pytest.mark.timeout(400)
def test_the_example_as_written_passes_the_lint_and_works(tmp_path: Path) -> None:
    blocks = example_blocks(SOURCE.read_text())
    project = tmp_path / "project"
    copy_project(project)
    apply(blocks, project)
    for command in LINT:
        done = run(project, *command, timeout=240)
        assert done.returncode == 0, f"{' '.join(command)} on the example:\n{done.stdout}{done.stderr}"
    (project / CHECK).write_text(CHECK_TEXT.lstrip())
    tests = [block.path for block in blocks if block.kind == "file" and block.path.startswith("tests/")]
    done = run(project, "pytest", "-q", "-p", "no:cacheprovider", *tests, CHECK, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped" not in done.stdout, done.stdout  # a skipped end-to-end test would prove nothing
