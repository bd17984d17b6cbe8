//! The chemical elements a formula may name besides hydrogen, with the standard
//! valences Faulon's method assumes (C 4, N 3, O 2, S 2, P 3, halogens 1).

use std::fmt;

/// A heavy (non-hydrogen) element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Element {
    /// Carbon, valence 4.
    #[default]
    C,
    /// Nitrogen, valence 3.
    N,
    /// Oxygen, valence 2.
    O,
    /// Sulfur, valence 2.
    S,
    /// Phosphorus, valence 3.
    P,
    /// Fluorine, valence 1.
    F,
    /// Chlorine, valence 1.
    Cl,
    /// Bromine, valence 1.
    Br,
    /// Iodine, valence 1.
    I,
}

impl Element {
    /// Every element, in the order atoms of a new molecule are laid out: the
    /// high-valence atoms first, so they form the backbone, halogens last.
    pub const ALL: [Element; 9] = [
        Element::C,
        Element::N,
        Element::P,
        Element::O,
        Element::S,
        Element::F,
        Element::Cl,
        Element::Br,
        Element::I,
    ];

    /// The element symbol, as written in formulas and SMILES.
    pub fn symbol(self) -> &'static str {
        match self {
            Element::C => "C",
            Element::N => "N",
            Element::O => "O",
            Element::S => "S",
            Element::P => "P",
            Element::F => "F",
            Element::Cl => "Cl",
            Element::Br => "Br",
            Element::I => "I",
        }
    }

    /// The standard valence: total bond order plus hydrogens of every atom.
    pub fn valence(self) -> u8 {
        match self {
            Element::C => 4,
            Element::N | Element::P => 3,
            Element::O | Element::S => 2,
            Element::F | Element::Cl | Element::Br | Element::I => 1,
        }
    }

    /// Fluorine, chlorine, bromine or iodine.
    pub fn is_halogen(self) -> bool {
        self.valence() == 1
    }

    /// The element with this symbol (case-sensitive, as in formulas).
    pub fn from_symbol(symbol: &str) -> Option<Element> {
        Self::ALL.into_iter().find(|e| e.symbol() == symbol)
    }

    /// The English name, singular or plural, for error messages.
    pub fn name(self, count: usize) -> &'static str {
        let (one, many) = match self {
            Element::C => ("carbon", "carbons"),
            Element::N => ("nitrogen", "nitrogens"),
            Element::O => ("oxygen", "oxygens"),
            Element::S => ("sulfur", "sulfurs"),
            Element::P => ("phosphorus", "phosphorus atoms"),
            Element::F => ("fluorine", "fluorines"),
            Element::Cl => ("chlorine", "chlorines"),
            Element::Br => ("bromine", "bromines"),
            Element::I => ("iodine", "iodines"),
        };
        if count == 1 { one } else { many }
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}
