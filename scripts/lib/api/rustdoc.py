"""Building the engine's rustdoc JSON on the stable toolchain: `cargo rustdoc --output-format
json` with RUSTC_BOOTSTRAP=1 given to rustdoc alone, and where the JSON lands (the target dir
from CARGO_TARGET_DIR or cargo metadata)."""

import json
import os
import subprocess
import sys
import tempfile

from . import ROOT

PACKAGE = "ehlowatch-engine"
CRATE = "ehlowatch_engine"


def target_dir():
    if os.environ.get("CARGO_TARGET_DIR"):
        return os.path.abspath(os.environ["CARGO_TARGET_DIR"])
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return json.loads(meta.stdout)["target_directory"]


def build_json():
    """Runs `cargo rustdoc ... --output-format json` with RUSTC_BOOTSTRAP=1 set for rustdoc
    alone (a RUSTDOC wrapper), not for cargo: some build scripts (proc-macro2, thiserror) rerun
    when RUSTC_BOOTSTRAP changes and turn on other cfgs, so setting it for the whole build would
    rebuild every proc macro and what depends on them here, then again in the next plain build
    sharing the target dir."""
    cmd = [
        "cargo", "rustdoc", "-p", PACKAGE, "--lib", "--",
        "-Z", "unstable-options", "--output-format", "json",
    ]
    real = os.environ.get("RUSTDOC", "rustdoc")
    print(f"public-api: {' '.join(cmd)}  (RUSTC_BOOTSTRAP=1 for rustdoc)", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="public-api.") as tmp:
        wrapper = os.path.join(tmp, "rustdoc")
        with open(wrapper, "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\nRUSTC_BOOTSTRAP=1 exec "$PUBLIC_API_RUSTDOC" "$@"\n')
        os.chmod(wrapper, 0o755)
        env = dict(os.environ, RUSTDOC=wrapper, PUBLIC_API_RUSTDOC=real)
        env.pop("RUSTC_BOOTSTRAP", None)
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"public-api: cargo rustdoc failed (exit {result.returncode})")
    built = [
        line.split()[1]
        for line in result.stderr.splitlines()
        if line.strip().startswith(("Compiling ", "Checking "))
    ]
    if built:
        print(f"public-api: built first: {', '.join(built)}", file=sys.stderr)
    return os.path.join(target_dir(), "doc", f"{CRATE}.json")
