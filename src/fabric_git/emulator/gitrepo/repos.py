"""Hosted bare Git repositories on disk, read and written with pygit2.

Layout under the host root, identical to the smart-HTTP URL paths so ``git http-backend`` can
serve them with ``GIT_PROJECT_ROOT`` = the root::

    github/OWNER/REPO.git
    azure-devops/ORGANIZATION/PROJECT/_git/REPO

Durability: a commit writes its objects first and then moves the branch with a compare-and-swap
(libgit2 checks the old value under the ref's lock file, the same lock ``git`` takes), so a crash
leaves at worst unreferenced objects and concurrent writers never both win.

One module because a repository and its host share the on-disk layout (staging directory,
case-insensitive lookup) and the caches the host hands each repository; the pieces that stand
alone live beside it: ``keys`` (which repository), ``pats`` (the required PAT), ``blobs``
(contents), ``trees`` (the one tree and commit writer) and ``packs`` (the pack format).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pygit2

from fabric_git.emulator.gitrepo.blobs import BlobCache, TreeFiles
from fabric_git.emulator.gitrepo.keys import (
    AZURE_DEVOPS,
    AZURE_DEVOPS_DIR,
    GITHUB,
    GITHUB_DIR,
    InvalidRepoKey,
    RepoKey,
)
from fabric_git.emulator.gitrepo.packs import COMMIT, TREE, PackWriter, remove_unfinished
from fabric_git.emulator.gitrepo.pats import PatChecker, hash_pat
from fabric_git.emulator.gitrepo.trees import (
    LooseObjects,
    ObjectSink,
    commit_content,
    nest,
    write_tree,
)
from fabric_git.repoformat.model import MAX_FILE_BYTES, LayoutError

__all__ = [
    "AZURE_DEVOPS",
    "GITHUB",
    "HostedRepo",
    "InvalidRepoKey",
    "RefMoved",
    "RepoKey",
    "RepositoryError",
    "RepositoryExists",
    "RepositoryHost",
    "RepositoryLocked",
    "TreeFiles",
    "UnknownCommit",
]

_STAGING_DIR = ".staging"
_PAT_CONFIG_KEY = "fabricgit.pat"
_INITIAL_AUTHOR = ("Fabric Git Emulator", "emulator@fabric-git.invalid")
_SHA_RE = re.compile(r"[0-9a-fA-F]{40}")
_BLOB_CACHE_BYTES = 256 * 1024 * 1024
PACKED_COMMIT = 64
"""A commit writing at least this many files writes its objects as one pack (``packs``)."""


class RepositoryError(Exception):
    """A hosted repository cannot do what was asked."""


class RepositoryExists(RepositoryError):
    """A repository with this key (compared case-insensitively) already exists."""


class RepositoryLocked(RepositoryError):
    """A ref stayed locked by another writer (or by a crashed one: see ``recover``)."""


class UnknownCommit(RepositoryError, LookupError):
    """The commit is not in the repository."""


class RefMoved(RepositoryError):
    """The branch is no longer at the expected commit: someone else moved it first."""

    def __init__(self, branch: str, expected: str | None, actual: str | None) -> None:
        super().__init__(
            f"branch '{branch}' is at {actual or 'nothing'}, not at {expected or 'nothing'}"
        )
        self.branch = branch
        self.expected = expected
        self.actual = actual


def _git_env() -> dict[str, str]:
    """Environment for git subprocesses, free of the user's and the system's configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    return env


