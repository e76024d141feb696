"""Walking the crate in rustdoc JSON from its root module: every public, not #[doc(hidden)] item
under every path a user can write it by (following `pub use` and globs), as one line each with
its sort key; structs' pub fields, enums' variants, traits' items, inherent impls' pub members,
and one line per type naming the traits it implements. Rendering of types is in render."""

import json

from .render import (
    QUALIFY,
    bounds,
    generic_args,
    generic_params,
    last,
    signature,
    ty,
    where_clause,
)

# Implemented by the compiler beside a derive (PartialEq); not something a user names.
NOT_SHOWN_TRAITS = {"StructuralPartialEq"}


class Listing:
    def __init__(self, doc):
        self.index = doc["index"]
        self.paths = doc.get("paths", {})
        self.lines = set()  # (sort key, line)
        self.seen = set()

    def item(self, id_):
        return self.index.get(str(id_))

    @staticmethod
    def hidden(item):
        return any("hidden" in json.dumps(a) for a in item.get("attrs", []))

    def add(self, segments, line):
        self.lines.add((tuple(segments), line))

    def module(self, item, segments):
        for child_id in item["inner"]["module"]["items"]:
            child = self.item(child_id)
            if child is None or self.hidden(child) or child.get("visibility") != "public":
                continue
            if "use" in child["inner"]:
                self.reexport(child["inner"]["use"], segments)
            else:
                self.named(child, segments + [child["name"]])

    def reexport(self, use, segments):
        target = self.item(use["id"]) if use.get("id") is not None else None
        if use["is_glob"]:
            if target is not None and "module" in target["inner"]:
                self.module(target, segments)
            elif target is not None and "enum" in target["inner"]:
                for vid in target["inner"]["enum"]["variants"]:
                    variant = self.item(vid)
                    if variant and not self.hidden(variant):
                        where = segments + [variant["name"]]
                        self.add(where, f"pub use {'::'.join(where)}")
            else:
                self.add(segments + ["*"], f"pub use {'::'.join(segments)}::* = {use['source']}::*")
            return
        where = segments + [use["name"]]
        if target is not None and not self.hidden(target):
            self.named(target, where)
        elif target is None:
            source = use["source"]
            summary = self.paths.get(str(use.get("id")))
            if summary:
                source = "::".join(summary["path"])
            self.add(where, f"pub use {'::'.join(where)} = {source}")

    def named(self, item, segments):
        key = (item["id"], tuple(segments))
        if key in self.seen or len(segments) > 32:
            return
        self.seen.add(key)
        full = "::".join(segments)
        kind, v = next(iter(item["inner"].items()))
        generics = v.get("generics", {}) if isinstance(v, dict) else {}
        params = generic_params(generics.get("params", []))
        wc = where_clause(generics)
        if kind == "module":
            if not v.get("is_stripped"):
                self.add(segments, f"pub mod {full}")
            self.module(item, segments)
        elif kind == "struct":
            shape = v["kind"]
            if shape == "unit":
                self.add(segments, f"pub struct {full}{params}{wc};")
            elif "tuple" in shape:
                fields = [self.item(f) for f in shape["tuple"]]
                shown = ", ".join(
                    "pub " + ty(f["inner"]["struct_field"]) if f else "_" for f in fields
                )
                self.add(segments, f"pub struct {full}{params}({shown}){wc};")
            else:
                self.add(segments, f"pub struct {full}{params}{wc}")
                self.fields(shape["plain"]["fields"], segments)
            self.impls(item["id"], v.get("impls", []), segments)
        elif kind == "union":
            self.add(segments, f"pub union {full}{params}{wc}")
            self.fields(v["fields"], segments)
            self.impls(item["id"], v.get("impls", []), segments)
        elif kind == "enum":
            self.add(segments, f"pub enum {full}{params}{wc}")
            for vid in v["variants"]:
                variant = self.item(vid)
                if variant is None or self.hidden(variant):
                    continue
                self.variant(variant, segments + [variant["name"]])
            self.impls(item["id"], v.get("impls", []), segments)
        elif kind == "trait":
            supertraits = f": {bounds(v['bounds'])}" if v.get("bounds") else ""
            quals = "unsafe " if v.get("is_unsafe") else ""
            quals += "auto " if v.get("is_auto") else ""
            self.add(segments, f"pub {quals}trait {full}{params}{supertraits}{wc}")
            for iid in v["items"]:
                member = self.item(iid)
                if member is not None and not self.hidden(member):
                    self.associated(member, segments, "")
        elif kind == "function":
            self.add(segments, f"pub {self.fn(v, full, params, wc)}")
        elif kind == "constant":
            self.add(segments, f"pub const {full}: {ty(v['type'])}")
        elif kind == "static":
            mut = "mut " if v.get("is_mutable") else ""
            self.add(segments, f"pub static {mut}{full}: {ty(v['type'])}")
        elif kind == "type_alias":
            self.add(segments, f"pub type {full}{params} = {ty(v['type'])}{wc}")
        elif kind == "macro":
            self.add(segments, f"pub macro {full}!")
        elif kind == "proc_macro":
            self.add(segments, f"pub proc macro {full}")
        else:
            self.add(segments, f"pub {kind} {full}")

    @staticmethod
    def fn(v, full, params, wc):
        return signature(v["sig"], full, v.get("header"), params) + wc

    def fields(self, ids, segments):
        for fid in ids:
            field = self.item(fid)
            if field is None or self.hidden(field) or field.get("visibility") != "public":
                continue
            where = segments + [field["name"]]
            self.add(where, f"pub {'::'.join(where)}: {ty(field['inner']['struct_field'])}")

    def variant(self, variant, segments):
        full = "::".join(segments)
        shape = variant["inner"]["variant"]["kind"]
        if shape == "plain":
            self.add(segments, f"variant {full}")
        elif "tuple" in shape:
            fields = [self.item(f) for f in shape["tuple"]]
            shown = ", ".join(ty(f["inner"]["struct_field"]) if f else "_" for f in fields)
            self.add(segments, f"variant {full}({shown})")
        else:
            names = []
            for fid in shape["struct"]["fields"]:
                f = self.item(fid)
                if f is not None and not self.hidden(f):
                    names.append(f"{f['name']}: {ty(f['inner']['struct_field'])}")
            if shape["struct"].get("has_stripped_fields"):
                names.append("..")
            self.add(segments, f"variant {full} {{ {', '.join(names)} }}")

    def associated(self, member, segments, vis):
        full = "::".join(segments + [member["name"]])
        kind, v = next(iter(member["inner"].items()))
        generics = v.get("generics", {}) if isinstance(v, dict) else {}
        params = generic_params(generics.get("params", []))
        wc = where_clause(generics)
        where = segments + [member["name"]]
        if kind == "function":
            self.add(where, f"{vis}{self.fn(v, full, params, wc)}")
        elif kind == "assoc_const":
            self.add(where, f"{vis}const {full}: {ty(v['type'])}")
        elif kind == "assoc_type":
            b = f": {bounds(v['bounds'])}" if v.get("bounds") else ""
            self.add(where, f"{vis}type {full}{params}{b}{wc}")

    def impls(self, type_id, impl_ids, segments):
        """The inherent impls' pub members, and one line naming the traits implemented."""
        traits = set()
        for iid in impl_ids:
            impl_item = self.item(iid)
            if impl_item is None or self.hidden(impl_item):
                continue
            impl = impl_item["inner"]["impl"]
            if impl.get("is_synthetic") or impl.get("blanket_impl") is not None:
                continue
            if impl["for"].get("resolved_path", {}).get("id") != type_id:
                continue  # e.g. `impl From<ThisType> for Other` is Other's
            if impl.get("trait") is None:
                for mid in impl["items"]:
                    member = self.item(mid)
                    if member is None or self.hidden(member):
                        continue
                    if member.get("visibility") != "public":
                        continue
                    self.associated(member, segments, "pub ")
            elif last(impl["trait"]["path"]) not in NOT_SHOWN_TRAITS:
                QUALIFY.update(on=True, paths=self.paths)
                try:
                    args = generic_args(impl["trait"].get("args"))
                finally:
                    QUALIFY["on"] = False
                negative = "!" if impl.get("is_negative") else ""
                traits.add(f"{negative}{last(impl['trait']['path'])}{args}")
        if traits:
            line = f"impl {', '.join(sorted(traits))} for {'::'.join(segments)}"
            self.add(segments + ["\x00"], line)

    def render(self):
        # Sorted as a tree: a type, then the traits it implements, then its members.
        return [line for _, line in sorted(self.lines)]


def listing(doc):
    root = doc["index"][str(doc["root"])]
    out = Listing(doc)
    out.named(root, [root["name"]])
    return out.render()
