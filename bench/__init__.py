"""Benchmarks of fabric-git: ``python -m bench`` (``make bench``); figures in docs/benchmarks.md."""
