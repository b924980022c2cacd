"""The Fabric Git repository format's rules, in pure Python with no dependency.

``fabric-git lint`` and the emulator's repository layout both use these modules, so they judge
a tree the same way: ``model`` (item values, limits, supported types), ``system_files``
(``.platform`` and directory names), ``paths`` (what Git's checks and Fabric refuse in paths
and names), ``tree`` (reading a tree into item directories, items and problems),
``references`` (cross-item references), ``lint`` (every finding) and ``worktree`` (reading a
working tree from disk). This package imports none of them.
"""
