"""Hosted bare Git repositories on disk, read and written with pygit2.

Layout under the host root, identical to the smart-HTTP URL paths so ``git http-backend`` can
serve them with ``GIT_PROJECT_ROOT`` = the root::

    github/OWNER/REPO.git
    azure-devops/ORGANIZATION/PROJECT/_git/REPO

Durability: a commit writes its objects first and then moves the branch with a compare-and-swap
(libgit2 checks the old value under the ref's lock file, the same lock ``git`` takes), so a crash
leaves at worst unreferenced objects and concurrent writers never both win.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygit2

from fabric_git.emulator.gitrepo.packs import BLOB, COMMIT, TREE, PackWriter, tree_content

__all__ = [
    "GITHUB",
    "AZURE_DEVOPS",
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

GITHUB = "GitHub"
AZURE_DEVOPS = "AzureDevOps"

_GITHUB_DIR = "github"
_AZURE_DEVOPS_DIR = "azure-devops"
_STAGING_DIR = ".staging"
_PAT_CONFIG_KEY = "fabricgit.pat"
_PAT_ITERATIONS = 20_000
_INITIAL_AUTHOR = ("Fabric Git Emulator", "emulator@fabric-git.invalid")
_SEGMENT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 ._-]*")
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


class InvalidRepoKey(ValueError):
    """A repository name the host cannot hold; ``part`` says which one ("owner",
    "organization", "project" or "repository name")."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


def _check_segment(kind: str, value: str, limit: int) -> None:
    if (
        not _SEGMENT_RE.fullmatch(value)
        or value.endswith((" ", "."))
        or len(value) > limit
        or ".." in value
    ):
        raise InvalidRepoKey(
            kind,
            f"invalid {kind} {value!r}: use letters, digits, '_', '-', '.', spaces "
            f"(up to {limit} characters, not ending with '.' or a space)",
        )


@dataclass(frozen=True)
class RepoKey:
    """Which repository: GitHub ``OWNER/REPO`` or Azure DevOps ``ORGANIZATION/PROJECT/REPO``."""

    provider: str
    owner: str
    name: str
    project: str | None = None

    def __post_init__(self) -> None:
        if self.provider == GITHUB:
            if self.project is not None:
                raise ValueError("a GitHub repository has no project")
        elif self.provider == AZURE_DEVOPS:
            if self.project is None:
                raise ValueError("an Azure DevOps repository needs a project")
            _check_segment("project", self.project, 100)
        else:
            raise ValueError(f"unknown Git provider {self.provider!r}")
        _check_segment("owner" if self.provider == GITHUB else "organization", self.owner, 100)
        _check_segment("repository name", self.name, 128)
        if self.name.lower().endswith(".git"):
            raise InvalidRepoKey("repository name", "a repository name cannot end with '.git'")

    @classmethod
    def github(cls, owner: str, repo: str) -> RepoKey:
        return cls(GITHUB, owner, repo)

    @classmethod
    def azure_devops(cls, organization: str, project: str, repo: str) -> RepoKey:
        return cls(AZURE_DEVOPS, organization, repo, project)

    @property
    def url_path(self) -> str:
        """The path below the Git mount, also the path below the host root."""
        if self.provider == GITHUB:
            return f"{_GITHUB_DIR}/{self.owner}/{self.name}.git"
        return f"{_AZURE_DEVOPS_DIR}/{self.owner}/{self.project}/_git/{self.name}"

    def __str__(self) -> str:
        if self.provider == GITHUB:
            return f"{self.owner}/{self.name}"
        return f"{self.owner}/{self.project}/{self.name}"


# ---------------------------------------------------------------------------------------------
# PAT hashing: the required PAT is kept only as a salted PBKDF2 hash in the repo's config.
# ---------------------------------------------------------------------------------------------


def _hash_pat(pat: str, salt: bytes) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", pat.encode("utf-8"), salt, _PAT_ITERATIONS)
    return f"pbkdf2-sha256${_PAT_ITERATIONS}${salt.hex()}${digest.hex()}"


# PATs already checked against a stored hash, as SHA-256 of (hash, PAT): every Git request
# checks the PAT, and the PBKDF2 rounds that protect the hash on disk cost milliseconds. Kept
# in memory only; a changed required PAT has another stored hash, so it is checked afresh.
_VERIFIED_MAX = 256
_verified: OrderedDict[bytes, None] = OrderedDict()
_verified_lock = threading.Lock()


