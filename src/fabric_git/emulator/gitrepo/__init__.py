"""Real Git for the emulator: the Fabric repository format, hosted bare repositories and Git
smart HTTP. Nothing here knows about the HTTP framework of the API or about SQLite.

Import the submodules directly (``layout``, ``repos``, ``smart_http``); this package imports
none of them, so ``pygit2`` loads only where repositories are used.
"""
