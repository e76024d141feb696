"""check-cycles --self-test: runs the checker on the two fixture crates in scripts/fixtures/ and
holds it to the exact verdict, cycles and edges each must give (what each edge is made by is
noted beside it; scripts/fixtures/README.md describes the fixtures)."""

import io
import os
import sys

from .crate import Crate, name_of
from .edges import module_edges
from .report import evidence_lines, report

SCRIPTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(SCRIPTS, "fixtures")

EXPECTED_CYCLES = {("a", "b::c"), ("b", "b::c"), ("b::c", "d"), ("d", "e")}
EXPECTED_EDGES = {
    "cyclic": {
        ("a", "b::c"),  # a nested grouped use: `use crate::b::{c::{Other}}`
        ("b", "b::c"),  # a child module's path in code: `c::Other::new()`
        ("b::c", "b"),  # `super::Bee::ONE` in code
        ("b::c", "a"),  # `crate::a::Alpha` in code
        ("b::c", "d"),  # `use super::super::d::Delta`
        ("d", "b::c"),  # `use crate::Thing`: followed through two re-exports
        ("d", "e"),  # `crate::e::VALUE` in code
        ("e", "d"),  # `pub use crate::d::Delta` that e's own code names too
    },
    "acyclic": {
        ("crate", "z"),  # a child module's path in code: `z::zed()`
        ("crate", "y"),  # a path in an attribute's string: `serialize_with = "crate::y::show"`
        ("y", "x::inner"),  # `use crate::X`: followed through two re-exports
        ("z", "x::inner"),  # `use crate::x::*` with `X` used
        ("z", "y"),  # `crate::Why` in code: followed through the root's glob re-export
        ("x::inner", "x"),  # `super::Helper` in code
    },
}


def self_test(verbose=False):
    """Both fixtures: the verdict, the exact cycles, and the exact edges."""
    failures = []
    for name, want_code in (("cyclic", 1), ("acyclic", 0)):
        src = os.path.join(FIXTURES, name, "src")
        buf = io.StringIO()
        code, cycles = report(os.path.relpath(src), out=buf)
        edges = {(name_of(a), name_of(b)) for a, b in module_edges(Crate(src))}
        want_cycles = EXPECTED_CYCLES if name == "cyclic" else set()
        failed = len(failures)
        if code != want_code:
            failures.append(f"{name} fixture: exit {code}, expected {want_code}")
        if set(cycles) != want_cycles or len(cycles) != len(want_cycles):
            failures.append(
                f"{name} fixture: cycles {sorted(cycles)}, expected {sorted(want_cycles)}"
            )
        if edges != EXPECTED_EDGES[name]:
            failures.append(
                f"{name} fixture: edges {sorted(edges)}, expected {sorted(EXPECTED_EDGES[name])}"
            )
        if len(failures) > failed or verbose:
            print(buf.getvalue())
            if len(failures) > failed:
                fixture_edges = module_edges(Crate(src))
                print("its edges:")
                for (a, b), where in sorted(fixture_edges.items()):
                    print(f"  {name_of(a)} -> {name_of(b)}: {'; '.join(evidence_lines(where))}")
                print()
    if failures:
        for f in failures:
            print(f"check-cycles --self-test: FAILED: {f}", file=sys.stderr)
        return 1
    print("check-cycles --self-test: ok (the cyclic fixture is rejected with its 4 cycles, the "
          "acyclic one passes; both with exactly the expected edges)")
    return 0
