"""``fabric-git demo``: the whole Git workflow, start to finish, on the embedded emulator.

It drives the same workflows the other commands use, against a throwaway emulator: a workspace
with items of four types, a hosted GitHub repository that requires a PAT, a PAT connection,
connect + initialize + commit, a change pushed with the real ``git`` client, status, update,
then a change on both sides resolved with a conflict policy. Each step names the command that
does the same thing, so the demo doubles as a walk-through of the CLI.
"""

from __future__ import annotations

import json
import secrets
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.render import View

__all__ = ["DemoReport", "demo", "run_demo"]

OWNER = "contoso"
REPOSITORY = "fabric-demo"
WORKSPACE = "Demo Sales"

NOTEBOOK_V1 = """# Fabric notebook source

# METADATA ********************

# META {
# META   "kernel_info": {
# META     "name": "synapse_pyspark"
# META   }
# META }

# CELL ********************

df = spark.read.table("raw_sales")
df.write.mode("overwrite").saveAsTable("sales")
"""


def _pipeline(notebook_id: str, workspace_id: str) -> str:
    activity = {
        "name": "Load sales",
        "type": "TridentNotebook",
        "typeProperties": {"notebookId": notebook_id, "workspaceId": workspace_id},
    }
    return json.dumps({"properties": {"activities": [activity]}}, indent=2) + "\n"


SEMANTIC_MODEL = {
    "definition.pbism": json.dumps({"version": "4.0", "settings": {}}, indent=2) + "\n",
    "model.bim": json.dumps(
        {"compatibilityLevel": 1567, "model": {"tables": [{"name": "sales"}]}}, indent=2
    )
    + "\n",
}

REPORT = {
    "definition.pbir": json.dumps(
        {
            "version": "4.0",
            "datasetReference": {"byPath": {"path": "../Sales Model.SemanticModel"}},
        },
        indent=2,
    )
    + "\n",
    "report.json": json.dumps({"config": "{}", "sections": []}, indent=2) + "\n",
}


