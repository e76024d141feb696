"""Graph algorithms on the module graph, with no knowledge of Rust: the strongly connected
components (Tarjan) and every elementary cycle inside one (Johnson), up to a limit."""

from collections import defaultdict


def strongly_connected(nodes, adj):
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in adj[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(sorted(comp))

    for v in nodes:
        if v not in index:
            visit(v)
    return comps


class TooMany(Exception):
    pass


def elementary_cycles(comp, adj, cycles, limit):
    """Johnson's algorithm on one strongly connected component; each cycle starts at its least
    node. Appends to cycles; raises TooMany past limit."""
    comp = sorted(comp)
    for k, s in enumerate(comp):
        allowed = set(comp[k:])
        sub = {v: [w for w in adj[v] if w in allowed] for v in allowed}
        members = next(c for c in strongly_connected(sorted(allowed), sub) if s in c)
        if len(members) < 2:
            continue
        members = set(members)
        blocked, back, path = set(), defaultdict(set), [s]

        def unblock(u):
            todo = [u]
            while todo:
                x = todo.pop()
                if x in blocked:
                    blocked.discard(x)
                    todo.extend(back[x])
                    back[x].clear()

        def circuit(v):
            found = False
            blocked.add(v)
            for w in sub[v]:
                if w not in members:
                    continue
                if w == s:
                    cycles.append(list(path))
                    found = True
                    if len(cycles) >= limit:
                        raise TooMany
                elif w not in blocked:
                    path.append(w)
                    found = circuit(w) or found
                    path.pop()
            if found:
                unblock(v)
            else:
                for w in sub[v]:
                    if w in members:
                        back[w].add(v)
            return found

        circuit(s)
