"""Git integration of the emulator: connect, initialize, status, commit, update, credentials.

``rules`` holds the pure decision logic; ``connect`` and ``sync`` apply it to the store and the
hosted repositories; ``records`` is the SQLite side; ``context`` the shared reading steps.
"""
