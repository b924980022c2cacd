"""Dependencies between items on Update From Git: MissingDependency, DependencyDeletionFailed."""

from __future__ import annotations

import json

from emulator.git.git_support import Env, item_files, platform
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.gitrepo.layout import ZERO_GUID

PIPELINE_LID = "0a0a0a0a-0000-4000-8000-00000000000a"
NEW_NOTEBOOK_LID = "0b0b0b0b-0000-4000-8000-00000000000b"
CONNECTION_ID = "0c0c0c0c-0000-4000-8000-00000000000c"


def pipeline_files(notebook_id: str) -> dict[str, bytes | None]:
    activity = {"notebookId": notebook_id, "workspaceId": ZERO_GUID, "connection": CONNECTION_ID}
    return {
        "run.DataPipeline/.platform": platform(PIPELINE_LID, "run", "DataPipeline"),
        "run.DataPipeline/pipeline-content.json": json.dumps(activity).encode(),
    }


def synced_notebook(env: Env) -> tuple[str, str, str]:
    """A workspace connected to a new repository, holding one committed notebook "nb"."""
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    return ws, item, str(env.items(ws)["nb"].logical_id)


def snapshot(env: Env, ws: str) -> tuple[object, ...]:
    with env.state.store.read() as conn:
        head = records.get_connection(conn, ws).workspace_head  # type: ignore[union-attr]
    items = {name: (r.id, r.logical_id) for name, r in env.items(ws).items()}
    return head, items, {r.id: env.parts(r.id) for r in env.items(ws).values()}


def test_an_incoming_item_referencing_an_item_that_goes_is_a_missing_dependency(
    env: Env,
) -> None:
    ws, _, notebook_lid = synced_notebook(env)
    before = snapshot(env, ws)
    env.push(
        {
            "nb.Notebook/.platform": None,
            "nb.Notebook/notebook-content.py": None,
            **pipeline_files(notebook_lid),
        }
    )
    response = env.update(ws)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["errorCode"] == "MissingDependency"
    (detail,) = body["moreDetails"]
    assert detail["errorCode"] == "MissingDependency"
    assert "'run' (DataPipeline)" in detail["message"]
    assert "'nb' (Notebook)" in detail["message"]
    assert "'run' (DataPipeline) references 'nb' (Notebook)" in body["message"]
    assert snapshot(env, ws) == before


def test_deleting_an_item_a_staying_item_references_fails(env: Env) -> None:
    ws, notebook, _ = synced_notebook(env)
    # A dashboard (a type Git integration leaves alone) refers to the notebook by object id.
    tile = json.dumps({"tiles": [{"itemId": notebook, "workspaceId": ws}]}).encode()
    env.item(ws, "board", {"dashboard.json": tile}, type="Dashboard")
    before = snapshot(env, ws)
    env.push({"nb.Notebook/.platform": None, "nb.Notebook/notebook-content.py": None})
    response = env.update(ws)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["errorCode"] == "DependencyDeletionFailed"
    (detail,) = body["moreDetails"]
    assert detail["message"] == (
        "'nb' (Notebook) would be deleted, but 'board' (Dashboard) references it."
    )
    assert snapshot(env, ws) == before
    # Once nothing refers to it any more, the deletion goes through.
    env.set_parts(env.items(ws)["board"].id, {"dashboard.json": b'{"tiles": []}'})
    assert env.update(ws).status_code == 200
    assert "nb" not in env.items(ws)


def test_a_referenced_item_coming_in_with_the_same_update_is_fine(env: Env) -> None:
    ws, _, _ = synced_notebook(env)
    env.push(
        {
            **item_files("fresh.Notebook", NEW_NOTEBOOK_LID, "fresh", b"# fresh\n"),
            **pipeline_files(NEW_NOTEBOOK_LID),
        }
    )
    response = env.update(ws)
    assert response.status_code == 200, response.text
    items = env.items(ws)
    content = json.loads(env.parts(items["run"].id)["pipeline-content.json"])
    # The reference now names the new notebook's object id; the connection id, which no item
    # holds, is not a dependency and stays as it was.
    assert content == {
        "notebookId": items["fresh"].id,
        "workspaceId": ws,
        "connection": CONNECTION_ID,
    }
    assert env.status(ws)["changes"] == []
