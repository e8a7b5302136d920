"""Staff configuration: ``terminal.yaml`` + ``services.yaml`` validated into one frozen ``KioskConfig``.

``loader`` loads and checks a config directory (``load_config``, ``check_config``); ``terminal``, ``services``
and ``hours`` are the typed models of the two files; ``issues`` turns problems into ``file:line: key: 中文``;
``yaml_lines`` reads YAML keeping line numbers; ``child`` validates in a forked process during start-up.
Importing this package imports nothing else (no pydantic, no PyYAML).
"""
