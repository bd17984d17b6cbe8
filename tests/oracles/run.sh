#!/usr/bin/env bash
# RDKit oracle for the isomer engine: builds and runs the `isomer_oracle` example
# (500+ structures from hot walks over 28 formulas), then checks every one with
# RDKit (parse, formula, canonical SMILES, Crippen logP) in a virtual environment
# kept under the cargo target dir. Then the drawing oracle: the Rust test
# `canonical_tests` writes every hot-walk isomer of C6H6, C8H8, C10H8 and C10H16
# with Kiln's drawing, and drawing_rdkit.py counts its crossings and those of
# RDKit's Compute2DCoords with one function (Kiln <= RDKit, 0 when planar).
# Exits non-zero on any mismatch; the last lines read "isomers: N passed, M
# failed" and "drawings: N structures, ...".
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/oracle-venv"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/tests/oracles/requirements.txt"

cd "$root"
structures="$target/isomer-oracle.tsv"
cargo run --release --quiet -p kiln-engine --example isomer_oracle > "$structures"
"$venv/bin/python" "$root/tests/oracles/isomer_rdkit.py" "$structures"
cargo test --release --quiet --lib render::molecule::canonical_tests
"$venv/bin/python" "$root/tests/oracles/drawing_rdkit.py" "$root/target/drawing-crossings.tsv"
