"""No import circle in src/: zero cycles, counting function-local and TYPE_CHECKING imports."""

from __future__ import annotations

import grimp


def _cycles(adj: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root, succ in adj.items():
        if root in index:
            continue
        work = [(root, iter(succ))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(adj[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def test_cycle_finder_finds_a_cycle() -> None:
    """The checker itself reports a planted a -> b -> a circle (so the real test can fail)."""
    assert _cycles({"a": ["b"], "b": ["a"], "c": []}) == [["a", "b"]]


def test_no_import_cycles() -> None:
    """The module import graph of mrdguide has no cycle (grimp counts every import statement)."""
    graph = grimp.build_graph("mrdguide", exclude_type_checking_imports=False)
    mods = sorted(m for m in graph.modules if m.startswith("mrdguide"))
    adj = {
        m: sorted(x for x in graph.find_modules_directly_imported_by(m) if x.startswith("mrdguide"))
        for m in mods
    }
    assert _cycles(adj) == []
