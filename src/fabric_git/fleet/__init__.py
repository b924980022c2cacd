"""Many workspaces as code: ``fabric-git.yml`` (``config``), plan and apply (``run``) and the
file written from what exists (``importing``). Light on purpose: the command line imports it."""

__all__ = ["DEFAULT_CONCURRENCY"]

# Fleet commands mostly wait on the service (reads, long-running operations), so up to the
# command line's limit run at once, more than ``sync``'s default; a throttled one backs off.
DEFAULT_CONCURRENCY = 64
