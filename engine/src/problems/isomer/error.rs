//! Everything that can be wrong with an isomer problem's parameters, worded for the
//! person who typed them. `field` names the HTTP parameter each error belongs to.

/// A formula or objective the isomer problem cannot run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum IsomerError {
    /// Nothing was typed.
    #[error("formula is empty: write element symbols with counts, like C8H18")]
    EmptyFormula,
    /// A character that is neither an element symbol nor a count.
    #[error(
        "formula '{formula}': unexpected '{found}' at position {position}; write element symbols with counts, like C2H5Cl"
    )]
    Malformed {
        /// The formula as typed.
        formula: String,
        /// 1-based character position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// A symbol that is not one of C H N O S P F Cl Br I.
    #[error("formula '{formula}': unknown element '{symbol}'; Kiln knows C, H, N, O, S, P, F, Cl, Br and I")]
    UnknownElement {
        /// The formula as typed.
        formula: String,
        /// The symbol read.
        symbol: String,
    },
    /// A count too large to mean anything here.
    #[error("formula '{formula}': count {count} after '{symbol}' must be between 0 and 999")]
    BadCount {
        /// The formula as typed.
        formula: String,
        /// The element symbol before the count.
        symbol: String,
        /// The count as typed.
        count: String,
    },
    /// Only hydrogens.
    #[error("formula '{formula}' has no heavy atom: name at least one of C, N, O, S, P, F, Cl, Br, I")]
    NoHeavyAtom {
        /// The formula as typed.
        formula: String,
    },
    /// More heavy atoms than the engine's bitmask graphs hold.
    #[error("formula '{formula}': {count} heavy atoms, more than the {max} Kiln can anneal")]
    TooManyHeavyAtoms {
        /// The formula as typed.
        formula: String,
        /// Heavy atoms in it.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// More monovalent atoms than a tree of the other atoms can carry.
    #[error("formula '{formula}': {what} exceed the {capacity} that {holders} can hold")]
    TooManyHydrogens {
        /// The formula as typed.
        formula: String,
        /// "7 hydrogens" or "5 hydrogens and 2 halogens".
        what: String,
        /// How many a tree of the other atoms can hold.
        capacity: usize,
        /// "two carbons", "two carbons and one oxygen".
        holders: String,
    },
    /// Bonds pair valences up, so valences minus hydrogens must be even.
    #[error(
        "formula '{formula}': the valences of its atoms add up to {total}, minus {hydrogens} hydrogens leaves an odd number, but every bond uses two; check the hydrogen count"
    )]
    OddValence {
        /// The formula as typed.
        formula: String,
        /// Sum of the heavy atoms' valences.
        total: usize,
        /// Hydrogens.
        hydrogens: usize,
    },
    /// The counts add up, yet no connected graph with bond orders 1-3 realises them.
    #[error(
        "formula '{formula}': no connected structure with single, double and triple bonds has these atoms ({reason})"
    )]
    NoConnectedStructure {
        /// The formula as typed.
        formula: String,
        /// Why, in a few words.
        reason: String,
    },
    /// An objective component Kiln does not know.
    #[error("component_weights: unknown component '{name}'; known: wiener_index, logp")]
    UnknownComponent {
        /// The name given.
        name: String,
    },
    /// A weight that is negative, infinite or not a number.
    #[error("component_weights: weight of '{name}' must be a finite number of at least 0, not {weight}")]
    BadWeight {
        /// The component.
        name: String,
        /// The weight given.
        weight: f64,
    },
    /// No component has a positive weight.
    #[error("component_weights: at least one weight must be above 0 (for example {{\"wiener_index\": 1.0}})")]
    AllWeightsZero,
}

impl IsomerError {
    /// The HTTP parameter the error is about: `formula` or `component_weights`.
    pub fn field(&self) -> &'static str {
        match self {
            IsomerError::UnknownComponent { .. }
            | IsomerError::BadWeight { .. }
            | IsomerError::AllWeightsZero => "component_weights",
            _ => "formula",
        }
    }
}
