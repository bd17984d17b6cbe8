//! The TSPLIB instances Kiln ships, compiled into the binary.
//!
//! Every TSPLIB95 EUC_2D instance of up to about 1,000 cities in the shared data set
//! (22 instances, eil51 to pr1002) and pr2392, a larger one to watch neighbour-list
//! moves scale on, byte-exact copies in `engine/data/tsplib/`, with
//! the optimal length from TSPLIB's table and, for 14 of them, TSPLIB's optimal tour.
//! The engine does no file I/O, so the text is embedded with `include_str!`.
//! Source: G. Reinelt, "TSPLIB - A Traveling Salesman Problem Library",
//! ORSA J. Computing 3(4):376-384, 1991.

/// A TSPLIB instance compiled into Kiln.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BundledInstance {
    /// TSPLIB name, e.g. `berlin52`.
    pub name: &'static str,
    /// Number of cities.
    pub dimension: usize,
    /// Length of an optimal tour (TSPLIB's table).
    pub optimal_length: Option<u64>,
    tsplib: &'static str,
    optimal_tour: Option<&'static str>,
}

impl BundledInstance {
    /// The instance's `.tsp` file, as published.
    pub fn tsplib_text(&self) -> &'static str {
        self.tsplib
    }

    /// TSPLIB's `.opt.tour` file for it, where TSPLIB publishes one.
    pub fn optimal_tour_text(&self) -> Option<&'static str> {
        self.optimal_tour
    }
}

macro_rules! bundled {
    ($name:literal, $dimension:literal, $optimal:literal) => {
        bundled!(@ $name, $dimension, $optimal, None)
    };
    ($name:literal, $dimension:literal, $optimal:literal, with_tour) => {
        bundled!(@ $name, $dimension, $optimal,
            Some(include_str!(concat!("../../../data/tsplib/", $name, ".opt.tour"))))
    };
    (@ $name:literal, $dimension:literal, $optimal:literal, $tour:expr) => {
        BundledInstance {
            name: $name,
            dimension: $dimension,
            optimal_length: Some($optimal),
            tsplib: include_str!(concat!("../../../data/tsplib/", $name, ".tsp")),
            optimal_tour: $tour,
        }
    };
}

static BUNDLED: [BundledInstance; 23] = [
    bundled!("eil51", 51, 426, with_tour),
    bundled!("berlin52", 52, 7542, with_tour),
    bundled!("st70", 70, 675, with_tour),
    bundled!("eil76", 76, 538, with_tour),
    bundled!("pr76", 76, 108159, with_tour),
    bundled!("kroA100", 100, 21282, with_tour),
    bundled!("kroB100", 100, 22141),
    bundled!("rd100", 100, 7910, with_tour),
    bundled!("eil101", 101, 629, with_tour),
    bundled!("ch150", 150, 6528, with_tour),
    bundled!("d198", 198, 15780),
    bundled!("tsp225", 225, 3916, with_tour),
    bundled!("gil262", 262, 2378),
    bundled!("a280", 280, 2579, with_tour),
    bundled!("lin318", 318, 42029),
    bundled!("fl417", 417, 11861),
    bundled!("pcb442", 442, 50778, with_tour),
    bundled!("d493", 493, 35002),
    bundled!("u574", 574, 36905),
    bundled!("rat575", 575, 6773),
    bundled!("rat783", 783, 8806),
    bundled!("pr1002", 1002, 259045, with_tour),
    bundled!("pr2392", 2392, 378032, with_tour),
];

/// The bundled instances, smallest first.
pub fn bundled_instances() -> &'static [BundledInstance] {
    &BUNDLED
}

/// The bundled instance called `name` (exact TSPLIB spelling).
pub(crate) fn find(name: &str) -> Option<&'static BundledInstance> {
    BUNDLED.iter().find(|b| b.name == name)
}
