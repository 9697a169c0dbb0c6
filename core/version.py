"""The single source of CertDesk's version: pyproject.toml and the installer read it from here."""

VERSION = "0.1.0"
