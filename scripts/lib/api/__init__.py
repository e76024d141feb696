"""public-api as a package: the engine crate's public API, one item per line, from rustdoc JSON
(scripts/public-api is the command; its docstring says what is listed and how it is sorted).

    rustdoc       builds the rustdoc JSON (cargo rustdoc, RUSTC_BOOTSTRAP=1 for rustdoc only)
    render        Rust types, bounds, generics and signatures from their JSON, as text
    items         walks the crate from its root: one line per public item, under every path
    listing_file  the listing's text, and writing or checking the committed file
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))  # scripts/lib/api
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))  # the repository
