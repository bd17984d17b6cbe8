//! The Gset max-cut graphs Kiln ships, compiled into the binary.
//!
//! G1, G2, G3, G11, G14 and G22 (copies in `engine/data/gset/`, see its README),
//! with their best-known cuts read from the bundled `best_known.tsv` (one source of
//! truth: the table is the published one, not numbers retyped here). The engine does
//! no file I/O, so the text is embedded with `include_str!`.

/// A Gset graph compiled into Kiln.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BundledGraph {
    /// Gset name, e.g. `G1`.
    pub name: &'static str,
    text: &'static str,
}

impl BundledGraph {
    /// The graph's edge-list text (`n m`, then `i j w` lines).
    pub fn text(&self) -> &'static str {
        self.text
    }

    /// The best-known cut (Benlic and Hao 2013), from `best_known.tsv`.
    pub fn best_known_cut(&self) -> Option<u64> {
        best_known_cut(self.name)
    }
}

macro_rules! bundled {
    ($name:literal) => {
        BundledGraph { name: $name, text: include_str!(concat!("../../../data/gset/", $name, ".txt")) }
    };
}

static BUNDLED: [BundledGraph; 6] =
    [bundled!("G1"), bundled!("G2"), bundled!("G3"), bundled!("G11"), bundled!("G14"), bundled!("G22")];

const BEST_KNOWN: &str = include_str!("../../../data/gset/best_known.tsv");

/// The bundled graphs, in Gset order.
pub fn bundled_graphs() -> &'static [BundledGraph] {
    &BUNDLED
}

/// The bundled graph called `name` (Gset spelling, `G1`).
pub(crate) fn find(name: &str) -> Option<&'static BundledGraph> {
    BUNDLED.iter().find(|g| g.name == name)
}

/// The `best_known_cut` column of the row named `name` in `best_known.tsv`.
fn best_known_cut(name: &str) -> Option<u64> {
    let mut rows = BEST_KNOWN.lines().map(|l| l.split('\t').collect::<Vec<_>>());
    let header = rows.next()?;
    let column = header.iter().position(|h| *h == "best_known_cut")?;
    rows.find(|r| r.first() == Some(&name)).and_then(|r| r.get(column)?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_graph_has_its_best_known_cut() {
        let cuts: Vec<_> = bundled_graphs().iter().map(|g| (g.name, g.best_known_cut())).collect();
        assert_eq!(
            cuts,
            [
                ("G1", Some(11624)),
                ("G2", Some(11620)),
                ("G3", Some(11622)),
                ("G11", Some(564)),
                ("G14", Some(3064)),
                ("G22", Some(13359))
            ]
        );
    }
}
