"""Packaging: what the PyInstaller bundle holds; the installer and version resource templates."""
