"""The module graph of a crate: an edge A -> B for each reference from A's code to an item B
defines, with its evidence (file, line, text), from both `use` items and paths in code. Owns
what is not an edge: a module's own re-exports (unless its code names the item too), references
to itself, and what resolves outside the crate."""

from collections import defaultdict

from .resolve import Resolver


def module_edges(crate):
    """{(from node, to node): [(file, line, text)]}"""
    edges = defaultdict(list)
    resolve = Resolver(crate.scopes)

    def add(scope, to, line, text):
        if to is None:
            return
        to_node = crate.scopes[to].node if to in crate.scopes else to
        if to_node != scope.node:
            edges[(scope.node, to_node)].append((crate.show_file(scope.file), line, text))

    for scope in crate.scopes.values():
        words = crate.scopes[scope.node].words
        used_aliases = set()
        for segs, line, text in scope.paths:
            first = segs[0]
            if first not in ("crate", "self", "super") and first not in scope.children:
                if not resolve.module_alias(scope, first):
                    continue
                used_aliases.add(first)
            absolute = resolve.absolute(scope, segs)
            if absolute is not None:
                add(scope, resolve.target(absolute), line, text)
        for segs, binding, is_pub, line, text in scope.uses:
            absolute = resolve.absolute(scope, segs, (binding,) if binding else ())
            if absolute is None:
                continue
            mod, item = resolve.walk(absolute)
            if is_pub:
                # A re-export: the facade is not a user of what it re-exports, unless its
                # own code names it too.
                if binding is None and item is None:
                    for n in sorted(n for n in words if resolve.exports(mod, n)):
                        add(scope, resolve.define_site(mod, n), line, f"pub {text} ({n})")
                elif item is not None and binding in words:
                    add(scope, resolve.define_site(mod, item), line, f"pub {text}")
                continue
            if binding is None and item is None:  # a glob of a module: the names used
                names = sorted(n for n in words if resolve.exports(mod, n))
                for n in names:
                    add(scope, resolve.define_site(mod, n), line, f"{text} ({n})")
                if not names:
                    add(scope, mod, line, text)
            elif item is None:  # a module imported by name: charged where paths use it
                if binding not in used_aliases:
                    add(scope, mod, line, text)
            else:
                add(scope, resolve.define_site(mod, item), line, text)
    return edges
