"""Many workspaces as code: ``fabric-git.yml`` (``config``), plan and apply (``run``) and the
file written from what exists (``importing``). Light on purpose: the command line imports it."""

__all__ = ["DEFAULT_CONCURRENCY"]

# Fleet commands mostly wait on the service (reads, long-running operations), so more of them
# run at once than ``sync``'s default; a throttled one backs off on its own.
DEFAULT_CONCURRENCY = 32
