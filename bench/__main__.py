"""`python -m bench [name ...]`: run the benchmarks (all by default)."""

import importlib
import sys

BENCHMARKS = ("bench.ping", "bench.limiter", "bench.notifications", "bench.broadcast")


def main() -> None:
    chosen = [f"bench.{name}" for name in sys.argv[1:]] or list(BENCHMARKS)
    for module_name in chosen:
        print(f"\n=== {module_name} ===", flush=True)
        importlib.import_module(module_name).main()


if __name__ == "__main__":
    main()
