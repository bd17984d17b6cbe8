//! Molecular formulas: parsing `C2H5Cl`-style text and the arithmetic that decides
//! whether any molecule could have it.
//!
//! A formula is a multiset of atoms. Its heavy atoms become the vertices of the
//! molecular graph; hydrogens stay implicit. Bonds pair up valence, so a formula
//! is plausible when the heavy atoms' valences minus the hydrogens is even and at
//! least twice the `n - 1` bonds a connected graph of `n` atoms needs. Whether a
//! connected structure really exists is settled by building one (see `initial`).

use std::fmt;
use std::str::FromStr;

use super::element::Element;
use super::error::IsomerError;
use super::molecule::MAX_HEAVY_ATOMS;

/// Largest count a formula may give one element.
const MAX_COUNT: usize = 999;

/// A molecular formula: how many atoms of each element.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Formula {
    /// Heavy-atom counts, indexed by `Element as usize`.
    heavy: [u16; 9],
    hydrogens: u16,
}

impl Formula {
    /// How many atoms of `element`.
    pub fn count(&self, element: Element) -> usize {
        usize::from(self.heavy[element as usize])
    }

    /// How many hydrogens.
    pub fn hydrogens(&self) -> usize {
        usize::from(self.hydrogens)
    }

    /// How many heavy (non-hydrogen) atoms.
    pub fn heavy_atoms(&self) -> usize {
        self.heavy.iter().map(|&c| usize::from(c)).sum()
    }

    /// Sum of the standard valences of the heavy atoms.
    pub fn total_valence(&self) -> usize {
        Element::ALL.iter().map(|&e| self.count(e) * usize::from(e.valence())).sum()
    }

    /// Rings plus pi bonds every structure of this formula has (degree of unsaturation).
    pub fn unsaturation(&self) -> usize {
        (self.total_valence() - self.hydrogens()) / 2 + 1 - self.heavy_atoms()
    }

    /// An alkane CnH2n+2: only carbons and hydrogens, no ring, no multiple bond.
    pub fn is_alkane(&self) -> bool {
        let n = self.count(Element::C);
        n > 0 && n == self.heavy_atoms() && self.hydrogens() == 2 * n + 2
    }

    /// The heavy atoms in the order a new molecule lays them out.
    pub fn heavy_atom_list(&self) -> Vec<Element> {
        Element::ALL.iter().flat_map(|&e| std::iter::repeat_n(e, self.count(e))).collect()
    }

    /// Read `text` without judging chemistry: symbols and counts only.
    fn read(text: &str) -> Result<Formula, IsomerError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(IsomerError::EmptyFormula);
        }
        let formula = trimmed.to_string();
        let chars: Vec<char> = trimmed.chars().collect();
        let mut heavy = [0usize; 9];
        let mut hydrogens = 0usize;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !c.is_ascii_uppercase() {
                if c.is_ascii_lowercase() {
                    let symbol: String = chars[i..].iter().take_while(|c| c.is_ascii_alphabetic()).collect();
                    return Err(IsomerError::UnknownElement { formula, symbol });
                }
                return Err(IsomerError::Malformed { formula, position: i + 1, found: c });
            }
            let mut symbol = c.to_string();
            i += 1;
            if i < chars.len() && chars[i].is_ascii_lowercase() {
                symbol.push(chars[i]);
                i += 1;
            }
            let digits: String = chars[i..].iter().take_while(|c| c.is_ascii_digit()).collect();
            i += digits.len();
            let count = if digits.is_empty() {
                1
            } else {
                match digits.parse::<usize>() {
                    Ok(n) if n <= MAX_COUNT => n,
                    _ => return Err(IsomerError::BadCount { formula, symbol, count: digits }),
                }
            };
            if symbol == "H" {
                hydrogens += count;
            } else if let Some(e) = Element::from_symbol(&symbol) {
                heavy[e as usize] += count;
            } else {
                return Err(IsomerError::UnknownElement { formula, symbol });
            }
            let total = heavy.iter().sum::<usize>() + hydrogens;
            if total > 4 * MAX_COUNT {
                return Err(IsomerError::BadCount { formula, symbol, count: digits });
            }
        }
        Ok(Formula { heavy: heavy.map(|c| c as u16), hydrogens: hydrogens as u16 })
    }

    /// Judge the counts: every check a formula can fail before a structure is built.
    fn check(&self, text: &str) -> Result<(), IsomerError> {
        let formula = text.trim().to_string();
        let n = self.heavy_atoms();
        if n == 0 {
            return Err(IsomerError::NoHeavyAtom { formula });
        }
        if n > MAX_HEAVY_ATOMS {
            return Err(IsomerError::TooManyHeavyAtoms { formula, count: n, max: MAX_HEAVY_ATOMS });
        }
        let (total, h) = (self.total_valence(), self.hydrogens());
        if total < h + 2 * (n - 1) {
            return Err(self.too_many_hydrogens(formula));
        }
        if (total - h) % 2 == 1 {
            return Err(IsomerError::OddValence { formula, total, hydrogens: h });
        }
        Ok(())
    }

    fn too_many_hydrogens(&self, formula: String) -> IsomerError {
        let h = self.hydrogens();
        let halogens: usize = Element::ALL.iter().filter(|e| e.is_halogen()).map(|&e| self.count(e)).sum();
        let holders: Vec<Element> = Element::ALL.into_iter().filter(|e| !e.is_halogen()).collect();
        let k: usize = holders.iter().map(|&e| self.count(e)).sum();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let what = match (h, halogens) {
            (_, 0) => plural(h, "hydrogen"),
            (0, _) => plural(halogens, "halogen"),
            _ => format!("{} and {}", plural(h, "hydrogen"), plural(halogens, "halogen")),
        };
        let (capacity, holders) = if k == 0 {
            (2, "halogens without another heavy atom (as in HF or F2)".to_string())
        } else {
            let valence: usize = holders.iter().map(|&e| self.count(e) * usize::from(e.valence())).sum();
            let names: Vec<String> = holders
                .iter()
                .filter(|&&e| self.count(e) > 0)
                .map(|&e| format!("{} {}", number_word(self.count(e)), e.name(self.count(e))))
                .collect();
            (valence + 2 - 2 * k, join_and(&names))
        };
        IsomerError::TooManyHydrogens { formula, what, capacity, holders }
    }
}

