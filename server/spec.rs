//! `ProblemSpec`: *what* a run anneals, without *how* (the `AnnealConfig`).
//!
//! A spec is small, serialisable data that rebuilds the identical problem: a bundled
//! TSP instance by name, random cities by (count, layout, seed), a TSPLIB text, or
//! an isomer formula with its objective weights. It goes into replay records, so
//! it round-trips through JSON: `{"problem": "tsp", "cities": {"bundled": {"instance":
//! "berlin52"}}}` or `{"problem": "isomer", "formula": "C8H18", "component_weights":
//! {"wiener_index": 1.0}}`.

use std::collections::BTreeMap;
use std::fmt;

use kiln_engine::problems::tsp::{Layout, Tsp};
use serde::{Deserialize, Serialize};

use crate::params::{LayoutParam, ParamError};

/// The problem kinds a run can name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    /// Constitutional isomers of a formula.
    #[default]
    Isomer,
    /// A travelling-salesman tour.
    Tsp,
}

impl ProblemKind {
    /// The name used in parameters and events.
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::Isomer => "isomer",
            ProblemKind::Tsp => "tsp",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is annealed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "lowercase", deny_unknown_fields)]
pub enum ProblemSpec {
    /// A travelling-salesman instance.
    Tsp {
        /// Where the cities come from.
        cities: TspCities,
    },
    /// The isomers of a formula under an objective.
    Isomer(IsomerSpec),
}

/// Where a TSP instance's cities come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum TspCities {
    /// A TSPLIB instance bundled with Kiln.
    Bundled {
        /// Its TSPLIB name, e.g. berlin52.
        instance: String,
    },
    /// Random cities.
    Random {
        /// How many.
        count: usize,
        /// How they are scattered.
        #[serde(with = "layout_name")]
        layout: Layout,
        /// The seed that places them.
        seed: u64,
    },
    /// A TSPLIB file's text.
    Tsplib {
        /// The text, as uploaded.
        text: String,
    },
}

mod layout_name {
    use super::*;

    pub fn serialize<S: serde::Serializer>(layout: &Layout, s: S) -> Result<S::Ok, S::Error> {
        LayoutParam(*layout).serialize(s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Layout, D::Error> {
        LayoutParam::deserialize(d).map(|l| l.0)
    }
}

impl TspCities {
    /// Build the instance; errors name the parameter the cities came from.
    pub fn build(&self) -> Result<Tsp, ParamError> {
        match self {
            TspCities::Bundled { instance } => {
                Tsp::bundled(instance).map_err(|e| ParamError::new("instance", e.to_string()))
            }
            TspCities::Random { count, layout, seed } => {
                Tsp::random(*count, *layout, *seed).map_err(|e| ParamError::new("cities", e.to_string()))
            }
            TspCities::Tsplib { text } => {
                Tsp::parse_tsplib(text).map_err(|e| ParamError::new("tsplib", e.to_string()))
            }
        }
    }
}

/// An isomer formula and the weights of its objective's components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsomerSpec {
    /// Molecular formula, e.g. C8H18.
    pub formula: String,
    /// Component name to weight, e.g. {"wiener_index": 1.0}.
    pub component_weights: BTreeMap<String, f64>,
}

impl IsomerSpec {
    /// The original app's objective: the Wiener index alone.
    pub fn default_weights() -> BTreeMap<String, f64> {
        BTreeMap::from([("wiener_index".to_string(), 1.0)])
    }
}

impl ProblemSpec {
    /// The problem kind.
    pub fn kind(&self) -> ProblemKind {
        match self {
            ProblemSpec::Tsp { .. } => ProblemKind::Tsp,
            ProblemSpec::Isomer(_) => ProblemKind::Isomer,
        }
    }

    /// Build the problem once to check it can be built.
    pub fn check(&self) -> Result<(), ParamError> {
        crate::run::Problem::build(self).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use kiln_engine::AnnealConfig;

    use super::*;
    use crate::run::Run;

    #[test]
    fn every_spec_round_trips_through_json_and_rebuilds_the_same_run() {
        let specs = [
            ProblemSpec::Tsp { cities: TspCities::Bundled { instance: "berlin52".into() } },
            ProblemSpec::Tsp { cities: TspCities::Random { count: 40, layout: Layout::Clustered, seed: 9 } },
            ProblemSpec::Tsp {
                cities: TspCities::Tsplib {
                    text: "NAME : sq\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n\
                           1 0 0\n2 0 10\n3 10 10\n4 10 0\nEOF\n"
                        .into(),
                },
            },
            ProblemSpec::Isomer(IsomerSpec { formula: "C6H14".into(), component_weights: IsomerSpec::default_weights() }),
        ];
        let config = AnnealConfig { steps_per_cycle: 300, cycles: 1, ..AnnealConfig::default() };
        for spec in specs {
            let text = serde_json::to_string(&spec).unwrap();
            let back: ProblemSpec = serde_json::from_str(&text).unwrap();
            assert_eq!(back, spec, "{text}");
            let mut a = Run::new(&spec, config.clone()).unwrap();
            let mut b = Run::new(&back, config.clone()).unwrap();
            a.run(300);
            b.run(300);
            assert_eq!(a.checkpoint(), b.checkpoint(), "{text}");
        }
    }

    #[test]
    fn a_spec_is_tagged_by_problem() {
        let spec = ProblemSpec::Isomer(IsomerSpec {
            formula: "C4H10".into(),
            component_weights: IsomerSpec::default_weights(),
        });
        let value = serde_json::to_value(&spec).unwrap();
        assert_eq!(value["problem"], "isomer");
        assert_eq!(value["formula"], "C4H10");
    }
}
