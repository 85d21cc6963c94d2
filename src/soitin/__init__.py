"""soitin — look closely at news: a self-hosted workbench for harmful Vietnamese information."""

__version__ = "0.1.0"

__all__ = ["__version__"]