fn number_word(n: usize) -> String {
    const WORDS: [&str; 11] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    WORDS.get(n).map_or_else(|| n.to_string(), |w| w.to_string())
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl FromStr for Formula {
    type Err = IsomerError;

    /// Parse and check a formula such as `C8H18`, `C3H6O` or `C2H5Cl`: element
    /// symbols with optional counts, in any order, repeats adding up.
    fn from_str(text: &str) -> Result<Formula, IsomerError> {
        let formula = Formula::read(text)?;
        formula.check(text)?;
        Ok(formula)
    }
}

impl fmt::Display for Formula {
    /// Hill order: C, then H, then the rest alphabetically (all alphabetical without C).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<(&str, usize)> =
            Element::ALL.iter().map(|&e| (e.symbol(), self.count(e))).collect();
        parts.push(("H", self.hydrogens()));
        let has_carbon = self.count(Element::C) > 0;
        let rank = |s: &str| match (has_carbon, s) {
            (true, "C") => 0,
            (true, "H") => 1,
            _ => 2,
        };
        parts.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then(a.0.cmp(b.0)));
        for (symbol, count) in parts {
            match count {
                0 => {}
                1 => write!(f, "{symbol}")?,
                n => write!(f, "{symbol}{n}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> IsomerError {
        text.parse::<Formula>().expect_err(text)
    }

    #[test]
    fn symbols_and_counts_parse_in_any_order() {
        for (text, shown) in [
            ("C6H14", "C6H14"),
            ("C3H6O", "C3H6O"),
            ("C2H5Cl", "C2H5Cl"),
            ("CH4", "CH4"),
            ("C10H16", "C10H16"),
            ("H6C2O", "C2H6O"),
            ("ClC2H5", "C2H5Cl"),
            ("CH3CH3", "C2H6"),
        ] {
            let f: Formula = text.parse().unwrap();
            assert_eq!(f.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn unknown_element_is_named() {
        let e = err("C2H5Xy");
        assert!(matches!(&e, IsomerError::UnknownElement { symbol, .. } if symbol == "Xy"), "{e}");
        assert!(e.to_string().contains("unknown element 'Xy'"), "{e}");
        assert!(matches!(err("c6h6"), IsomerError::UnknownElement { .. }));
    }

    #[test]
    fn stray_characters_and_bad_counts_are_malformed() {
        assert!(matches!(err("C6 H6"), IsomerError::Malformed { position: 3, found: ' ', .. }));
        assert!(matches!(err("C0H4"), IsomerError::NoHeavyAtom { .. }));
        assert_eq!("C6H0".parse::<Formula>().unwrap().to_string(), "C6");
        assert!(matches!(err("C99999999999999999999"), IsomerError::BadCount { .. }));
        assert_eq!(err("  "), IsomerError::EmptyFormula);
    }

    #[test]
    fn hydrogens_alone_have_no_heavy_atom() {
        let e = err("H2");
        assert!(matches!(e, IsomerError::NoHeavyAtom { .. }), "{e}");
        assert!(e.to_string().contains("no heavy atom"));
    }

    #[test]
    fn too_many_hydrogens_says_how_many_fit() {
        assert_eq!(
            err("C2H7").to_string(),
            "formula 'C2H7': 7 hydrogens exceed the 6 that two carbons can hold"
        );
        assert_eq!(
            err("C2H5Cl2").to_string(),
            "formula 'C2H5Cl2': 5 hydrogens and 2 halogens exceed the 6 that two carbons can hold"
        );
        assert!(err("C2H6O2Cl3").to_string().contains("two carbons and two oxygens"));
    }

    #[test]
    fn odd_total_valence_is_refused() {
        let e = err("C2H5");
        assert!(matches!(e, IsomerError::OddValence { total: 8, hydrogens: 5, .. }), "{e}");
        assert!(e.to_string().contains("odd"));
    }

    #[test]
    fn more_than_sixty_four_heavy_atoms_is_refused() {
        let e = err("C65H132");
        assert!(matches!(e, IsomerError::TooManyHeavyAtoms { count: 65, max: 64, .. }), "{e}");
        assert!("C64H130".parse::<Formula>().is_ok());
    }

    #[test]
    fn every_error_names_the_formula_field() {
        for text in ["", "C2H7", "C2H5", "H2", "C65H132", "Xx"] {
            assert_eq!(err(text).field(), "formula", "{text}");
        }
    }

    #[test]
    fn unsaturation_counts_rings_and_pi_bonds() {
        let u = |t: &str| t.parse::<Formula>().unwrap().unsaturation();
        assert_eq!(u("C6H6"), 4);
        assert_eq!(u("C10H22"), 0);
        assert_eq!(u("C3H6O"), 1);
        assert_eq!(u("C2H5Cl"), 0);
        assert!("C10H22".parse::<Formula>().unwrap().is_alkane());
        assert!(!"C6H12".parse::<Formula>().unwrap().is_alkane());
    }
}