class HostedRepo:
    """One bare repository. Safe to use from several threads."""

    lock_timeout: float = 2.0
    """How long a commit waits for a ref locked by another writer."""

    def __init__(
        self,
        key: RepoKey,
        path: Path,
        *,
        now: Callable[[], float] = time.time,
        blobs: BlobCache | None = None,
        pats: PatChecker | None = None,
        crash_at: str | None = None,
    ) -> None:
        self.key = key
        self.path = path
        self._now = now
        self._crash_at = crash_at  # the durability tests' crash point (``crashpoints``)
        self._local = threading.local()
        self._commit_lock = threading.Lock()
        self._blobs = blobs if blobs is not None else BlobCache(_BLOB_CACHE_BYTES)
        self._pats = pats if pats is not None else PatChecker()

    def __repr__(self) -> str:
        return f"HostedRepo({str(self.key)!r}, {self.key.provider})"

    @property
    def _repo(self) -> pygit2.Repository:
        # libgit2 repository handles must not be shared between threads: one per thread.
        repo: pygit2.Repository | None = getattr(self._local, "repo", None)
        if repo is None:
            repo = pygit2.Repository(str(self.path))
            self._local.repo = repo
        return repo

    # --- refs ------------------------------------------------------------------------------

    def branch_tip(self, branch: str) -> str | None:
        """The commit the branch points at, or None when there is no such branch."""
        ref = self._repo.references.get(f"refs/heads/{branch}")
        if ref is None:
            return None
        return str(ref.resolve().target)

    def branches(self) -> list[str]:
        prefix = "refs/heads/"
        return sorted(r[len(prefix) :] for r in self._repo.references if r.startswith(prefix))

    def has_commit(self, sha: str) -> bool:
        if not _SHA_RE.fullmatch(sha):
            return False
        obj = self._repo.get(sha)
        return obj is not None and obj.type == pygit2.enums.ObjectType.COMMIT

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is ``descendant`` or one of its ancestors (as ``git merge-base
        --is-ancestor``). Unknown commits are nobody's ancestors."""
        if not (self.has_commit(ancestor) and self.has_commit(descendant)):
            return False
        if ancestor.lower() == descendant.lower():
            return True
        return bool(self._repo.descendant_of(descendant, ancestor))

    # --- reading ---------------------------------------------------------------------------

    def _tree_at(self, commit: str, root: str) -> pygit2.Tree | None:
        if not self.has_commit(commit):
            raise UnknownCommit(f"commit {commit} is not in {self.key}")
        tree = self._repo[commit].peel(pygit2.Tree)
        root = root.strip("/")
        if not root:
            return tree
        try:
            sub = tree[root]
        except KeyError:
            return None
        return sub if isinstance(sub, pygit2.Tree) else None

    def _entries(self, tree: pygit2.Tree, prefix: str) -> list[tuple[str, pygit2.Blob]]:
        """Every file of ``tree``; a tree libgit2 cannot parse (an entry with an empty name,
        which plain Git plumbing can write and a push can carry) is a LayoutError
        ``InvalidPath``, not a crash."""
        return list(self._walk(tree, prefix))

    def _walk(self, tree: pygit2.Tree, prefix: str) -> Iterator[tuple[str, pygit2.Blob]]:
        try:
            entries = list(tree)
        except pygit2.GitError as error:
            where = f"'{prefix}'" if prefix else "the root"
            raise LayoutError(
                "InvalidPath",
                f"The tree of the branch cannot be read at {where}: {error}. Rewrite the commit"
                " so every tree entry has a valid name.",
            ) from None
        names: set[bytes] = set()
        for entry in entries:
            path = prefix + (entry.name or "")
            raw = getattr(entry, "raw_name", None) or path.encode("utf-8", "surrogateescape")
            if raw in names:  # git fsck's duplicateEntries: a checkout would keep one of them
                raise LayoutError(
                    "InvalidPath",
                    f"'{path}' appears twice in one tree. Rewrite the commit so that each name"
                    " appears once.",
                )
            names.add(raw)
            if isinstance(entry, pygit2.Tree):
                yield from self._walk(entry, path + "/")
            elif isinstance(entry, pygit2.Blob):
                yield path, entry
            # Submodule entries (commits) are not content of this repository: skipped.

    def read_files(self, commit: str, root: str = "") -> dict[str, bytes]:
        """Every file under ``root`` at ``commit``: repo-relative path -> content."""
        tree = self._tree_at(commit, root)
        if tree is None:
            return {}
        prefix = root.strip("/") + "/" if root.strip("/") else ""
        # Blobs are immutable, so contents are cached by id: re-reading a tree (status compares
        # the same commits again and again) costs a tree walk only.
        return {path: self._blobs.data(blob) for path, blob in self._entries(tree, prefix)}

    def file_ids(self, commit: str, root: str = "") -> dict[str, str]:
        """Like read_files, but the blob ids instead of the contents (cheap to compare)."""
        return {path: str(oid) for path, oid in self._blob_ids(commit, root).items()}

    def tree_files(self, commit: str, root: str = "") -> TreeFiles:
        """Like read_files, but each file's content is read only when it is looked up: a
        walk of the tree's entries reads no blob, so finding a few items among thousands
        costs the files those items hold. A file larger than a file may be (25 MB: a
        pushed ``.platform`` of 100 MB, say) is refused unread (LayoutError)."""
        return TreeFiles(
            self.blob_content,
            self._blob_ids(commit, root),
            repr(self),
            size=self._oid_size,
            max_bytes=MAX_FILE_BYTES,
        )

    def _oid_size(self, oid: pygit2.Oid) -> int:
        return self.blob_size(str(oid))

    def _blob_ids(self, commit: str, root: str) -> dict[str, pygit2.Oid]:
        tree = self._tree_at(commit, root)
        if tree is None:
            return {}
        prefix = root.strip("/") + "/" if root.strip("/") else ""
        return {path: blob.id for path, blob in self._entries(tree, prefix)}

    def blob_size(self, blob_id: str) -> int:
        """A blob's size from its object header, without reading (inflating) its content."""
        _, size = self._repo.odb.read_header(blob_id)
        return int(size)

    def blob_content(self, oid: pygit2.Oid) -> bytes:
        """The content of a blob of this repository, from the cache when it holds it."""
        cached = self._blobs.get(oid)
        if cached is not None:
            return cached
        blob = self._repo[oid]
        if not isinstance(blob, pygit2.Blob):
            raise UnknownCommit(f"object {oid} of {self.key} is not a blob")
        return self._blobs.data(blob)

    # --- writing ---------------------------------------------------------------------------

    def commit(
        self,
        branch: str,
        *,
        expected_tip: str | None,
        changes: Mapping[str, bytes | None],
        message: str,
        author: tuple[str, str],
    ) -> str:
        """Commit ``changes`` (path -> content, or None to delete) on top of ``expected_tip``
        and move ``branch`` there if, and only if, it still points at ``expected_tip`` (None:
        the branch must not exist yet). Returns the new commit's sha; raises RefMoved."""
        nested = nest(changes)
        with self._commit_lock:
            repo = self._repo
            ref_name = f"refs/heads/{branch}"
            if not pygit2.reference_is_valid_name(ref_name):
                raise ValueError(f"invalid branch name {branch!r}")
            current = self.branch_tip(branch)
            if current != expected_tip:
                raise RefMoved(branch, expected_tip, current)
            base = repo[expected_tip].peel(pygit2.Tree) if expected_tip is not None else None
            signature = pygit2.Signature(author[0], author[1], int(self._now()), 0)
            parents = [expected_tip] if expected_tip is not None else []
            # Objects first; the ref moves only after the commit object exists. A large
            # commit's objects go into one pack, completed once they are all there.
            files = sum(1 for content in changes.values() if content is not None)
            pack = (
                PackWriter(self.path / "objects" / "pack", crash_at=self._crash_at)
                if files >= PACKED_COMMIT
                else None
            )
            sink: ObjectSink = pack if pack is not None else LooseObjects(repo)
            try:
                tree = write_tree(repo, base, nested, sink, wrote_blob=self._wrote_blob)
                if tree is None:
                    tree = sink.add(TREE, b"")
                sha = pygit2.Oid(
                    raw=sink.add(COMMIT, commit_content(tree, parents, signature, message))
                )
                if pack is not None:
                    pack.write()
            finally:
                if pack is not None:
                    pack.discard()
            self._move_ref(ref_name, branch, expected_tip, sha, message)
            return str(sha)

    def _wrote_blob(self, oid: bytes, content: bytes) -> None:
        self._blobs.put(pygit2.Oid(raw=oid), content)

    def _move_ref(
        self, ref_name: str, branch: str, expected: str | None, new: pygit2.Oid, message: str
    ) -> None:
        """Compare-and-swap the branch from ``expected`` to ``new``. A failure is classified
        by what the repository shows, never by libgit2's message: the branch elsewhere is
        RefMoved; the branch where it was with its lock file held is another writer's (wait
        for it, up to ``lock_timeout``, then RepositoryLocked); anything else is raised."""
        repo = self._repo
        deadline = time.monotonic() + self.lock_timeout
        lock_file = self.path / f"{ref_name}.lock"
        unexplained = 0
        while True:
            try:
                if expected is None:
                    repo.references.create(ref_name, new, force=False)
                else:
                    ref = repo.references.get(ref_name)
                    if ref is None or str(ref.target) != expected:
                        raise RefMoved(branch, expected, self.branch_tip(branch))
                    # libgit2 checks that the ref still holds ref.target under its lock file.
                    ref.set_target(new, f"commit: {message.splitlines()[0] if message else ''}")
                return
            except pygit2.AlreadyExistsError:
                raise RefMoved(branch, expected, self.branch_tip(branch)) from None
            except (pygit2.GitError, OSError):
                actual = self.branch_tip(branch)
                if actual != expected:
                    raise RefMoved(branch, expected, actual) from None
                if not lock_file.exists():
                    # The other writer may have just let go: try once more, then give up.
                    unexplained += 1
                    if unexplained > 1:
                        raise
                    continue
                if time.monotonic() >= deadline:
                    raise RepositoryLocked(
                        f"branch '{branch}' of {self.key} is locked by another writer"
                    ) from None
                time.sleep(0.01)

    # --- access ----------------------------------------------------------------------------

    def required_pat_hash(self) -> str | None:
        config = pygit2.Config(str(self.path / "config"))
        value = config[_PAT_CONFIG_KEY] if _PAT_CONFIG_KEY in config else None
        return str(value) if value else None

    def set_required_pat(self, pat: str | None) -> None:
        """Require ``pat`` from clients from now on (None: require nothing)."""
        config = pygit2.Config(str(self.path / "config"))
        if pat is None:
            if _PAT_CONFIG_KEY in config:
                del config[_PAT_CONFIG_KEY]
        else:
            config[_PAT_CONFIG_KEY] = hash_pat(pat)

    @property
    def requires_pat(self) -> bool:
        return self.required_pat_hash() is not None

    def accepts_pat(self, pat: str | None) -> bool:
        """True when the repository needs no PAT, or ``pat`` is the one it needs."""
        stored = self.required_pat_hash()
        if stored is None:
            return True
        return pat is not None and self._pats.matches(pat, stored)

    # --- health ----------------------------------------------------------------------------

    def remove_leftovers(self) -> list[str]:
        """Remove what a killed writer left behind: lock files (they would block every later
        ref update) and the temporary files of packs it never completed (``packs``). Only safe
        while nothing writes to the repository, i.e. at start-up. Returns the removed paths,
        relative to the repository."""
        candidates = [self.path / name for name in ("HEAD.lock", "packed-refs.lock", "config.lock")]
        candidates.extend((self.path / "refs").rglob("*.lock"))
        removed = []
        for lock in candidates:
            if lock.is_file():
                lock.unlink()
                removed.append(lock.relative_to(self.path).as_posix())
        for pack in remove_unfinished(self.path / "objects" / "pack"):
            removed.append(pack.relative_to(self.path).as_posix())
        return removed

    def fsck(self) -> bool:
        """Whether ``git fsck`` finds the repository sound (dangling objects are fine)."""
        result = subprocess.run(
            ["git", f"--git-dir={self.path}", "fsck", "--no-dangling", "--no-progress"],
            capture_output=True,
            env=_git_env(),
            check=False,
        )
        return result.returncode == 0


