"""The verdict on one crate: reads it, builds its module graph, finds the groups of modules that
import each other and the cycles in them (up to MAX_CYCLES), and prints the summary line, each
cycle with the file and line of every reference making each edge, or with --edges the whole
graph. Returns the exit status (0 no cycle, 1 cycles) and the cycles found."""

import os
import sys
from collections import defaultdict

from .crate import Crate, name_of
from .edges import module_edges
from .graph import TooMany, elementary_cycles, strongly_connected

MAX_CYCLES = 500


def evidence_lines(where):
    """`file:line: text` lines, by line; the names one grouped `use` line imports, merged."""
    merged = {}
    for file, line, text in where:
        key = (file, line)
        head = "pub use " if text.startswith("pub use ") else "use "
        if text.startswith(head) and "::" in text and " " not in text[len(head) :]:
            prefix, leaf = text.rsplit("::", 1)
            merged.setdefault(key, {}).setdefault(prefix, []).append(leaf)
        else:
            merged.setdefault(key, {}).setdefault(text, [])
    out = []
    for (file, line), texts in sorted(merged.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        shown = []
        for text, leaves in texts.items():
            leaves = sorted(set(leaves))
            if len(leaves) > 1:
                shown.append(f"{text}::{{{', '.join(leaves)}}}")
            elif leaves:
                shown.append(f"{text}::{leaves[0]}")
            else:
                shown.append(text)
        note = ""
        if any(t.startswith("pub use ") for t in shown):
            note = "  (a re-export this file's code also names)"
        out.append(f"{file}:{line}: {'; '.join(shown)}{note}")
    return out



def analyse(src):
    crate = Crate(src)
    edges = module_edges(crate)
    adj = defaultdict(list)
    for a, b in sorted(edges):
        adj[a].append(b)
    for m in crate.modules:
        adj.setdefault(m, [])
    comps = [c for c in strongly_connected(crate.modules, adj) if len(c) > 1]
    comps.sort()
    found = []  # (component, [cycles])
    truncated = False
    total = 0
    for comp in comps:
        cycles = []
        try:
            elementary_cycles(comp, adj, cycles, MAX_CYCLES - total)
        except TooMany:
            truncated = True
        cycles.sort(key=lambda c: (len(c), [name_of(m) for m in c]))
        total += len(cycles)
        found.append((comp, cycles))
        if truncated:
            break
    return crate, edges, comps, found, truncated


def report(src, show_edges=False, out=sys.stdout):
    crate, edges, comps, found, truncated = analyse(src)
    label = src.rstrip("/")
    if show_edges:
        for (a, b), where in sorted(edges.items()):
            print(f"{name_of(a)} -> {name_of(b)}", file=out)
            for shown in evidence_lines(where):
                print(f"    {shown}", file=out)
    for f in crate.skipped:
        note = f"{os.path.relpath(f)} is declared by no `mod`; skipped"
        print(f"check-cycles: note: {note}", file=out)
    summary = f"{len(crate.modules)} modules, {len(edges)} edges"
    if not comps:
        print(f"check-cycles: {label}: {summary}, no cycle", file=out)
        return 0, []
    n_cycles = sum(len(c) for _, c in found)
    print(
        f"check-cycles: {label}: {summary}; {n_cycles} import cycle(s)"
        f"{' (stopped at %d)' % MAX_CYCLES if truncated else ''}"
        f" in {len(comps)} group(s) of modules that import each other",
        file=out,
    )
    all_cycles = []
    number = 0
    for g, (comp, cycles) in enumerate(found, 1):
        print(f"\ngroup {g} ({len(comp)} modules): {', '.join(name_of(m) for m in comp)}", file=out)
        for cycle in cycles:
            number += 1
            ring = cycle + [cycle[0]]
            all_cycles.append(tuple(name_of(m) for m in cycle))
            print(f"  cycle {number}: {' -> '.join(name_of(m) for m in ring)}", file=out)
            for a, b in zip(ring, ring[1:]):
                print(f"    {name_of(a)} -> {name_of(b)}", file=out)
                for shown in evidence_lines(edges[(a, b)]):
                    print(f"        {shown}", file=out)
    if len(found) < len(comps):
        rest = comps[len(found) :]
        for comp in rest:
            print(f"\ngroup (cycles not listed): {', '.join(name_of(m) for m in comp)}", file=out)
    print(
        "\nBreak each cycle: move the shared item to a module both can import, or invert one "
        "edge.",
        file=out,
    )
    return 1, all_cycles
