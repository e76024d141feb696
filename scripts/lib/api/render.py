"""Rendering rustdoc JSON types as Rust text: paths (by their last segment, or in full for other
crates' types while QUALIFY is on), generic arguments and parameters, bounds, where clauses,
and function signatures (qualifiers, ABI, `self` arguments)."""


def last(path):
    return path.split("::")[-1] if path else path


def generic_args(args):
    if not args:
        return ""
    if "angle_bracketed" in args:
        a = args["angle_bracketed"]
        parts = [generic_arg(x) for x in a.get("args", [])]
        for c in a.get("constraints", []):
            name = c["name"] + generic_args(c.get("args"))
            binding = c.get("binding", {})
            if "equality" in binding:
                term = binding["equality"]
                value = ty(term["type"]) if "type" in term else term.get("constant", {}).get("expr")
                parts.append(f"{name} = {value or '?'}")
            elif "constraint" in binding:
                parts.append(f"{name}: {bounds(binding['constraint'])}")
        return f"<{', '.join(parts)}>" if parts else ""
    if "parenthesized" in args:
        p = args["parenthesized"]
        out = f"({', '.join(ty(t) for t in p.get('inputs', []))})"
        if p.get("output"):
            out += f" -> {ty(p['output'])}"
        return out
    return "(..)"


def generic_arg(a):
    if a == "infer":
        return "_"
    if "lifetime" in a:
        return a["lifetime"]
    if "type" in a:
        return ty(a["type"])
    if "const" in a:
        return a["const"].get("expr", "?")
    return "?"


# In the one line of traits a type implements, other crates' types in the traits' arguments are
# shown by their full path (`From<rusqlite::error::Error>`, `From<serde_json::error::Error>`), so
# two impls of one trait stay apart. Set by Listing.impls.
QUALIFY = {"on": False, "paths": {}}


def path(p):
    summary = QUALIFY["paths"].get(str(p.get("id"))) if QUALIFY["on"] else None
    if summary and summary.get("crate_id") != 0:
        name = "::".join(summary["path"])
    else:
        name = last(p["path"])
    return name + generic_args(p.get("args"))


def bound(b):
    if "trait_bound" in b:
        t = b["trait_bound"]
        prefix = {"maybe": "?", "maybe_const": "~const "}.get(t.get("modifier"), "")
        hrtb = generic_params(t.get("generic_params", []), "for")
        return f"{hrtb}{prefix}{path(t['trait'])}"
    if "outlives" in b:
        return b["outlives"]
    if "use" in b:
        names = [x if isinstance(x, str) else next(iter(x.values())) for x in b["use"]]
        return f"use<{', '.join(names)}>"
    return "?"


def bounds(bs):
    return " + ".join(bound(b) for b in bs)


def ty(t):
    if t is None:
        return "()"
    if isinstance(t, str):
        return "_" if t == "infer" else t
    kind, v = next(iter(t.items()))
    if kind == "resolved_path":
        return path(v)
    if kind in ("generic", "primitive"):
        return v
    if kind == "borrowed_ref":
        lt = f"{v['lifetime']} " if v.get("lifetime") else ""
        return f"&{lt}{'mut ' if v['is_mutable'] else ''}{ty(v['type'])}"
    if kind == "raw_pointer":
        return f"*{'mut' if v['is_mutable'] else 'const'} {ty(v['type'])}"
    if kind == "tuple":
        inner = ", ".join(ty(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if kind == "slice":
        return f"[{ty(v)}]"
    if kind == "array":
        return f"[{ty(v['type'])}; {v['len']}]"
    if kind == "pat":
        return ty(v["type"])
    if kind == "impl_trait":
        return f"impl {bounds(v)}"
    if kind == "dyn_trait":
        parts = [
            generic_params(x.get("generic_params", []), "for") + path(x["trait"])
            for x in v["traits"]
        ]
        if v.get("lifetime"):
            parts.append(v["lifetime"])
        return "dyn " + " + ".join(parts)
    if kind == "function_pointer":
        hrtb = generic_params(v.get("generic_params", []), "for")
        return hrtb + signature(v["sig"], "", v.get("header"))
    if kind == "qualified_path":
        self_ty = ty(v["self_type"])
        trait = v.get("trait")
        name = v["name"] + generic_args(v.get("args"))
        if trait and trait.get("path"):
            return f"<{self_ty} as {path(trait)}>::{name}"
        return f"{self_ty}::{name}"
    return f"<{kind}?>"


def generic_params(params, keyword=""):
    shown = []
    for p in params:
        kind, v = next(iter(p["kind"].items()))
        if kind == "lifetime":
            out = v.get("outlives") or []
            shown.append(p["name"] + (f": {' + '.join(out)}" if out else ""))
        elif kind == "type":
            if v.get("is_synthetic"):
                continue  # `impl Trait` in an argument: shown there
            text = p["name"]
            if v.get("bounds"):
                text += f": {bounds(v['bounds'])}"
            if v.get("default"):
                text += f" = {ty(v['default'])}"
            shown.append(text)
        elif kind == "const":
            text = f"const {p['name']}: {ty(v['type'])}"
            if v.get("default"):
                text += f" = {v['default']}"
            shown.append(text)
    if not shown:
        return ""
    return f"{keyword}<{', '.join(shown)}>" + (" " if keyword else "")


def where_clause(generics):
    preds = []
    for w in generics.get("where_predicates", []):
        kind, v = next(iter(w.items()))
        if kind == "bound_predicate":
            hrtb = generic_params(v.get("generic_params", []), "for")
            preds.append(f"{hrtb}{ty(v['type'])}: {bounds(v['bounds'])}")
        elif kind == "lifetime_predicate":
            preds.append(f"{v['lifetime']}: {' + '.join(v['outlives'])}")
        elif kind == "eq_predicate":
            rhs = v["rhs"]
            preds.append(f"{ty(v['lhs'])} = {ty(rhs['type']) if 'type' in rhs else '?'}")
    return f" where {', '.join(preds)}" if preds else ""


def argument(name, t, pointer=False):
    if name == "self":
        if t == {"generic": "Self"}:
            return "self"
        ref = t.get("borrowed_ref")
        if ref and ref["type"] == {"generic": "Self"}:
            lt = f"{ref['lifetime']} " if ref.get("lifetime") else ""
            return f"&{lt}{'mut ' if ref['is_mutable'] else ''}self"
    if pointer and name == "_":
        return ty(t)
    return f"{name}: {ty(t)}"


def signature(sig, name, header=None, params=""):
    """`const async unsafe fn name<params>(args) -> output` (name "" for a function pointer)."""
    header = header or {}
    quals = "".join(
        word + " "
        for word, on in (
            ("const", header.get("is_const")),
            ("async", header.get("is_async")),
            ("unsafe", header.get("is_unsafe")),
        )
        if on
    )
    abi = header.get("abi", "Rust")
    if abi != "Rust":
        quals += f'extern "{abi if isinstance(abi, str) else next(iter(abi))}" '
    pointer = not name
    args = ", ".join(argument(n, t, pointer) for n, t in sig["inputs"])
    out = f"{quals}fn{' ' + name if name else ''}{params}({args})"
    if sig.get("output") is not None:
        out += f" -> {ty(sig['output'])}"
    return out
