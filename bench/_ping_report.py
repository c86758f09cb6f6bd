"""The ping benchmark's figures, and the ratios against the targets of the front-door issue."""

from dataclasses import dataclass

from bench._ping_subjects import BOT_BURST, RAW_BURST, Subject
from bench._support import BurstRounds, Latency

LATENCY_TARGET = 1.15  # bot p50 <= 1.15 x (raw Celery p50 + echo p50)
BURST_TARGET = 1.0  # bot burst >= 1.0 x H, H = 1 / (1/raw burst + 1/echo burst)
CPU_TARGET = 1.3  # bot CPU per /ping <= 1.3 x echo CPU per update
NOISY_SHARE = 0.05


@dataclass(frozen=True)
class Figures:
    subject: Subject
    latency: Latency
    bursts: BurstRounds
    sequential_cpu: float  # CPU seconds per round trip
    burst_cpu: float  # CPU seconds per update of the bursts


@dataclass(frozen=True)
class Run:
    raw: Figures
    echo: Figures
    project: Figures
    neighbours: float | None
    sequential: int
    warmup: int
    rounds: int


def report(run: Run) -> str:
    raw, echo, project = run.raw, run.echo, run.project
    harmonic = 1 / (1 / raw.bursts.rate + 1 / echo.bursts.rate)
    latency_ratio = project.latency.p50 / (raw.latency.p50 + echo.latency.p50)
    lines = [
        neighbours_line(run.neighbours),
        f"latency: {run.sequential} sequential round trips each, interleaved, after {run.warmup} warm-up",
        f"burst: {RAW_BURST} tasks / {BOT_BURST} chats at once; median rate of {run.rounds} rounds",
        "CPU: of the bot's process (/proc/<pid>/stat), of the raw Celery client's thread",
        "",
        f"{'':26}{'p50 ms':>8}{'p99 ms':>8}{'burst/s':>9}{'min-max':>11}{'CPU ms/rt':>11}"
        f"{'CPU ms/burst upd':>18}   burst replies",
        *(figures_line(figures) for figures in (raw, echo, project)),
        "",
        f"H = 1 / (1/raw burst + 1/echo burst) = {harmonic:.0f}/s",
        ratio_line("bot p50 / (raw p50 + echo p50)", latency_ratio, "<=", LATENCY_TARGET),
        ratio_line("bot burst / H", project.bursts.rate / harmonic, ">=", BURST_TARGET),
        ratio_line("bot CPU/ping / echo CPU", project.sequential_cpu / echo.sequential_cpu, "<=", CPU_TARGET),
        ratio_line("  (the same, in the bursts)", project.burst_cpu / echo.burst_cpu, "<=", CPU_TARGET),
    ]  # fmt: skip
    return "\n".join(lines)


def figures_line(figures: Figures) -> str:
    latency, bursts = figures.latency, figures.bursts
    low, high = bursts.spread
    other = bursts.count - bursts.ok
    return (
        f"{figures.subject.name:26}{latency.p50:8.2f}{latency.p99:8.2f}{bursts.rate:9.0f}"
        f"{f'{low:.0f}-{high:.0f}':>11}{figures.sequential_cpu * 1e3:11.2f}{figures.burst_cpu * 1e3:18.2f}"
        f"   {bursts.ok} ok, {other} other {figures.subject.unit}"
    )


def neighbours_line(share: float | None) -> str:
    if share is None:
        return "other processes' CPU use during the run: unknown (no /proc/stat)"
    warning = "  - noisy: rerun on a quiet machine" if share > NOISY_SHARE else ""
    return f"other processes used {share:.0%} of the machine's CPU during the run{warning}"


def ratio_line(name: str, value: float, relation: str, target: float) -> str:
    met = value <= target if relation == "<=" else value >= target
    return f"{name:34}{value:6.2f}   target {relation} {target:<6}{'met' if met else 'NOT met'}"
