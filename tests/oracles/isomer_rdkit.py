"""RDKit oracle for Kiln's isomer engine.

Reads the tab-separated structures `engine/examples/isomer_oracle.rs` prints
(formula, Kiln's SMILES, Kiln's canonical SMILES, Kiln's Crippen logP) on stdin
or from a file, and checks each against RDKit:

  * RDKit parses Kiln's SMILES;
  * RDKit's molecular formula of it is the input formula;
  * RDKit's canonical SMILES equals Kiln's canonical SMILES;
  * RDKit's Crippen MolLogP equals Kiln's logP within LOGP_TOLERANCE.

Prints every mismatch and a closing line "N passed, M failed"; exits 1 on any
failure, or when fewer than MIN_STRUCTURES structures (or fewer than
MIN_LOGP logP values) were checked.
"""

import sys

from rdkit import Chem, RDLogger
from rdkit.Chem import Crippen, rdMolDescriptors

# Kiln prints logP with 6 decimals; chematic's Crippen sums the same table.
LOGP_TOLERANCE = 1e-5
MIN_STRUCTURES = 500
MIN_LOGP = 20


def check(formula, smiles, canonical, logp):
    """The list of problems with one structure (empty when it passes)."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return [f"RDKit cannot parse {smiles!r}"]
    problems = []
    rdkit_formula = rdMolDescriptors.CalcMolFormula(mol)
    if rdkit_formula != formula:
        problems.append(f"formula: RDKit {rdkit_formula}, Kiln {formula}")
    rdkit_canonical = Chem.MolToSmiles(mol)
    if rdkit_canonical != canonical:
        problems.append(f"canonical SMILES: RDKit {rdkit_canonical}, Kiln {canonical}")
    if logp is not None:
        rdkit_logp = Crippen.MolLogP(mol)
        if abs(rdkit_logp - logp) > LOGP_TOLERANCE:
            problems.append(f"logP: RDKit {rdkit_logp:.6f}, Kiln {logp:.6f}")
    return problems


def main():
    RDLogger.DisableLog("rdApp.*")
    source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    passed = failed = logps = 0
    for number, line in enumerate(source, start=1):
        fields = line.rstrip("\n").split("\t")
        if number == 1 and fields[0] == "formula":
            continue
        if len(fields) != 4:
            print(f"line {number}: expected 4 tab-separated fields, got {len(fields)}: {line!r}")
            failed += 1
            continue
        formula, smiles, canonical, logp_text = fields
        logp = None if logp_text in ("", "NaN", "nan") else float(logp_text)
        logps += logp is not None
        problems = check(formula, smiles, canonical, logp)
        if problems:
            failed += 1
            print(f"line {number}: {formula} {smiles}: " + "; ".join(problems))
        else:
            passed += 1
    if passed + failed < MIN_STRUCTURES:
        print(f"only {passed + failed} structures checked, expected at least {MIN_STRUCTURES}")
        failed += 1
    if logps < MIN_LOGP:
        print(f"only {logps} logP values checked, expected at least {MIN_LOGP}")
        failed += 1
    print(f"isomers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
