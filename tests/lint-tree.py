#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""lint-tree.py - rules of the source tree that the compiler does not check.

  tests/lint-tree.py [ROOT]     (default: the repository this file is in)

  cycle    no include cycle between modules: a module is a header of
           include/obscura/ with the .c files of src/ that implement it
           (same name); module A depends on B when A's header or one of A's
           .c files includes B's header.  src/cmd/ is the top and is left out.
  banned   every .c/.cpp under src/ includes "obscura/banned.h", as its last
           include (HACKING.md: strcpy, sprintf, gmtime, ... do not compile).
  spdx     every source, script and build file carries an SPDX licence line
           in its first three lines.

Each finding is printed as FILE:LINE: RULE: reason; the exit status is 1 if
there is one.  The lint first checks itself on samples that must be rejected,
so a lint that silently stopped finding anything fails too (exit 2).
"""
import glob
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"obscura/([A-Za-z0-9_]+)\.h"', re.M)
SPDX = "SPDX-License-Identifier: MIT"


def modules(root):
    """{module: set(modules it includes)} over headers and src/ (without src/cmd)."""
    edges = {}
    files = glob.glob(os.path.join(root, "include/obscura/*.h"))
    files += [f for f in glob.glob(os.path.join(root, "src/*.c")) + glob.glob(os.path.join(root, "src/*/*.c")) +
              glob.glob(os.path.join(root, "src/*/*.cpp")) + glob.glob(os.path.join(root, "src/*.cpp"))
              if os.sep + "cmd" + os.sep not in f]
    for f in files:
        m = os.path.splitext(os.path.basename(f))[0]
        with open(f, encoding="utf-8") as fh:
            for inc in INCLUDE.findall(fh.read()):
                if inc not in (m, "banned"):
                    edges.setdefault(m, set()).add(inc)
    return edges


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def banned_problem(text):
    incs = [m.group(1) for m in re.finditer(r'^\s*#\s*include\s+[<"]([^>"]+)[>"]', text, re.M)]
    if "obscura/banned.h" not in incs:
        return "does not include obscura/banned.h"
    if incs[-1] != "obscura/banned.h":
        return "includes %s after obscura/banned.h (banned.h must come last)" % incs[-1]
    return None


def spdx_files(root):
    pats = ["src/*.c", "src/*/*.c", "src/*/*.cpp", "src/*/*.h", "include/obscura/*.h", "tests/*.sh", "tests/*.py",
            "tests/e2e/*.sh", "tests/unit/*.c", "tests/tools/*.c", "tests/tools/*.py", "tests/support/*.[ch]",
            "tests/models/*.py", "scripts/*.sh", "models/*.py", "models/*.sh", "models/*.mk", "Makefile", ".ci/run"]
    for p in pats:
        yield from sorted(glob.glob(os.path.join(root, p)))


def lint(root):
    found = []
    for comp in cycles(modules(root)):
        found.append(("include/obscura", 0, "cycle", "modules include each other: " + " -> ".join(comp)))
    for f in sorted(glob.glob(os.path.join(root, "src/*.c")) + glob.glob(os.path.join(root, "src/*/*.c")) +
                    glob.glob(os.path.join(root, "src/*/*.cpp"))):
        with open(f, encoding="utf-8") as fh:
            why = banned_problem(fh.read())
        if why:
            found.append((f, 1, "banned", why))
    for f in spdx_files(root):
        with open(f, encoding="utf-8") as fh:
            head = [fh.readline() for _ in range(3)]
        if not any(SPDX in line for line in head):
            found.append((f, 1, "spdx", "no '%s' line in its first three lines" % SPDX))
    return found


def self_check():
    """The rules must still find what they are for."""
    if cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) != [["a", "b", "c"]]:
        return "cycle rule missed a -> b -> c -> a"
    if cycles({"a": {"b"}, "b": set()}):
        return "cycle rule flagged a tree"
    if not banned_problem('#include "obscura/x.h"\n'):
        return "banned rule missed a file without banned.h"
    if not banned_problem('#include "obscura/banned.h"\n#include <stdio.h>\n'):
        return "banned rule missed an include after banned.h"
    if banned_problem('#include <stdio.h>\n#include "obscura/banned.h"\n'):
        return "banned rule flagged a good file"
    return None


def main(argv):
    broken = self_check()
    if broken:
        print("lint-tree: the lint itself is broken: %s" % broken)
        return 2
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = lint(root)
    for f, line, rule, why in found:
        print("%s:%d: %s: %s" % (os.path.relpath(f, root) if os.path.isabs(f) else f, line, rule, why))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
