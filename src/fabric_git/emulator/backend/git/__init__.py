"""Git integration of the emulator, one module per operation.

Operations (each function takes the state, the caller and typed values, never a request body,
and returns typed results, never a response document):

- ``connect``: Get Connection, Connect, Disconnect
- ``credentials``: Get/Update My Git Credentials
- ``initialize``: Initialize Connection
- ``status``: Get Status
- ``commit``: Commit To Git, with its durable protocol (intent, ref compare-and-swap, SQLite)
- ``update``: Update From Git
- ``recovery``: start-up repair of commits a crash cut short
- ``connection_status``: Test Connection of a source-control connection

Shared pieces: ``access`` (roles, capacity, connection, credentials, repository and branch),
``sides`` (the Git and workspace sides of a comparison), ``records`` (SQLite rows),
``part_cache`` (fingerprints of workspace parts) and ``rules`` (the pure decision tables).
"""
