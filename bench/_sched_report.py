"""How the schedules benchmark prints its figures: one column per scheduler, ratios against redbeat."""

import statistics
from collections.abc import Callable, Sequence

from bench._sched_subject import Run
from bench._sched_watch import RSS_EVERY

TARGET_LATE = 10.0  # s: every due schedule published within this of its due time
TARGET_RATE = 2_000.0  # fires/s from one beat
TARGET_TICK = 5.0  # ms: a tick with nothing due
RSS_STEP = 8


def cut(values: Sequence[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rate(run: Run) -> float:
    """Fires per second, from the due time to the last one published."""
    last = max(run.lateness, default=0.0)
    return run.fired / last if last > 0 else float("nan")


def rss_growth(run: Run) -> int:
    return max(run.rss_firing_kb, default=run.rss_settled_kb) - run.rss_settled_kb


ROWS: tuple[tuple[str, Callable[[Run], float], str, bool], ...] = (
    # label, figure, format, higher is better
    ("fired / due", lambda r: r.fired, "{:,.0f}", True),
    ("fires/s (due -> last published)", rate, "{:,.0f}", True),
    ("first published after due (s)", lambda r: min(r.lateness, default=float("nan")), "{:.2f}", False),
    ("lateness p50 (s)", lambda r: cut(r.lateness, 0.5), "{:.2f}", False),
    ("lateness p99 (s)", lambda r: cut(r.lateness, 0.99), "{:.2f}", False),
    ("lateness max (s)", lambda r: max(r.lateness, default=float("nan")), "{:.2f}", False),
    ("duplicates (one beat)", lambda r: r.duplicates, "{:,.0f}", False),
    ("messages published", lambda r: r.messages, "{:,.0f}", False),
    ("beat CPU per fire (ms)", lambda r: r.beat_cpu * 1e3 / max(1, r.fired), "{:.3f}", False),
    ("Redis commands per fire", lambda r: r.commands / max(1, r.fired), "{:.2f}", False),
    ("idle tick p50 (ms)", lambda r: cut(r.idle_tick_ms, 0.5), "{:.3f}", False),
    ("idle tick p99 (ms)", lambda r: cut(r.idle_tick_ms, 0.99), "{:.3f}", False),
    ("beat RSS settled (MB)", lambda r: r.rss_settled_kb / 1024, "{:.1f}", False),
    ("beat RSS growth while firing (MB)", lambda r: rss_growth(r) / 1024, "{:.1f}", False),
    ("beat RSS after (MB)", lambda r: r.rss_after_kb / 1024, "{:.1f}", False),
    ("seeding (s)", lambda r: r.seed_seconds, "{:.1f}", False),
)


def print_runs(runs: Sequence[Run]) -> None:
    """A row per figure, a column per scheduler, and each one's ratio to the first (redbeat)."""
    base = runs[0]
    print(f"\n{base.total:,} schedules stored, {base.due:,} due at the same second; one beat each")
    header = f"{'figure':<36}" + "".join(f"{run.subject:>14}" for run in runs)
    print(header + "".join(f"{'vs ' + base.subject:>16}" for run in runs[1:]))
    for label, figure, fmt, _ in ROWS:
        values = [figure(run) for run in runs]
        cells = "".join(f"{fmt.format(v):>14}" for v in values)
        ratios = "".join(f"{_ratio(v, values[0]):>16}" for v in values[1:])
        print(f"{label:<36}{cells}{ratios}")


def print_rss(runs: Sequence[Run]) -> None:
    """Each beat's RSS over the run, from the due time on, every RSS_STEP samples (MB)."""
    print(f"beat RSS from the due time on, every {RSS_STEP * RSS_EVERY:.0f} s (MB):")
    for run in runs:
        series = " ".join(f"{kb / 1024:.0f}" for kb in run.rss_firing_kb[::RSS_STEP][:30])
        print(f"  {run.subject:<10}{series}")


def _ratio(value: float, base: float) -> str:
    if base == 0 or base != base or value != value:
        return "-"
    return f"{value / base:.2f}x"


def print_targets(run: Run) -> None:
    """The issue's targets, checked for one scheduler's run."""
    late, tick = max(run.lateness, default=float("inf")), cut(run.idle_tick_ms, 0.5)
    checks = (
        (f"all {run.due:,} within {TARGET_LATE:.0f} s", run.fired == run.due and late <= TARGET_LATE),
        (f">= {TARGET_RATE:,.0f} fires/s from one beat", rate(run) >= TARGET_RATE),
        (f"idle tick <= {TARGET_TICK:.0f} ms (p50)", tick <= TARGET_TICK),
        ("memory flat (growth < 10 % of settled RSS)", rss_growth(run) < run.rss_settled_kb / 10),
        ("no duplicates", run.duplicates == 0),
    )
    verdicts = "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in checks)
    print(f"{run.subject} against the targets: {verdicts}")


def print_takeover(runs: Sequence[Run], lock_note: str) -> None:
    print(f"\nTwo beats at once, {runs[0].due:,} due at the same second ({lock_note})")
    columns = f"{'fired':>10}{'duplicates':>12}{'beats alive after':>20}{'last published (s)':>20}"
    print(f"{'scheduler':<14}{columns}")
    for run in runs:
        last = max(run.lateness, default=float("nan"))
        print(f"{run.subject:<14}{run.fired:>10,}{run.duplicates:>12,}{run.beats_alive:>20}{last:>20.2f}")
        for line in run.exits:
            print(f"  {run.subject}: a beat exited: {line[:200]}")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
