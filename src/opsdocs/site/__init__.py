"""The ops portal: the operations folder as a static site (``opsdocs site``).

Cheap to import: the builder and its libraries load when a command runs.
"""
