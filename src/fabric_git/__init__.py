"""fabric-git: automate Microsoft Fabric Git integration."""

from fabric_git._version import __version__

__all__ = ["__version__"]
