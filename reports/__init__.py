"""The documents CertDesk prints and sends: PDF and Excel writers, with no widgets.

Each document is built in two steps: its data is gathered from the database into a plain
dataclass (so refusals happen before anything is written), then rendered to a file that is
renamed into place only when complete.
"""
