"""RDKit oracle for Kiln's molecule drawings: crossings against RDKit's depiction.

Reads `target/drawing-crossings.tsv`, which the Rust test
`render::molecule::canonical_tests` writes (every distinct isomer of C6H6, C8H8,
C10H8 and C10H16 a hot walk visits: formula, Kiln's SMILES, planar or not, the
crossings Kiln drew from the walk's own numbering, the canonical drawing's atom
coordinates and bonds). For each structure RDKit parses the SMILES and lays it
out with `rdDepictor.Compute2DCoords`; the crossings of both drawings are
counted by the one function below. Checks, per structure: Kiln's drawing has no
more crossings than RDKit's, and none when the graph is planar.

Prints every failure and the totals ("drawings: N structures, ... crossings
Kiln K, RDKit R"); exits 1 on any failure or when fewer than MIN_STRUCTURES
structures were read.
"""

import sys

from rdkit import Chem, RDLogger
from rdkit.Chem import rdDepictor

MIN_STRUCTURES = 1000
EDGE = 1e-6


def crossings(points, bonds):
    """Pairs of bonds (atom index pairs) whose straight lines cross away from their ends."""

    def cross(a, b, c, d):
        abx, aby = b[0] - a[0], b[1] - a[1]
        cdx, cdy = d[0] - c[0], d[1] - c[1]
        denominator = abx * cdy - aby * cdx
        if abs(denominator) < 1e-12:
            return False
        acx, acy = c[0] - a[0], c[1] - a[1]
        t = (acx * cdy - acy * cdx) / denominator
        u = (acx * aby - acy * abx) / denominator
        return EDGE < t < 1 - EDGE and EDGE < u < 1 - EDGE

    count = 0
    for i, (a, b) in enumerate(bonds):
        for c, d in bonds[i + 1 :]:
            if len({a, b, c, d}) == 4 and cross(points[a], points[b], points[c], points[d]):
                count += 1
    return count


def rdkit_crossings(smiles):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return None
    rdDepictor.SetPreferCoordGen(False)
    rdDepictor.Compute2DCoords(mol)
    conformer = mol.GetConformer()
    points = [(conformer.GetAtomPosition(i).x, conformer.GetAtomPosition(i).y) for i in range(mol.GetNumAtoms())]
    bonds = [(b.GetBeginAtomIdx(), b.GetEndAtomIdx()) for b in mol.GetBonds()]
    return crossings(points, bonds)


def main():
    RDLogger.DisableLog("rdApp.*")
    path = sys.argv[1] if len(sys.argv) > 1 else "target/drawing-crossings.tsv"
    structures = planar = failed = 0
    totals = {"kiln": 0, "rdkit": 0, "walk": 0}
    by_formula = {}
    for number, line in enumerate(open(path), start=1):
        fields = line.rstrip("\n").split("\t")
        if number == 1:
            continue
        formula, smiles, is_planar, walk, coordinates, bond_text = fields
        points = [tuple(map(float, pair.split(","))) for pair in coordinates.split()]
        bonds = [tuple(map(int, pair.split("-"))) for pair in bond_text.split()]
        kiln = crossings(points, bonds)
        rdkit = rdkit_crossings(smiles)
        structures += 1
        if rdkit is None:
            print(f"line {number}: RDKit cannot parse {smiles!r}")
            failed += 1
            continue
        if is_planar == "true":
            planar += 1
            if kiln:
                print(f"line {number}: {smiles}: planar, Kiln draws {kiln} crossings")
                failed += 1
        else:
            totals["kiln"] += kiln
            totals["rdkit"] += rdkit
            totals["walk"] += int(walk)
            row = by_formula.setdefault(formula, [0, 0, 0])
            row[0] += 1
            row[1] += kiln
            row[2] += rdkit
        if kiln > rdkit:
            print(f"line {number}: {smiles}: Kiln {kiln} crossings, RDKit {rdkit}")
            failed += 1
    if structures < MIN_STRUCTURES:
        print(f"only {structures} structures read, expected at least {MIN_STRUCTURES}")
        failed += 1
    for formula, (count, kiln, rdkit) in sorted(by_formula.items()):
        print(f"  {formula}: {count} non-planar, crossings Kiln {kiln}, RDKit {rdkit}")
    print(
        f"drawings: {structures} structures ({planar} planar, {structures - planar} not); "
        f"non-planar crossings Kiln {totals['kiln']} (from the walk's numbering {totals['walk']}), "
        f"RDKit {totals['rdkit']}"
    )
    # The closing line CI reads: structures checked, and those that failed a check.
    print(f"drawings: {structures - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
