"""pytest runs the ``>>>`` examples of the docs pages (``--doctest-glob``);
the Sphinx config and build outputs are not tests."""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "auto_examples/*", "generated/*"]
