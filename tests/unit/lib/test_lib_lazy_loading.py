"""What loads when: packages resolve names on first use, models build their validators on first
use, httpx comes without its command-line client, and a loopback http client loads no CA bundle.

Import-state checks run in a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import ast
import importlib
import ssl
import subprocess
import sys
import types
from pathlib import Path

import httpx
import pytest

import fabric_git
from fabric_git import api, models, workflows
from fabric_git._endpoint import tls_verification
from unit.lib.lib_support import TOKEN


def _fresh(code: str) -> list[str]:
    """Run ``code`` in a new interpreter; its printed lines."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.split()


# --- lazy packages ------------------------------------------------------------------------------


@pytest.mark.parametrize("package", [api, models, workflows], ids=lambda p: p.__name__)
def test_every_lazy_name_comes_from_the_module_the_table_names(package: types.ModuleType) -> None:
    exports: dict[str, str] = package._EXPORTS
    assert sorted(exports) == sorted(package.__all__)
    for name, module_name in exports.items():
        module = importlib.import_module(module_name)
        assert getattr(package, name) is getattr(module, name), name
    assert dir(package) == sorted(package.__all__)
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018


def test_models_export_every_public_name_of_their_submodules() -> None:
    for module_name in set(models._EXPORTS.values()) - {"fabric_git.models._base"}:
        module = importlib.import_module(module_name)
        missing = set(module.__all__) - set(models.__all__)
        assert not missing, f"{module_name} defines {sorted(missing)} but models does not export"


def test_a_model_module_loads_only_what_it_needs() -> None:
    loaded = _fresh(
        "import sys\n"
        "from fabric_git.models import Workspace\n"
        "print(*sorted(m for m in sys.modules if m.startswith('fabric_git.models.')))\n"
    )
    assert "fabric_git.models.workspaces" in loaded
    assert "fabric_git.models.connections" not in loaded
    assert "fabric_git.models.git" not in loaded


def test_models_build_their_validator_on_first_use() -> None:
    shown = _fresh(
        "from fabric_git.models import GitStatusResponse as S\n"
        "print(S.__pydantic_complete__)\n"
        "s = S.model_validate({'workspaceHead': 'a', 'remoteCommitHash': 'b', 'changes': [\n"
        "    {'itemMetadata': {'itemIdentifier': {'objectId': 'o'}, 'itemType': 'Notebook',\n"
        "     'displayName': 'N'}, 'conflictType': 'None', 'remoteChange': 'Added'}]})\n"
        "print(S.__pydantic_complete__, s.changes[0].item_metadata.display_name)\n"
    )
    assert shown == ["False", "True", "N"]


def test_flow_functions_are_not_hidden_by_their_submodules() -> None:
    # The flow functions live in modules of other names (``committing``, ``syncing``,
    # ``updating``), so importing a submodule first never rebinds a flow's name on the package.
    shown = _fresh(
        "import types\n"
        "from fabric_git.workflows.syncing import SyncOptions\n"
        "import fabric_git.workflows.updating\n"
        "from fabric_git.workflows import commit, sync, update\n"
        "import fabric_git.workflows as w\n"
        "for f in (commit, sync, update, w.commit, w.sync, w.update):\n"
        "    print(isinstance(f, types.FunctionType)"
        " and f.__module__.startswith('fabric_git.workflows.'))\n"
        "print(isinstance(w.status, types.ModuleType))\n"
    )
    assert shown == ["True"] * 7


def test_reading_a_status_loads_no_other_flow() -> None:
    loaded = _fresh(
        "import sys\n"
        "from fabric_git.workflows import read_status\n"
        "print(*sorted(m for m in sys.modules if m.startswith('fabric_git.')))\n"
    )
    assert "fabric_git.workflows.status" in loaded
    for other in ("syncing", "committing", "updating", "connection", "credentials"):
        assert f"fabric_git.workflows.{other}" not in loaded
    assert not [m for m in loaded if m.startswith(("fabric_git.models", "fabric_git.client"))]


def test_client_groups_load_on_first_use() -> None:
    shown = _fresh(
        "import sys\n"
        "from fabric_git import FabricClient\n"
        f"client = FabricClient(base_url='https://example.invalid/v1', credential={TOKEN!r})\n"
        "print('fabric_git.api.connections' in sys.modules,"
        " 'fabric_git.models.connections' in sys.modules)\n"
        "groups = client.connections\n"
        "print(groups is client.connections, 'fabric_git.api.connections' in sys.modules)\n"
    )
    assert shown == ["False", "False", "True", "True"]


# --- httpx without its CLI ----------------------------------------------------------------------


def test_httpx_comes_without_its_command_line_client() -> None:
    shown = _fresh(
        "import sys\n"
        "from fabric_git._httpx import httpx\n"
        "print('httpx._main' in sys.modules, 'rich' in sys.modules, 'pygments' in sys.modules)\n"
        "print(httpx.Client is not None, httpx.URL('https://a.example/x').host)\n"
        "import httpx._main\n"
        "print(callable(httpx._main.main))\n"
    )
    assert shown == ["False", "False", "False", "True", "a.example", "True"]


def test_an_httpx_imported_earlier_is_left_as_it_is() -> None:
    shown = _fresh(
        "import sys, httpx\n"
        "real_main = httpx.main\n"
        "from fabric_git._httpx import httpx as ours\n"
        "print(ours is httpx, httpx.main is real_main, 'httpx._main' in sys.modules)\n"
    )
    assert shown == ["True", "True", "True"]


def _runtime_httpx_imports(tree: ast.Module) -> list[int]:
    """Lines importing httpx outside ``if TYPE_CHECKING:`` blocks."""
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for child in block.body
        for node in ast.walk(child)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if id(node) not in skipped
        and (
            (isinstance(node, ast.Import) and any(a.name.startswith("httpx") for a in node.names))
            or (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("httpx"))
        )
    ]


def test_the_library_and_cli_import_httpx_only_through_the_wrapper() -> None:
    package = Path(fabric_git.__file__).parent
    # The emulator side (its package and its command group) never runs in a client command.
    emulator = (package / "emulator", package / "cli" / "emulator.py")
    checked = [
        path
        for path in sorted(package.rglob("*.py"))
        if path != package / "_httpx.py" and not any(path.is_relative_to(e) for e in emulator)
    ]
    assert package / "_transport.py" in checked and package / "auth.py" in checked
    offenders = {
        str(path.relative_to(package)): lines
        for path in checked
        if (lines := _runtime_httpx_imports(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


# --- TLS settings of the connection pool --------------------------------------------------------


def test_https_uses_the_default_ca_bundle() -> None:
    assert tls_verification(httpx.URL("https://api.fabric.microsoft.com/v1/")) is True


def test_loopback_http_gets_a_context_that_trusts_nothing() -> None:
    context = tls_verification(httpx.URL("http://127.0.0.1:5000/v1/"))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
