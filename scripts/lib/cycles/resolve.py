"""Name resolution over the module tree: where a path written in a module points (`crate::`,
`self::`, `super::`, a child module, a name imported by `use`), the longest prefix of it that is
a module, and the module that really defines an item, following re-exports and globs."""


class Resolver:
    def __init__(self, scopes):
        self.scopes = scopes  # module path -> Scope, as Crate reads them

    def absolute(self, scope, segs, guard=()):
        """Absolute segments of a path written in scope, or None (external, std, a local item)."""
        first = segs[0]
        if first == "crate":
            return tuple(segs[1:])
        if first in ("self", "super"):
            base, k = scope.path, (1 if first == "self" else 0)
            while k < len(segs) and segs[k] == "super":
                if not base:
                    return None
                base, k = base[:-1], k + 1
            return base + tuple(segs[k:])
        if first in scope.children:
            return scope.path + tuple(segs)
        if first in scope.imports and first not in guard:
            target = self.absolute(scope, scope.imports[first][0], guard + (first,))
            return None if target is None else target + tuple(segs[1:])
        return None

    def walk(self, segs):
        """The longest module prefix of absolute segs: (module path, item name or None)."""
        mod = ()
        i = 0
        while i < len(segs) and segs[i] in self.scopes[mod].children:
            mod = self.scopes[mod].children[segs[i]]
            i += 1
            if mod not in self.scopes:  # declared but its file is missing
                return mod[:-1], mod[-1]
        return mod, (segs[i] if i < len(segs) else None)

    def exports(self, mod, name, seen=None):
        seen = set() if seen is None else seen
        if mod in seen:
            return False
        seen.add(mod)
        s = self.scopes[mod]
        if name in s.defs or name in s.imports:
            return True
        for segs, _, _ in s.globs:
            target = self.absolute(s, segs)
            if target is not None:
                g, item = self.walk(target)
                if item is None and self.exports(g, name, seen):
                    return True
        return False

    def define_site(self, mod, name, seen=None):
        """The module that defines item `name` named through module `mod`, following imports
        and re-exports; None when it comes from outside the crate."""
        seen = set() if seen is None else seen
        if (mod, name) in seen:
            return mod
        seen.add((mod, name))
        s = self.scopes[mod]
        if name in s.children:
            return s.children[name]
        if name in s.defs:
            return mod
        if name in s.imports:
            target = self.absolute(s, s.imports[name][0], (name,))
            if target is None:
                return None
            m2, item2 = self.walk(target)
            return m2 if item2 is None else self.define_site(m2, item2, seen)
        for segs, _, _ in s.globs:
            target = self.absolute(s, segs)
            if target is None:
                continue
            g, item = self.walk(target)
            if item is None and self.exports(g, name):
                return self.define_site(g, name, seen)
        return mod  # made by a macro, or not found: charge the module named

    def target(self, abs_segs):
        mod, item = self.walk(abs_segs)
        return mod if item is None else self.define_site(mod, item)

    def module_alias(self, scope, name):
        if name not in scope.imports:
            return False
        target = self.absolute(scope, scope.imports[name][0], (name,))
        return target is not None and self.walk(target)[1] is None
