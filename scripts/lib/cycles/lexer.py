"""The text pass of check-cycles: turns a Rust source file into text the tokenizer can read
without being misled. Comments, strings and char literals become spaces (a string that is only a
crate-relative path is kept as that path), and every item under `#[cfg(test)]` is blanked; lines
and columns stay where they were, so line numbers still point into the real file."""

import re

PATH_STRING = re.compile(r"(?:crate|self|super)(?:::[A-Za-z_][A-Za-z0-9_]*)+")
CHAR_LITERAL = re.compile(r"'(?:\\(?:x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f_]{1,8}\}|.)|[^\\'\n])'")
RAW_STRING = re.compile(r'(?:b|c)?r(#*)"')
CFG_TEST = re.compile(r"#\s*\[\s*cfg\s*\(\s*(?:all\s*\(\s*)?test\b[^\]]*\]")
CFG_TEST_INNER = re.compile(r"#\s*!\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]")


def blank(s):
    return re.sub(r"[^\n]", " ", s)


def strip_comments_and_strings(text):
    """Comments, strings and char literals become spaces (lines and columns are kept). A string
    that is nothing but a crate-relative path (`"crate::x::f"`, as in serde attributes) is kept,
    without its quotes, so that it reads as a path."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        prev_ident = i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")
        if c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "/" and text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif c in "bcr" and not prev_ident and RAW_STRING.match(text, i):
            m = RAW_STRING.match(text, i)
            end = text.find('"' + m.group(1), m.end())
            end = n if end < 0 else end + 1 + len(m.group(1))
            out.append(blank(text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            body = text[i + 1 : j]
            if PATH_STRING.fullmatch(body):
                out.append(" " + body + " ")
            else:
                out.append(blank(text[i : j + 1]))
            i = j + 1
        elif c == "'":
            m = CHAR_LITERAL.match(text, i)
            if m:
                out.append(blank(m.group(0)))
                i = m.end()
            else:  # a lifetime or a label
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def skip_balanced(text, i, open_c, close_c):
    """text[i] == open_c; returns the index after the matching close_c."""
    depth = 0
    while i < len(text):
        if text[i] == open_c:
            depth += 1
        elif text[i] == close_c:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def drop_test_code(text):
    """Blanks every item under #[cfg(test)] (text already free of comments and strings)."""
    if CFG_TEST_INNER.search(text):
        return blank(text)
    pos = 0
    while True:
        m = CFG_TEST.search(text, pos)
        if not m:
            return text
        i = m.end()
        while True:  # further attributes on the same item
            while i < len(text) and text[i].isspace():
                i += 1
            if text.startswith("#", i):
                j = text.find("[", i)
                i = skip_balanced(text, j, "[", "]") if j >= 0 else len(text)
            else:
                break
        depth = 0  # parentheses and brackets; the item ends at `;` or at its `{ ... }`
        while i < len(text):
            ch = text[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch == ";" and depth <= 0:
                i += 1
                break
            elif ch == "{" and depth <= 0:
                i = skip_balanced(text, i, "{", "}")
                break
            i += 1
        text = text[: m.start()] + blank(text[m.start() : i]) + text[i:]
        pos = i
