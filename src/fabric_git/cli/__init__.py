"""The `fabric-git` command line."""


def main() -> None:
    raise SystemExit("fabric-git: the command line is not built yet")
