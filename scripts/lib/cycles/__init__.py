"""check-cycles as a package: finds import cycles between the modules of a Rust crate by a
lexical reading of its source (scripts/check-cycles is the command; its docstring says what
counts as a module and as an edge).

    lexer     comments, strings and #[cfg(test)] items blanked out, lines kept
    parse     one file module read into Scopes: uses, definitions, `mod`s, paths in code
    crate     the module tree from lib.rs along `mod` declarations; module names
    resolve   where a written path points, and which module defines an item
    edges     the module graph, each edge with its evidence
    graph     strongly connected components and elementary cycles
    report    the verdict and its printout
    selftest  the checks on scripts/fixtures/{cyclic,acyclic}
"""
