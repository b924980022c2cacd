"""Domain rules of the emulator, over a SQLite connection; no HTTP objects here."""
