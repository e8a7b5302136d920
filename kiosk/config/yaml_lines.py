"""Read one staff YAML file the way ``yaml.safe_load`` does, but remember the line of every key and item.

``yaml.safe_load`` throws the node marks away, and staff need "line 12" rather than a pydantic path. We
compose the node tree with the (C)SafeLoader, construct the data from it with the same loader (so values
are exactly what ``safe_load`` gives), and walk the nodes once to build a path -> line map. PyYAML offers no
API returning both; ruamel.yaml does, but it is a heavier second YAML library for this one need.

Duplicate keys (which ``safe_load`` silently collapses to the last one) and alias bombs are reported too.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kiosk.config.issues import ConfigIssue, LineLookup, key_path

#: libyaml's parser when present (3x faster, same SafeLoader resolver/constructor, same marks); else pure Python
_CLoader = getattr(yaml, "CSafeLoader", None)
#: libyaml's composer recurses in C and crashes the process on ~100 000 nested levels; above this bound on the
#: possible depth we use the pure-Python loader, whose RecursionError we can catch
C_DEPTH_BOUND = 5_000


def _loader_for(text: str) -> type:
    bound = sum(text.count(c) for c in "[{-:?") + text.count("\n")
    return _CLoader if _CLoader is not None and bound <= C_DEPTH_BOUND else yaml.SafeLoader
#: expanded node count above which a file is refused (aliases can make a tiny file enormous)
MAX_NODES = 50_000
MAX_BYTES = 1_000_000


class LineMap(LineLookup):
    """Path tuple -> 1-based line of that key (mapping entry) or item (sequence entry)."""

    def __init__(self) -> None:
        self.lines: dict[tuple[Any, ...], int] = {(): 1}

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """Line of ``loc``, or of its nearest existing parent (a missing key -> the parent mapping's line)."""
        loc = tuple(loc)
        while loc not in self.lines:
            loc = loc[:-1]
        return self.lines[loc]


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class _Walker:
    """Walks composed nodes once; records lines, duplicate keys and the expanded size."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.map = LineMap()
        self.issues: list[ConfigIssue] = []
        self._seen: set[int] = set()
        self._keys = yaml.constructor.SafeConstructor()

    def key_value(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return self._keys.construct_object(node, deep=True)
        return None  # complex keys are rejected by the constructor / pydantic, not located here

    def walk(self, node: Node, path: tuple[Any, ...]) -> None:
        if id(node) in self._seen:  # an alias: its lines were recorded where it was defined
            return
        self._seen.add(id(node))
        if isinstance(node, MappingNode):
            seen_here: dict[Any, int] = {}
            for knode, vnode in node.value:
                key = self.key_value(knode)
                if key == "<<" or not _hashable(key):
                    continue
                line = knode.start_mark.line + 1
                if key in seen_here:
                    self.issues.append(ConfigIssue(
                        self.file, line, key_path(path + (key,)),
                        f"重复的配置项，第 {seen_here[key]} 行已有同名项 (duplicate key, first on line "
                        f"{seen_here[key]})"))
                    continue
                seen_here[key] = line
                self.map.lines.setdefault(path + (key,), line)
                self.walk(vnode, path + (key,))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                self.map.lines.setdefault(path + (i,), item.start_mark.line + 1)
                self.walk(item, path + (i,))


def expanded_size(node: Node, memo: dict[int, int], active: set[int] | None = None) -> int:
    """Number of nodes after alias expansion (memoised, so an alias bomb is measured, not expanded)."""
    active = set() if active is None else active
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        raise ValueError("recursive alias")
    active.add(key)
    total = 1
    if isinstance(node, MappingNode):
        for k, v in node.value:
            total += expanded_size(k, memo, active) + expanded_size(v, memo, active)
            if total > MAX_NODES:
                break
    elif isinstance(node, SequenceNode):
        for item in node.value:
            total += expanded_size(item, memo, active)
            if total > MAX_NODES:
                break
    active.discard(key)
    memo[key] = total
    return total


def _bad_scalar_line(root: Node) -> int | None:
    """Line of the first scalar the SafeConstructor cannot build (e.g. the date 2026-02-30)."""
    constructor = yaml.constructor.SafeConstructor()
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            try:
                constructor.construct_object(node, deep=True)
            except (ValueError, OverflowError, yaml.YAMLError):
                return node.start_mark.line + 1
        elif isinstance(node, MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
    return None


def _yaml_issue(file: str, exc: yaml.YAMLError, text: str) -> ConfigIssue:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        problem = f"包含不允许的字符 (unacceptable character #x{exc.character:04x})" if isinstance(
            exc.character, int) else "文件编码不正确 (invalid encoding)"
    else:
        problem = " ".join(p for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p)
        context = getattr(exc, "context_mark", None)
        if context is not None and mark is not None and context.line != mark.line:
            problem += f"；相关位置在第 {context.line + 1} 行 (see also line {context.line + 1})"
    return ConfigIssue(file, line, "", f"YAML 语法错误 (YAML syntax error): {problem or exc}")


def load_yaml(path: Path, file_label: str | None = None) -> tuple[Any, LineMap, list[ConfigIssue]]:
    """Parse ``path``: ``(data, lines, issues)``. On a syntax error ``data`` is None and issues say where."""
    file = file_label or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, LineMap(), [ConfigIssue(file, None, "", "配置文件不存在 (file not found)")]
    except OSError as exc:
        return None, LineMap(), [ConfigIssue(file, None, "", f"无法读取配置文件 (cannot read file): {exc}")]
    if len(raw) > MAX_BYTES:
        return None, LineMap(), [ConfigIssue(file, None, "", "配置文件过大 (file larger than 1 MB)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, LineMap(), [ConfigIssue(file, line, "", "文件不是 UTF-8 编码 (file is not UTF-8)")]
    return parse_yaml_text(text, file)


def parse_yaml_text(text: str, file: str) -> tuple[Any, LineMap, list[ConfigIssue]]:
    """Like :func:`load_yaml` for text already read (used by tests and by remote config)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None, LineMap(), [ConfigIssue(file, None, "", "文件包含无效字符 (invalid characters)")]
    try:
        loader = _loader_for(text)(text)  # the reader already rejects control characters here
    except yaml.YAMLError as exc:
        return None, LineMap(), [_yaml_issue(file, exc, text)]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap(), [ConfigIssue(file, None, "", "配置文件为空 (file is empty)")]
        try:
            size = expanded_size(node, {})
        except ValueError:
            return None, LineMap(), [ConfigIssue(file, None, "", "存在循环引用的别名 (recursive YAML alias)")]
        if size > MAX_NODES:
            return None, LineMap(), [ConfigIssue(file, None, "", "别名展开后内容过多 (too many nodes after "
                                                                  "alias expansion)")]
        try:
            data = loader.construct_document(node)
        except (ValueError, OverflowError) as exc:  # PyYAML's timestamp constructor lets these escape
            return None, LineMap(), [ConfigIssue(file, _bad_scalar_line(node), "",
                                                 f"无法识别的取值，如不存在的日期 (invalid value): {exc}")]
    except yaml.YAMLError as exc:
        return None, LineMap(), [_yaml_issue(file, exc, text)]
    except RecursionError:
        return None, LineMap(), [ConfigIssue(file, None, "", "嵌套层次过深 (nesting too deep)")]
    finally:
        loader.dispose()
    walker = _Walker(file)
    try:
        walker.walk(node, ())
    except yaml.YAMLError as exc:
        return None, LineMap(), [_yaml_issue(file, exc, text)]
    except RecursionError:
        return None, LineMap(), [ConfigIssue(file, None, "", "嵌套层次过深 (nesting too deep)")]
    return data, walker.map, walker.issues
