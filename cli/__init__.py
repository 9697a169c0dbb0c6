"""The headless face of CertDesk: the command-line contract in docs/CLI.md."""
