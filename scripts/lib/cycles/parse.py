"""Reading one file module of the crate: its tokens, the `use` trees (grouped, nested, globs,
renames), the items it defines, the `mod` declarations and inline `mod x { ... }` blocks it holds,
and the paths written in its code. The result is a Scope per module; nothing is resolved here."""

import bisect
import re

from .lexer import drop_test_code, strip_comments_and_strings

IDENT = re.compile(r"r#[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*")
TOKEN = re.compile(r"r#[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|::|[0-9][A-Za-z0-9_.]*|\S")
DEF_KEYWORDS = {"struct", "enum", "union", "trait", "type", "fn", "static", "const", "mod"}


class Scope:
    """A module: a file's module, or an inline `mod x { ... }` inside one."""

    def __init__(self, path, file, node, base_depth):
        self.path = path  # tuple of names from the root
        self.file = file
        self.node = node  # the file module this scope's references are charged to
        self.base_depth = base_depth
        self.children = {}  # name -> path
        self.defs = set()
        self.imports = {}  # name -> (raw segments, is_pub, line) from item-level uses
        self.globs = []  # (raw segments, is_pub, line) of item-level `use x::*`
        self.uses = []  # (raw segments, binding name or None for a glob, is_pub, line, text)
        self.paths = []  # (raw segments, line, text) written in code


def tokenize(text):
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    return [
        (m.group(0), bisect.bisect_right(newlines, m.start()) + 1) for m in TOKEN.finditer(text)
    ]


def parse_use_tree(toks, i, prefix, out):
    """Parses one use tree at toks[i]; appends (segments, binding, line, glob); returns index."""
    segs = list(prefix)
    if i < len(toks) and toks[i][0] == "::":  # `use ::name` is an external crate
        segs = ["::"]
        i += 1
    while i < len(toks):
        tok, line = toks[i]
        if tok == "{":
            i += 1
            while i < len(toks) and toks[i][0] != "}":
                i = parse_use_tree(toks, i, segs, out)
                if i < len(toks) and toks[i][0] == ",":
                    i += 1
            return i + 1
        if tok == "*":
            out.append((segs, None, line, True))
            return i + 1
        if not IDENT.fullmatch(tok):
            return i
        segs = segs + [tok]
        i += 1
        if i < len(toks) and toks[i][0] == "::":
            i += 1
            continue
        binding = tok
        if tok == "self":  # `{self, ...}`: the module itself
            segs = segs[:-1]
            binding = segs[-1] if segs else None
        if i + 1 < len(toks) and toks[i][0] == "as":
            binding = toks[i + 1][0]
            i += 2
        if binding is not None and segs:
            out.append((segs, binding, line, False))
        return i
    return i


def is_pub_before(toks, i):
    """Is the token before toks[i] a visibility (`pub`, `pub(crate)`, `pub(in x)`...)?"""
    j = i - 1
    if j >= 0 and toks[j][0] == ")":
        depth = 0
        while j >= 0:
            if toks[j][0] == ")":
                depth += 1
            elif toks[j][0] == "(":
                depth -= 1
                if depth == 0:
                    break
            j -= 1
        j -= 1
    return j >= 0 and toks[j][0] == "pub"


def parse_file(path, module_path, scopes, declared):
    """Reads one file module (and its inline modules) into scopes; returns the `mod x;` it
    declares as (scope path, name)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = drop_test_code(strip_comments_and_strings(f.read()))
    toks = tokenize(text)
    file_scope = Scope(module_path, path, module_path, 0)
    scopes[module_path] = file_scope
    stack = [file_scope]
    depth = 0
    in_use_until = -1
    words = set()
    i = 0
    while i < len(toks):
        tok, line = toks[i]
        scope = stack[-1]
        item_level = depth == scope.base_depth
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if len(stack) > 1 and depth < stack[-1].base_depth:
                stack.pop()
        elif tok == "use" and not (i + 1 < len(toks) and toks[i + 1][0] == "<"):
            is_pub = is_pub_before(toks, i)
            trees = []
            end = parse_use_tree(toks, i + 1, [], trees)
            while end < len(toks) and toks[end][0] != ";":
                end += 1
            in_use_until = end
            for segs, binding, uline, glob in trees:
                if segs and segs[0] == "::":
                    continue
                written = "::".join(segs) + ("::*" if glob else "")
                if binding is not None and binding != segs[-1]:
                    written += " as " + binding
                scope.uses.append((segs, binding, is_pub, uline, "use " + written))
                if item_level:
                    if glob:
                        scope.globs.append((segs, is_pub, uline))
                    elif binding != "_":
                        scope.imports[binding] = (segs, is_pub, uline)
            i = end + 1
            continue
        elif tok == "mod" and i + 1 < len(toks) and IDENT.fullmatch(toks[i + 1][0]):
            name = toks[i + 1][0]
            nxt = toks[i + 2][0] if i + 2 < len(toks) else ""
            if item_level:
                scope.defs.add(name)
            if nxt == ";":
                declared.append((scope.path, name))
            elif nxt == "{":
                inner = Scope(scope.path + (name,), path, module_path, depth + 1)
                scopes[inner.path] = inner
                scope.children[name] = inner.path
                stack.append(inner)
                depth += 1
                i += 3
                continue
        elif item_level and tok in DEF_KEYWORDS and i + 1 < len(toks):
            j = i + 1
            if toks[j][0] == "mut":
                j += 1
            name = toks[j][0] if j < len(toks) else ""
            if IDENT.fullmatch(name) and name not in ("fn", "_"):
                scope.defs.add(name)
        elif item_level and tok == "macro_rules" and i + 2 < len(toks) and toks[i + 1][0] == "!":
            scope.defs.add(toks[i + 2][0])
        if IDENT.fullmatch(tok) and i > in_use_until:
            words.add(tok)
            starts_path = (
                i + 1 < len(toks)
                and toks[i + 1][0] == "::"
                and (i == 0 or toks[i - 1][0] not in ("::", "$"))
                and not (i >= 3 and toks[i - 1][0] == "in" and toks[i - 2][0] == "(")
            )
            if starts_path and tok != "Self":
                segs, j = [tok], i
                while (
                    j + 2 < len(toks) and toks[j + 1][0] == "::" and IDENT.fullmatch(toks[j + 2][0])
                ):
                    segs.append(toks[j + 2][0])
                    j += 2
                scope.paths.append((segs, line, "::".join(segs)))
        i += 1
    file_scope.words = words
    return declared
