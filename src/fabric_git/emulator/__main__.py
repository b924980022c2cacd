"""``python -m fabric_git.emulator``: the ``fabric-git emulator`` commands."""

from fabric_git.cli.emulator import emulator

if __name__ == "__main__":
    emulator(prog_name="python -m fabric_git.emulator")
