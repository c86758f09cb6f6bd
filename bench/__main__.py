"""`python -m bench [name ...] [--option ...]`: run the benchmarks (all by default); options after the
names are left in sys.argv for them (e.g. `python -m bench schedules --schedules 10000`)."""

import importlib
import sys

BENCHMARKS = (
    "bench.ping",
    "bench.limiter",
    "bench.notifications",
    "bench.broadcast",
    "bench.schedules",
)


def main() -> None:
    args = sys.argv[1:]
    first_option = next((n for n, arg in enumerate(args) if arg.startswith("-")), len(args))
    chosen = [f"bench.{name}" for name in args[:first_option]] or list(BENCHMARKS)
    sys.argv[1:] = args[first_option:]
    for module_name in chosen:
        print(f"\n=== {module_name} ===", flush=True)
        importlib.import_module(module_name).main()


if __name__ == "__main__":
    main()
