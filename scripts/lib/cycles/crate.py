"""The crate's module tree: which .rs files are modules (found by following `mod` declarations
from lib.rs or main.rs, leaving out tests.rs, tests/ and src/bin/), each read into its Scopes,
and the files no `mod` declares. Also how a module is named in the output."""

import os

from .parse import parse_file


class Crate:
    def __init__(self, src_dir):
        self.src = src_dir.rstrip("/") or "."
        self.scopes = {}
        self.skipped = []  # files that no `mod` declares
        self.load()

    def show_file(self, path):
        return os.path.relpath(path)

    def load(self):
        candidates = {}  # module path -> file
        root = None
        for dirpath, dirnames, filenames in os.walk(self.src):
            rel_dir = os.path.relpath(dirpath, self.src)
            parts = () if rel_dir == "." else tuple(rel_dir.split(os.sep))
            # tests/ is test code; src/bin/ holds other crates (binaries)
            dirnames[:] = sorted(d for d in dirnames if d != "tests" and (parts or d != "bin"))
            for name in sorted(filenames):
                if not name.endswith(".rs") or name == "tests.rs":
                    continue
                file = os.path.join(dirpath, name)
                if not parts and name in ("lib.rs", "main.rs"):
                    if name == "lib.rs" or root is None:
                        root = file
                    continue
                mod = parts if name == "mod.rs" else parts + (name[:-3],)
                candidates[mod] = file
        if root is None:
            raise SystemExit(f"check-cycles: no lib.rs or main.rs in {self.src}")
        todo = [((), root)]
        seen = set()
        while todo:
            mod, file = todo.pop()
            declared = parse_file(file, mod, self.scopes, [])
            for parent, name in declared:
                child = parent + (name,)
                self.scopes[parent].children[name] = child
                if child in candidates and child not in seen:
                    seen.add(child)
                    todo.append((child, candidates[child]))
        self.skipped = sorted(f for m, f in candidates.items() if m not in seen)
        self.modules = sorted(p for p, s in self.scopes.items() if s.node == p)


def name_of(mod):
    return "::".join(mod) if mod else "crate"