def _verify_pat(pat: str, stored: str) -> bool:
    memo = hashlib.sha256(f"{stored}\0{pat}".encode()).digest()
    with _verified_lock:
        if memo in _verified:
            _verified.move_to_end(memo)
            return True
    if not _check_pat(pat, stored):
        return False
    with _verified_lock:
        _verified[memo] = None
        while len(_verified) > _VERIFIED_MAX:
            _verified.popitem(last=False)
    return True


def _check_pat(pat: str, stored: str) -> bool:
    try:
        scheme, iterations, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
        rounds = int(iterations)
    except ValueError:
        return False
    if scheme != "pbkdf2-sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", pat.encode("utf-8"), salt, rounds)
    return hmac.compare_digest(digest.hex(), digest_hex)


# ---------------------------------------------------------------------------------------------
# Repositories
# ---------------------------------------------------------------------------------------------


class _BlobCache:
    """Blob contents by id, least recently used dropped first past a byte budget."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._size = 0
        self._entries: OrderedDict[pygit2.Oid, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, oid: pygit2.Oid) -> bytes | None:
        with self._lock:
            cached = self._entries.get(oid)
            if cached is not None:
                self._entries.move_to_end(oid)
            return cached

    def data(self, blob: pygit2.Blob) -> bytes:
        cached = self.get(blob.id)
        if cached is not None:
            return cached
        content = blob.data
        self.put(blob.id, content)
        return content

    def put(self, oid: pygit2.Oid, content: bytes) -> None:
        if len(content) > self._budget // 8:
            return  # too big to be worth evicting everything else for
        with self._lock:
            if oid not in self._entries:
                self._entries[oid] = content
                self._size += len(content)
                while self._size > self._budget:
                    _, dropped = self._entries.popitem(last=False)
                    self._size -= len(dropped)


class TreeFiles(Mapping[str, bytes]):
    """The files of a tree, repo-relative path -> content, each content read on lookup.

    Keys and blob ids come from one walk of the tree; contents are immutable, so a lookup
    gives the same bytes whenever it is made and from any thread.
    """

    def __init__(self, repo: HostedRepo, ids: dict[str, pygit2.Oid]) -> None:
        self._repo = repo
        self._ids = ids

    def __getitem__(self, path: str) -> bytes:
        return self._repo.blob_content(self._ids[path])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, path: object) -> bool:
        return path in self._ids

    def blob_id(self, path: str) -> str:
        """Git's id of the file's content (its SHA-1 blob hash), without reading it."""
        return str(self._ids[path])

    def __repr__(self) -> str:
        return f"TreeFiles({self._repo!r}, {len(self._ids)} files)"


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
        blobs: _BlobCache | None = None,
    ) -> None:
        self.key = key
        self.path = path
        self._now = now
        self._local = threading.local()
        self._commit_lock = threading.Lock()
        self._blobs = blobs if blobs is not None else _BlobCache(_BLOB_CACHE_BYTES)

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

    def _walk(self, tree: pygit2.Tree, prefix: str) -> Iterator[tuple[str, pygit2.Blob]]:
        for entry in tree:
            path = prefix + (entry.name or "")
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
        return {path: self._blobs.data(blob) for path, blob in self._walk(tree, prefix)}

    def file_ids(self, commit: str, root: str = "") -> dict[str, str]:
        """Like read_files, but the blob ids instead of the contents (cheap to compare)."""
        return {path: str(oid) for path, oid in self._blob_ids(commit, root).items()}

    def tree_files(self, commit: str, root: str = "") -> TreeFiles:
        """Like read_files, but each file's content is read only when it is looked up: a
        walk of the tree's entries reads no blob, so finding a few items among thousands
        costs the files those items hold."""
        return TreeFiles(self, self._blob_ids(commit, root))

    def _blob_ids(self, commit: str, root: str) -> dict[str, pygit2.Oid]:
        tree = self._tree_at(commit, root)
        if tree is None:
            return {}
        prefix = root.strip("/") + "/" if root.strip("/") else ""
        return {path: blob.id for path, blob in self._walk(tree, prefix)}

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

    def _build_tree(self, base: pygit2.Tree | None, changes: dict[str, Any]) -> pygit2.Oid | None:
        """Write the tree ``base`` + ``changes`` (name -> bytes | None | nested dict), touching
        only the changed paths. None when the result is empty (Git keeps no empty trees)."""
        repo = self._repo
        builder = repo.TreeBuilder(base) if base is not None else repo.TreeBuilder()
        for name, change in changes.items():
            existing = builder.get(name)
            if isinstance(change, dict):
                subtree: pygit2.Tree | None = None
                if existing is not None:
                    loaded = repo[existing.id]
                    subtree = loaded if isinstance(loaded, pygit2.Tree) else None
                oid = self._build_tree(subtree, change)
                if oid is not None:
                    builder.insert(name, oid, pygit2.enums.FileMode.TREE)
                elif existing is not None:
                    builder.remove(name)
            elif change is None:
                if existing is not None:
                    builder.remove(name)
            else:
                mode = pygit2.enums.FileMode.BLOB
                if (
                    existing is not None
                    and existing.filemode == pygit2.enums.FileMode.BLOB_EXECUTABLE
                ):
                    mode = pygit2.enums.FileMode.BLOB_EXECUTABLE
                blob_id = repo.create_blob(change)
                self._blobs.put(blob_id, change)
                builder.insert(name, blob_id, mode)
        if len(builder) == 0:
            return None
        return builder.write()

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
        nested = _nest(changes)
        with self._commit_lock:
            repo = self._repo
            ref_name = f"refs/heads/{branch}"
            if not pygit2.reference_is_valid_name(ref_name):
                raise ValueError(f"invalid branch name {branch!r}")
            current = self.branch_tip(branch)
            if current != expected_tip:
                raise RefMoved(branch, expected_tip, current)
            base = repo[expected_tip].peel(pygit2.Tree) if expected_tip is not None else None
            when = int(self._now())
            signature = pygit2.Signature(author[0], author[1], when, 0)
            parents = [pygit2.Oid(hex=expected_tip)] if expected_tip is not None else []
            # Objects first; the ref moves only after the commit object exists.
            if sum(1 for content in changes.values() if content is not None) >= PACKED_COMMIT:
                sha = self._packed_commit(base, nested, signature, message, parents)
            else:
                tree = self._build_tree(base, nested) or repo.TreeBuilder().write()
                sha = repo.create_commit(None, signature, signature, message, tree, parents)
            self._move_ref(ref_name, branch, expected_tip, sha, message)
            return str(sha)

    def _packed_commit(
        self,
        base: pygit2.Tree | None,
        nested: dict[str, Any],
        signature: pygit2.Signature,
        message: str,
        parents: list[pygit2.Oid],
    ) -> pygit2.Oid:
        """The objects of a large commit written as one pack (``packs``); the same commit,
        byte for byte, as the one object per file ``create_commit`` path would write."""
        writer = PackWriter()
        tree = self._pack_tree(base, nested, writer)
        if tree is None:
            tree = writer.add(TREE, b"")
        person = f"{signature.name} <{signature.email}> {signature.time} +0000".encode()
        lines = [b"tree " + tree.hex().encode()]
        lines += [b"parent " + str(parent).encode() for parent in parents]
        lines += [b"author " + person, b"committer " + person]
        commit = writer.add(COMMIT, b"\n".join(lines) + b"\n\n" + message.encode())
        writer.write(self.path / "objects" / "pack")
        return pygit2.Oid(raw=commit)

    def _pack_tree(
        self, base: pygit2.Tree | None, changes: dict[str, Any], writer: PackWriter
    ) -> bytes | None:
        """``_build_tree`` with the new objects added to ``writer``: the 20-byte id of the
        tree ``base`` + ``changes``, None when it is empty."""
        entries: dict[bytes, tuple[int, bytes]] = {}
        if base is not None:
            for entry in base:
                entries[_raw_name(entry)] = (entry.filemode, entry.id.raw)
        for name, change in changes.items():
            key = name.encode()
            existing = entries.get(key)
            if isinstance(change, dict):
                subtree: pygit2.Tree | None = None
                if existing is not None and existing[0] == pygit2.enums.FileMode.TREE:
                    loaded = self._repo[pygit2.Oid(raw=existing[1])]
                    subtree = loaded if isinstance(loaded, pygit2.Tree) else None
                oid = self._pack_tree(subtree, change, writer)
                if oid is not None:
                    entries[key] = (pygit2.enums.FileMode.TREE, oid)
                else:
                    entries.pop(key, None)
            elif change is None:
                entries.pop(key, None)
            else:
                mode = pygit2.enums.FileMode.BLOB
                if existing is not None and existing[0] == pygit2.enums.FileMode.BLOB_EXECUTABLE:
                    mode = pygit2.enums.FileMode.BLOB_EXECUTABLE
                oid = writer.add(BLOB, change)
                self._blobs.put(pygit2.Oid(raw=oid), change)
                entries[key] = (mode, oid)
        if not entries:
            return None
        return writer.add(
            TREE, tree_content((name, int(mode), oid) for name, (mode, oid) in entries.items())
        )

    def _move_ref(
        self, ref_name: str, branch: str, expected: str | None, new: pygit2.Oid, message: str
    ) -> None:
        repo = self._repo
        deadline = time.monotonic() + self.lock_timeout
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
            except (pygit2.GitError, OSError) as error:
                text = str(error)
                if "does not match" in text or "already exists" in text:
                    raise RefMoved(branch, expected, self.branch_tip(branch)) from None
                if "lock" not in text:
                    raise
                # Another writer holds the ref's lock: give it a moment to finish.
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
            config[_PAT_CONFIG_KEY] = _hash_pat(pat, secrets.token_bytes(16))

    @property
    def requires_pat(self) -> bool:
        return self.required_pat_hash() is not None

    def accepts_pat(self, pat: str | None) -> bool:
        """True when the repository needs no PAT, or ``pat`` is the one it needs."""
        stored = self.required_pat_hash()
        if stored is None:
            return True
        return pat is not None and _verify_pat(pat, stored)

    # --- health ----------------------------------------------------------------------------

    def remove_stale_locks(self) -> list[str]:
        """Remove lock files a killed writer left behind (they would block every later ref
        update). Only safe while nothing writes to the repository, i.e. at start-up. Returns the
        removed paths, relative to the repository."""
        candidates = [self.path / name for name in ("HEAD.lock", "packed-refs.lock", "config.lock")]
        candidates.extend((self.path / "refs").rglob("*.lock"))
        removed = []
        for lock in candidates:
            if lock.is_file():
                lock.unlink()
                removed.append(lock.relative_to(self.path).as_posix())
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


def _raw_name(entry: pygit2.Object) -> bytes:
    raw = getattr(entry, "raw_name", None)
    return raw if isinstance(raw, bytes) else (entry.name or "").encode()


def _only_deletions(node: Any) -> bool:
    if isinstance(node, dict):
        return all(_only_deletions(child) for child in node.values())
    return node is None


def _nest(changes: Mapping[str, bytes | None]) -> dict[str, Any]:
    """``{"a/b": x}`` -> ``{"a": {"b": x}}``. A path cannot be both a file and a directory,
    except that a file may replace a directory whose files are all deleted, and vice versa."""
    root: dict[str, Any] = {}
    for path, content in changes.items():
        parts = path.strip("/").split("/")
        if not all(parts) or any(p in (".", "..", ".git") for p in parts):
            raise ValueError(f"invalid path {path!r}")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif not isinstance(child, dict):
                raise ValueError(f"{path!r} is below a file that is also changed")
            node = child
        leaf = node.get(parts[-1])
        if isinstance(leaf, dict) and not (content is None or _only_deletions(leaf)):
            raise ValueError(f"{path!r} is also a directory of other changed paths")
        if not (isinstance(leaf, dict) and content is None):
            node[parts[-1]] = content
    return root


class RepositoryHost:
    """The hosted repositories under one directory."""

    def __init__(self, root: Path, *, now: Callable[[], float] = time.time) -> None:
        self.root = Path(root)
        self._now = now
        self._lock = threading.Lock()
        self._open: dict[Path, HostedRepo] = {}
        # Blob ids are content hashes, so one cache serves every repository of the host.
        self._blobs = _BlobCache(_BLOB_CACHE_BYTES)

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
            hosted = HostedRepo(key, final, now=self._now, blobs=self._blobs)
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

    def recover(self) -> dict[RepoKey, list[str]]:
        """Start-up clean-up after a crash: drop half-created repositories and stale ref locks.
        Call before serving. Returns the lock files removed per repository."""
        shutil.rmtree(self.root / _STAGING_DIR, ignore_errors=True)
        removed: dict[RepoKey, list[str]] = {}
        for key in self.list():
            repo = self.get(key)
            if repo is not None and (locks := repo.remove_stale_locks()):
                removed[key] = locks
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
            hosted = HostedRepo(key, path, now=self._now, blobs=self._blobs)
            self._open[path] = hosted
        return hosted

    def _scan(self) -> Iterator[RepoKey]:
        github = self.root / _GITHUB_DIR
        for repo in sorted(github.glob("*/*.git")):
            if (repo / "HEAD").is_file():
                try:
                    yield RepoKey.github(repo.parent.name, repo.name[: -len(".git")])
                except ValueError:
                    continue
        azure = self.root / _AZURE_DEVOPS_DIR
        for repo in sorted(azure.glob("*/*/_git/*")):
            if (repo / "HEAD").is_file():
                try:
                    yield RepoKey.azure_devops(
                        repo.parent.parent.parent.name, repo.parent.parent.name, repo.name
                    )
                except ValueError:
                    continue
