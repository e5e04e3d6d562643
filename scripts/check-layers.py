#!/usr/bin/python3
"""check-layers.py — frost's layering, checked: every #include under src/, tools/ and python/ (the
binding) must point to the including file's own layer or a layer below it (docs/ARCHITECTURE.md
draws the picture), and no include circle may join files of different folders.

The allowed matrix below is the architecture as data: changing the architecture is changing one
line here, in a reviewed commit. A folder's layer is its longest prefix in LAYER_OF; system headers
(<...>) are not checked. Generated headers are attributed to the folder that owns their source.

usage: scripts/check-layers.py [ROOT]   (exit 0: clean; 1: violations, each printed)
"""
import os
import re
import sys

# Folder (relative to the root) -> layer name. Longest prefix wins.
LAYER_OF = {
    "include": "api",
    "src/core": "core",
    "src/platform": "platform",
    "src/kernels": "kernels",
    "src/kernels/ref": "kernels_ref",
    "src/kernels/x86": "kernels_isa",
    "src/kernels/blas": "kernels_isa",
    "src/ops": "ops",
    "src/passes": "passes",
    "src/fmt": "fmt",
    "src/import": "import",
    "src/engine": "engine",
    "tools/common": "tools_common",
    "tools": "tools",
    "python": "bindings",
}

# Layer -> the layers its files may include (its own included). The public header is below all.
ALLOWED = {
    "api": {"api"},
    "core": {"api", "core"},
    "platform": {"api", "core", "platform"},
    # Kernel headers and the selection (kernels/*.c) see every kernel; the portable kernels never
    # see the ISA ones (so they cannot choose them); ISA kernels may reuse the portable loop bodies.
    "kernels": {"api", "core", "platform", "kernels", "kernels_ref", "kernels_isa"},
    "kernels_ref": {"api", "core", "platform", "kernels", "kernels_ref"},
    "kernels_isa": {"api", "core", "platform", "kernels", "kernels_ref", "kernels_isa"},
    "ops": {"api", "core", "platform", "kernels", "ops"},
    "passes": {"api", "core", "platform", "ops", "passes"},
    "fmt": {"api", "core", "fmt"},
    "import": {"api", "core", "ops", "fmt", "import"},
    "engine": {"api", "core", "platform", "kernels", "ops", "passes", "fmt", "import", "engine"},
    "tools_common": {"api", "tools_common"},
    "tools": {"api", "tools_common", "tools"},
    "bindings": {"api", "tools_common", "bindings"},
}

# Headers generated at build time, by the folder that owns what they are made from.
GENERATED = {
    "ops_present.h": "src/ops",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder_layer(folder):
    best = None
    for prefix, layer in LAYER_OF.items():
        if folder == prefix or folder.startswith(prefix + "/"):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, layer)
    return best[1] if best else None


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    files = []
    for top in ("src", "tools", "include", "python"):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".c", ".h", ".inc", ".def")):
                    files.append(os.path.relpath(os.path.join(d, n), root))
    by_base = {}
    for f in files:
        by_base.setdefault(os.path.basename(f), []).append(f)
    # .proto files: their generated .pb-c.h belongs to the proto's folder.
    for d, _, names in os.walk(os.path.join(root, "src")):
        for n in names:
            if n.endswith(".proto"):
                GENERATED[n[:-len(".proto")] + ".pb-c.h"] = os.path.relpath(d, root)

    def resolve(src, inc):
        """The repository path an include names, or None for a generated header."""
        here = os.path.dirname(src)
        for cand in (os.path.join(here, inc), os.path.join("src", inc), os.path.join("include", inc),
                     os.path.join("tools/common", inc), os.path.join("tools/frost", inc),
                     os.path.join("tools", inc)):
            cand = os.path.normpath(cand)
            if cand in file_set:
                return cand
        return None

    file_set = set(files)
    problems = []
    edges = {}
    for f in sorted(files):
        layer = folder_layer(os.path.dirname(f))
        if layer is None:
            problems.append(f"{f}: its folder has no layer in scripts/check-layers.py")
            continue
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                target = resolve(f, inc)
                if target is None:
                    owner = GENERATED.get(os.path.basename(inc))
                    if owner is None:
                        problems.append(f"{f}:{lineno}: \"{inc}\" is neither in the tree nor a "
                                        "known generated header")
                        continue
                    tfolder = owner
                else:
                    tfolder = os.path.dirname(target)
                    edges.setdefault(f, set()).add(target)
                tlayer = folder_layer(tfolder)
                if tlayer not in ALLOWED[layer]:
                    problems.append(f"{f}:{lineno}: includes \"{inc}\" ({tlayer}): layer {layer} "
                                    f"may include only {', '.join(sorted(ALLOWED[layer]))}")

    # Include circles that join files of different folders (Tarjan's strongly connected components).
    index, low, on_stack, stack, sccs = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        work = [(v, iter(sorted(edges.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    sccs.append(sorted(comp))

    for v in sorted(files):
        if v not in index:
            visit(v)
    for comp in sccs:
        if len({os.path.dirname(f) for f in comp}) > 1:
            problems.append("include circle across folders: " + " -> ".join(comp))

    for p in problems:
        print(p)
    print(f"check-layers: {len(files)} files, {sum(len(e) for e in edges.values())} includes, "
          f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
