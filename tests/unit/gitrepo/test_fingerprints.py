"""Fingerprints of parts, lazily read trees and the PAT check's memo."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pygit2
import pytest

from fabric_git.emulator.gitrepo.fingerprints import (
    PrintedState,
    blob_id,
    repo_part_ids,
    same_version,
    written_part_ids,
)
from fabric_git.emulator.gitrepo.layout import ItemState, platform_bytes, read_items
from fabric_git.emulator.gitrepo.references import RepoReferences, referenced_ids
from fabric_git.emulator.gitrepo.repos import RepoKey, RepositoryHost

NB_ID = "0f4b2d6e-8a1c-4e3f-9b5d-7c6a8e9f0a1b"
WS_ID = "11111111-2222-3333-4444-555555555555"
OTHER = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
AUTHOR = ("Ada Lovelace", "ada@example.invalid")


class Untouchable(Mapping[str, bytes]):
    """Parts whose contents must not be read: every lookup fails the test."""

    def __init__(self, *names: str) -> None:
        self._names = names

    def __getitem__(self, name: str) -> bytes:
        raise AssertionError(f"part {name} was read")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class Counting(dict[str, bytes]):
    """A file map that records which files were looked up."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        super().__init__(files)
        self.looked_up: list[str] = []

    def __getitem__(self, path: str) -> bytes:
        self.looked_up.append(path)
        return super().__getitem__(path)

    def get(self, path: str, default: bytes | None = None) -> bytes | None:  # type: ignore[override]
        return self[path] if path in self else default


def state(
    parts: Mapping[str, bytes], ids: Mapping[str, str] | None, **change: object
) -> PrintedState:
    fields: dict[str, object] = {"logical_id": NB_ID, "type": "Notebook", "display_name": "nb"}
    fields.update(change)
    return PrintedState(parts=parts, part_ids=ids, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("content", [b"", b"hello\n", b"\x00\x01binary", "é".encode() * 5000])
def test_blob_id_is_gits(content: bytes) -> None:
    assert blob_id(content) == str(pygit2.hash(content))


def test_written_part_ids_are_of_the_lf_form() -> None:
    ids = written_part_ids({"a.py": b"x\r\ny\r\n", "b.bin": b"\x00\r\n"})
    assert ids == {"a.py": blob_id(b"x\ny\n"), "b.bin": blob_id(b"\x00\r\n")}


def test_a_part_whose_lf_form_is_not_stable_has_no_fingerprint() -> None:
    # "\r\r\n" becomes "\r\n", which a second comparison would read as "\n".
    assert written_part_ids({"a.py": b"x\r\r\ny"}) is None


def test_equal_fingerprints_spare_reading_the_parts() -> None:
    ids = {"a.py": blob_id(b"x")}
    assert same_version(state(Untouchable("a.py"), ids), state(Untouchable("a.py"), dict(ids)))


def test_metadata_is_compared_even_with_equal_fingerprints() -> None:
    ids = {"a.py": blob_id(b"x")}
    renamed = state(Untouchable("a.py"), ids, display_name="other")
    moved = state(Untouchable("a.py"), ids, folder=("f",))
    labelled = state(Untouchable("a.py"), ids, extra_metadata={"sensitivityLabelId": "l"})
    for changed in (renamed, moved, labelled):
        assert not same_version(state(Untouchable("a.py"), ids), changed)


def test_different_or_unknown_fingerprints_compare_the_parts() -> None:
    lf, crlf = {"a.py": b"x\n"}, {"a.py": b"x\r\n"}
    assert same_version(
        state(lf, written_part_ids(lf)), state(crlf, {"a.py": blob_id(crlf["a.py"])})
    )
    assert same_version(state(lf, None), state(lf, None))
    assert not same_version(state(lf, None), state({"a.py": b"y\n"}, None))
    plain = ItemState(logical_id=NB_ID, type="Notebook", display_name="nb", parts=lf)
    assert same_version(plain, state(lf, written_part_ids(lf)))


def test_reading_items_looks_up_system_files_only_until_parts_are_used() -> None:
    files = Counting(
        {
            "nb.Notebook/.platform": platform_bytes(
                ItemState(logical_id=NB_ID, type="Notebook", display_name="nb")
            ),
            "nb.Notebook/notebook-content.py": b"# nb\n",
            "nb.Notebook/sub/data.json": b"{}",
        }
    )
    (item,) = read_items(files, "").values()
    assert files.looked_up == ["nb.Notebook/.platform"]
    assert sorted(item.state.parts) == ["notebook-content.py", "sub/data.json"]
    assert item.state.parts == {"notebook-content.py": b"# nb\n", "sub/data.json": b"{}"}
    assert "nb.Notebook/notebook-content.py" in files.looked_up
    ids = repo_part_ids(item, lambda path: f"id of {path}")
    assert ids == {
        "notebook-content.py": "id of nb.Notebook/notebook-content.py",
        "sub/data.json": "id of nb.Notebook/sub/data.json",
    }


def test_tree_files_give_read_files_contents_and_ids(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "lazy"))
    files = {"ws/a.txt": b"a", "ws/sub/b.bin": b"\x00\x01", "top.md": b"top"}
    tip = repo.commit(
        "main", expected_tip=repo.branch_tip("main"), changes=files, message="m", author=AUTHOR
    )
    tree = repo.tree_files(tip, "ws")
    assert sorted(tree) == ["ws/a.txt", "ws/sub/b.bin"]
    assert "ws/a.txt" in tree and "top.md" not in tree
    assert dict(tree) == repo.read_files(tip, "ws")
    assert {path: tree.blob_id(path) for path in tree} == repo.file_ids(tip, "ws")
    assert tree.blob_id("ws/a.txt") == blob_id(b"a")
    with pytest.raises(KeyError):
        tree["top.md"]


def test_tree_files_read_blobs_no_cache_holds(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "cold"))
    tip = repo.commit(
        "main",
        expected_tip=repo.branch_tip("main"),
        changes={"a.txt": b"content"},
        message="m",
        author=AUTHOR,
    )
    # A second host has its own, empty blob cache: the content comes from Git.
    cold = RepositoryHost(host.root).get(repo.key)
    assert cold is not None
    assert cold.tree_files(tip)["a.txt"] == b"content"


def test_a_remembered_pat_still_checks_the_pat_given(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "guarded"), required_pat="first-pat")
    assert repo.accepts_pat("first-pat")
    assert repo.accepts_pat("first-pat")
    assert not repo.accepts_pat("wrong-pat")
    assert not repo.accepts_pat(None)
    repo.set_required_pat("second-pat")
    assert not repo.accepts_pat("first-pat")
    assert repo.accepts_pat("second-pat")


def test_rewriting_reports_the_guids_it_saw() -> None:
    parts = {
        "a.py": f'x = "{OTHER.upper()}"\nw = "{WS_ID}"\n'.encode(),
        "b.bin": b"\x00" + OTHER.encode(),
    }
    references = RepoReferences({OTHER: NB_ID}, WS_ID)
    found: set[str] = set()
    rewritten = references.rewrite(parts, found)
    assert found == set(referenced_ids(parts)) == {OTHER, WS_ID}
    assert (
        rewritten["a.py"] == f'x = "{NB_ID}"\nw = "00000000-0000-0000-0000-000000000000"\n'.encode()
    )
    assert rewritten["b.bin"] == parts["b.bin"]
    targets = references.targets(found)
    assert targets == ((WS_ID, "00000000-0000-0000-0000-000000000000"), (OTHER, NB_ID))
    assert references.agrees(targets)
    assert not RepoReferences({}, WS_ID).agrees(targets)
