"""``python -m fabric_git.emulator``: the ``fabric-git emulator`` commands.

They run under the main command line, so they take its global options (``--output json``) and
report a failure as every other command does.
"""

import sys

from fabric_git.cli import cli

if __name__ == "__main__":
    cli.main(args=["emulator", *sys.argv[1:]], prog_name="fabric-git")