@dataclass
class DemoReport:
    """The steps run, one line each, the commands that do the same (per step, maybe none), and
    the facts a test can check."""

    steps: list[str] = field(default_factory=list)
    commands: list[list[str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def fabric_git(*args: str) -> str:
    """A ``fabric-git`` command line, quoted for a POSIX shell."""
    return shlex.join(["fabric-git", *args])


def run_demo(say: Any, *, work_dir: Path) -> DemoReport:
    """Run every step; ``say(line)`` is called once per step."""
    from fabric_git.cli._sandbox import Sandbox
    from fabric_git.models.git import ConfiguredConnectionGitCredentials, GitHubDetails
    from fabric_git.workflows import (
        ConflictsNeedPolicyError,
        SyncOptions,
        ensure_github_connection,
        read_status,
        resolve_workspace,
        sync,
        update,
    )
    from fabric_git.workflows.credentials import github_repository_url

    report = DemoReport()

    def step(line: str, *commands: str) -> None:
        numbered = f"{len(report.steps) + 1:>2}. {line}"
        report.steps.append(numbered)
        report.commands.append(list(commands))
        say(numbered)
        for command in commands:
            say(f"      $ {command}")

    ws_option = ("-w", WORKSPACE)

    pat = "demo_" + secrets.token_hex(16)  # generated for this run; never printed
    with Sandbox(data_dir=work_dir / "emulator") as sandbox:
        step(
            f"Started the emulator at {sandbox.url}",
            fabric_git(
                "emulator", "serve", "--data-dir", ".emulator-data", "--ready-file", "emu.json"
            ),
        )
        client = sandbox.client()

        ws_id = sandbox.create_workspace(WORKSPACE)
        notebook = sandbox.create_item(
            ws_id, "Load Sales", "Notebook", {"notebook-content.py": NOTEBOOK_V1}
        )
        sandbox.create_item(
            ws_id,
            "Nightly Load",
            "DataPipeline",
            {"pipeline-content.json": _pipeline(notebook, ws_id)},
        )
        sandbox.create_item(ws_id, "Sales Model", "SemanticModel", SEMANTIC_MODEL)
        sandbox.create_item(ws_id, "Sales Report", "Report", REPORT)
        step(
            f"Created workspace '{WORKSPACE}' with a Notebook, a DataPipeline that runs it, "
            "a SemanticModel and a Report (items: in Fabric, or its items API)",
            fabric_git(
                "workspaces", "create", WORKSPACE, "--capacity", sandbox.running.capacity_id
            ),
        )

        sandbox.create_repo(OWNER, REPOSITORY, pat=pat)
        step(
            f"Created the hosted GitHub repository {OWNER}/{REPOSITORY} (it requires a PAT)",
            fabric_git(
                "emulator",
                "repo",
                "create",
                "--provider",
                "github",
                "--owner",
                OWNER,
                "--repo",
                REPOSITORY,
                "--require-pat-from-env",
                "FABRIC_GIT_PAT",
            ),
        )

        url = github_repository_url(OWNER, REPOSITORY)
        connection_name = "demo-github"
        connection = ensure_github_connection(
            client, display_name=connection_name, repository_url=url, token=pat
        )
        step(
            f"Stored the PAT in the connection '{connection.display_name}' ({connection.id})",
            fabric_git(
                "connections", "create-github", "--name", connection_name, "--repo-url", url
            ),
        )

        provider = GitHubDetails(
            owner_name=OWNER, repository_name=REPOSITORY, branch_name="main", directory_name="/"
        )
        credentials = ConfiguredConnectionGitCredentials(connection_id=connection.id)
        synced = sync(client, WORKSPACE, SyncOptions(provider=provider, credentials=credentials))
        head = synced.status.workspace_head if synced.status else None
        sync_command = fabric_git(
            "sync", *ws_option, "--repo-url", url, "--connection", connection_name
        )
        step(
            f"Synced: {', '.join(synced.actions)}; {len(synced.changes)} item(s) committed, "
            f"head {(head or '')[:12]}",
            sync_command,
        )
        again = sync(client, WORKSPACE, SyncOptions(provider=provider, credentials=credentials))
        step(
            f"Synced again: {'nothing to do' if again.noop else ', '.join(again.actions)}",
            sync_command,
        )

        clone = sandbox.clone(OWNER, REPOSITORY, pat=pat, into=work_dir / "clone")
        notebook_file = next(clone.path.glob("**/*.Notebook/notebook-content.py"))
        relative = notebook_file.relative_to(clone.path).as_posix()
        clone.write(relative, clone.read(relative) + '\nprint("rows loaded")\n')
        pushed = clone.commit_and_push("Log the rows loaded")
        step(f"Cloned with git, changed {relative} and pushed {pushed[:12]} (git itself)")

        ws = resolve_workspace(client, WORKSPACE)
        status = read_status(client, ws)
        described = ", ".join(
            f"{c.name} {c.remote_change or c.workspace_change}" for c in status.changes
        )
        step(
            f"Status: {len(status.incoming)} incoming change(s): {described}",
            fabric_git("status", *ws_option),
        )

        updated = update(client, ws)
        step(
            f"Updated the workspace from Git to {(updated.to_head or '')[:12]}",
            fabric_git("update", *ws_option),
        )

        sandbox.update_item(
            ws_id,
            notebook,
            {"notebook-content.py": NOTEBOOK_V1 + '\nprint("workspace edit")\n'},
        )
        clone.pull()
        clone.write(relative, clone.read(relative) + '\nprint("git edit")\n')
        clone.commit_and_push("Edit the notebook in Git")
        conflicted = read_status(client, ws)
        step(
            f"Changed 'Load Sales' in the workspace and in Git: "
            f"{len(conflicted.conflicts)} conflict(s)",
            fabric_git("status", *ws_option),
        )

        try:
            update(client, ws)
        except ConflictsNeedPolicyError as refused:
            step(
                f"Update without a policy refused (exit code 4): {refused}",
                fabric_git("update", *ws_option),
            )
            report.facts["refused"] = refused.code
        else:
            raise RuntimeError("the update went ahead although items conflict")
        resolved = update(client, ws, conflict_policy="prefer-remote")
        final = resolved.status
        step(
            f"Resolved {len(resolved.conflicts)} conflict(s) with prefer-remote: head "
            f"{(final.workspace_head or '')[:12]}, "
            + ("in sync" if final.in_sync else f"{len(final.changes)} change(s) left"),
            fabric_git("update", *ws_option, "--conflict-policy", "prefer-remote"),
        )
        report.facts.update(
            workspace_id=ws_id,
            in_sync=final.in_sync,
            head=final.workspace_head,
            remote=final.remote_commit_hash,
            pat=pat,
        )
    step("Stopped the emulator")
    return report


@click.command()
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the emulator data and the clone in this directory (new or empty).",
)
@pass_app
def demo(app: AppContext, keep: Path | None) -> None:
    """Run the whole Git workflow on a throwaway emulator (exits 0 when every step worked)."""
    import fabric_git.emulator  # noqa: F401  (without the emulator extra: one line, nothing made)

    if keep is not None and keep.is_dir() and any(keep.iterdir()):
        raise click.BadParameter(
            f"{keep} is not empty; name a new or empty directory", param_hint="--keep"
        )
    # Absolute: git runs in other directories, where a relative path would name another place.
    work_dir = keep.resolve() if keep else Path(tempfile.mkdtemp(prefix="fabric-git-demo-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        report = run_demo(app.terminal.info, work_dir=work_dir)
    finally:
        if keep is None:
            shutil.rmtree(work_dir, ignore_errors=True)
    facts: dict[str, Any] = {k: v for k, v in report.facts.items() if k != "pat"}
    lines = ["Demo finished: every step worked."]
    if keep is not None:
        kept = _kept_state(work_dir)
        facts["kept"] = kept
        lines += [
            f"Kept the emulator's state in {kept['dataDir']} and the clone in {kept['clone']}.",
            f"Restart the emulator on it: {kept['restart']}",
        ]
    app.show(
        View(
            data={"ok": True, "steps": report.steps, "commands": report.commands, "facts": facts},
            lines=tuple(lines),
        )
    )


def _kept_state(work_dir: Path) -> dict[str, str]:
    """Where ``--keep`` left the emulator's data and the clone, and the command that serves
    that data again (the ready file then holds the URL and an admin token)."""
    from fabric_git.cli._sandbox import Sandbox

    data_dir = Sandbox.emulator_data_dir(work_dir / "emulator").resolve()
    ready = (work_dir / "ready.json").resolve()
    restart = f"fabric-git emulator serve --data-dir {shlex.quote(str(data_dir))}"
    restart += f" --ready-file {shlex.quote(str(ready))}"
    return {
        "dataDir": str(data_dir),
        "clone": str((work_dir / "clone").resolve()),
        "restart": restart,
    }
