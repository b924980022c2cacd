"""Run every benchmark, print its figures against the targets, save them under bench/results/.

``python -m bench [--only GROUP ...] [--items N] [--seed N] [--runs N]``. A group that cannot
run (a feature not built yet, say) is reported as not measured; the others still run.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable

from bench import baselines, cli_startup
from bench.results import Figure, save, table
from bench.workspace import generate

GROUPS = (
    "cli",
    "git",
    "emulator",
    "load",
    "memory",
    "cli-emulator",
    "sync",
    "lint",
    "files",
    "fleet",
)


def _group_runners(args: argparse.Namespace) -> dict[str, Callable[[], list[Figure]]]:
    workspace = generate(seed=args.seed, items=args.items)

    def emulator() -> list[Figure]:
        from bench.emulator_ops import run

        return run(workspace, runs=args.runs)

    def load() -> list[Figure]:
        from bench.load import run

        return run()

    def memory() -> list[Figure]:
        from bench.memory import run

        return run()

    def cli_emulator() -> list[Figure]:
        from bench.cli_status import run

        return run()

    def sync() -> list[Figure]:
        from bench.sync_many import run

        return run()

    def lint() -> list[Figure]:
        from bench.lint import run

        return run(workspace, runs=max(args.runs, 7))

    def files() -> list[Figure]:
        from bench.file_level import run

        return run(workspace, runs=max(args.runs, 7))

    def fleet() -> list[Figure]:
        from bench.fleet import run

        return run()

    return {
        "cli": cli_startup.run,
        "git": lambda: baselines.run(workspace, runs=args.runs),
        "emulator": emulator,
        "load": load,
        "memory": memory,
        "cli-emulator": cli_emulator,
        "sync": sync,
        "lint": lint,
        "files": files,
        "fleet": fleet,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only these groups")
    parser.add_argument("--items", type=int, default=1000, help="items in the workspace")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated workspace")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of timed steps")
    args = parser.parse_args(argv)

    runners = _group_runners(args)
    figures: list[Figure] = []
    for group in args.only or GROUPS:
        print(f"== {group}", file=sys.stderr, flush=True)
        try:
            found = runners[group]()
        except Exception as error:  # one group failing must not hide the others' figures
            traceback.print_exc(file=sys.stderr)
            found = [Figure(f"{group} benchmarks", None, "", detail=f"failed: {error!r}"[:300])]
        for figure in found:
            print(f"   {' | '.join(figure.row())}", file=sys.stderr, flush=True)
        figures.extend(found)
    path = save(figures)
    print(table(figures))
    print(f"\nsaved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