class RepositoryHost:
    """The hosted repositories under one directory."""

    def __init__(
        self, root: Path, *, now: Callable[[], float] = time.time, crash_at: str | None = None
    ) -> None:
        self.root = Path(root)
        self._now = now
        self._crash_at = crash_at
        self._lock = threading.Lock()
        self._open: dict[Path, HostedRepo] = {}
        # Blob ids are content hashes, so one cache serves every repository of the host, and
        # one PAT checker its stored hashes.
        self._blobs = BlobCache(_BLOB_CACHE_BYTES)
        self._pats = PatChecker()

    def __repr__(self) -> str:
        return f"RepositoryHost({str(self.root)!r})"

    def create(
        self, key: RepoKey, *, branch: str = "main", required_pat: str | None = None
    ) -> HostedRepo:
        """A new bare repository whose ``branch`` holds one empty initial commit."""
        if not pygit2.reference_is_valid_name(f"refs/heads/{branch}"):
            raise ValueError(f"invalid branch name {branch!r}")
        with self._lock:
            if self._find(key) is not None:
                raise RepositoryExists(f"repository {key} already exists")
            staging = self.root / _STAGING_DIR / uuid.uuid4().hex
            staging.parent.mkdir(parents=True, exist_ok=True)
            try:
                repo = pygit2.init_repository(str(staging), bare=True, initial_head=branch)
                repo.config["http.receivepack"] = True
                repo.config["uploadpack.allowFilter"] = True
                repo.config["core.logAllRefUpdates"] = True
                author = pygit2.Signature(*_INITIAL_AUTHOR, int(self._now()), 0)
                tree = repo.TreeBuilder().write()
                repo.create_commit(
                    f"refs/heads/{branch}", author, author, "Initial commit", tree, []
                )
                hosted = HostedRepo(key, staging, now=self._now)
                if required_pat is not None:
                    hosted.set_required_pat(required_pat)
                final = self.root / key.url_path
                final.parent.mkdir(parents=True, exist_ok=True)
                # A rename makes the repository appear whole or not at all.
                os.rename(staging, final)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            hosted = self._hosted(key, final)
            self._open[final] = hosted
            return hosted

    def get(self, key: RepoKey) -> HostedRepo | None:
        """The repository, matched case-insensitively as GitHub and Azure DevOps do."""
        with self._lock:
            return self._find(key)

    def delete(self, key: RepoKey) -> bool:
        with self._lock:
            found = self._find(key)
            if found is None:
                return False
            self._open.pop(found.path, None)
            trash = self.root / _STAGING_DIR / uuid.uuid4().hex
            trash.parent.mkdir(parents=True, exist_ok=True)
            os.rename(found.path, trash)
            shutil.rmtree(trash, ignore_errors=True)
            return True

    def clear(self) -> None:
        """Delete every repository (the emulator's reset)."""
        with self._lock:
            self._open.clear()
            trash = self.root / _STAGING_DIR / uuid.uuid4().hex
            trash.mkdir(parents=True)
            for entry in (GITHUB_DIR, AZURE_DEVOPS_DIR):
                if (self.root / entry).exists():
                    os.rename(self.root / entry, trash / entry)
            shutil.rmtree(self.root / _STAGING_DIR, ignore_errors=True)

    def recover(self) -> dict[RepoKey, list[str]]:
        """Start-up clean-up after a crash: drop half-created repositories, stale ref locks and
        unfinished packs. Call before serving. Returns the files removed per repository."""
        shutil.rmtree(self.root / _STAGING_DIR, ignore_errors=True)
        removed: dict[RepoKey, list[str]] = {}
        for key in self.list():
            repo = self.get(key)
            if repo is not None and (leftovers := repo.remove_leftovers()):
                removed[key] = leftovers
        return removed

    def list(self) -> list[RepoKey]:
        return sorted(self._scan(), key=lambda k: (k.provider, str(k).lower()))

    def _find(self, key: RepoKey) -> HostedRepo | None:
        path = self.root / key.url_path
        cached = self._open.get(path)
        if cached is not None and (path / "HEAD").is_file():
            return cached
        if not (path / "HEAD").is_file():
            wanted = key.url_path.lower()
            match = next((k for k in self._scan() if k.url_path.lower() == wanted), None)
            if match is None:
                return None
            key, path = match, self.root / match.url_path
        hosted = self._open.get(path)
        if hosted is None:
            hosted = self._hosted(key, path)
            self._open[path] = hosted
        return hosted

    def _hosted(self, key: RepoKey, path: Path) -> HostedRepo:
        return HostedRepo(
            key, path, now=self._now, blobs=self._blobs, pats=self._pats, crash_at=self._crash_at
        )

    def _scan(self) -> Iterator[RepoKey]:
        github = self.root / GITHUB_DIR
        for repo in sorted(github.glob("*/*.git")):
            if (repo / "HEAD").is_file():
                try:
                    yield RepoKey.github(repo.parent.name, repo.name[: -len(".git")])
                except ValueError:
                    continue
        azure = self.root / AZURE_DEVOPS_DIR
        for repo in sorted(azure.glob("*/*/_git/*")):
            if (repo / "HEAD").is_file():
                try:
                    yield RepoKey.azure_devops(
                        repo.parent.parent.parent.name, repo.parent.parent.name, repo.name
                    )
                except ValueError:
                    continue
