"""Feature workspaces: a workspace per branch of a base workspace, made to match it and removed
when the branch is done.

``identity`` holds the one rule that says what a feature workspace is (the base's relation to it
and its connection, or the marker written on creation) and the base it is made from; ``up``,
``down`` and ``listing`` are the three commands' workflows, ``results`` what they report. Every
step is safe to re-run after any failure.
"""

from __future__ import annotations

from fabric_git.workflows.feature.down import feature_down
from fabric_git.workflows.feature.identity import DEFAULT_NAME, FeatureError, feature_name, marker
from fabric_git.workflows.feature.listing import list_features
from fabric_git.workflows.feature.results import (
    FeatureDownResult,
    FeatureList,
    FeatureUpResult,
    FeatureWorkspace,
)
from fabric_git.workflows.feature.up import feature_up

__all__ = [
    "DEFAULT_NAME",
    "FeatureDownResult",
    "FeatureError",
    "FeatureList",
    "FeatureUpResult",
    "FeatureWorkspace",
    "feature_down",
    "feature_name",
    "feature_up",
    "list_features",
    "marker",
]
