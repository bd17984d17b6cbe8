//! What an isomer run optimises: a weighted sum of named molecular components.
//!
//! The HTTP parameter `component_weights` maps names to weights, as in the original
//! app: `{"wiener_index": 1.0}` (the default), `{"logp": 1.0}`, or both.

use std::fmt;

use super::error::IsomerError;

/// A molecular property an objective can weigh.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// Sum of shortest-path distances between heavy atoms (an integer).
    WienerIndex,
    /// Crippen octanol/water partition coefficient.
    LogP,
}

impl Component {
    /// Every component, in the order values are reported.
    pub const ALL: [Component; 2] = [Component::WienerIndex, Component::LogP];

    /// The name used in `component_weights`.
    pub fn name(self) -> &'static str {
        match self {
            Component::WienerIndex => "wiener_index",
            Component::LogP => "logp",
        }
    }

    /// The component with this name.
    pub fn from_name(name: &str) -> Option<Component> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A weighted sum of components: energy = sum of weight * value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Objective {
    wiener: f64,
    logp: f64,
}

impl Default for Objective {
    /// The Wiener index alone, weight 1.
    fn default() -> Self {
        Self { wiener: 1.0, logp: 0.0 }
    }
}

impl Objective {
    /// An objective from `(name, weight)` pairs: known names, finite weights of at
    /// least 0, at least one above 0. A name given twice keeps its last weight.
    pub fn from_weights(weights: &[(String, f64)]) -> Result<Objective, IsomerError> {
        let mut objective = Objective { wiener: 0.0, logp: 0.0 };
        for (name, weight) in weights {
            let component = Component::from_name(name)
                .ok_or_else(|| IsomerError::UnknownComponent { name: name.clone() })?;
            if !weight.is_finite() || *weight < 0.0 {
                return Err(IsomerError::BadWeight { name: name.clone(), weight: *weight });
            }
            match component {
                Component::WienerIndex => objective.wiener = *weight,
                Component::LogP => objective.logp = *weight,
            }
        }
        if objective.wiener == 0.0 && objective.logp == 0.0 {
            return Err(IsomerError::AllWeightsZero);
        }
        Ok(objective)
    }

    /// The weight of `component` (0 when unused).
    pub fn weight(&self, component: Component) -> f64 {
        match component {
            Component::WienerIndex => self.wiener,
            Component::LogP => self.logp,
        }
    }

    /// The components with a weight above 0, with their weights.
    pub fn weights(&self) -> Vec<(Component, f64)> {
        Component::ALL.into_iter().map(|c| (c, self.weight(c))).filter(|&(_, w)| w > 0.0).collect()
    }

    /// Whether `component` counts.
    #[inline]
    pub fn uses(&self, component: Component) -> bool {
        self.weight(component) > 0.0
    }

    /// The energy of component values.
    #[inline]
    pub(crate) fn combine(&self, wiener: u32, logp: f64) -> f64 {
        let mut energy = 0.0;
        if self.wiener > 0.0 {
            energy += self.wiener * f64::from(wiener);
        }
        if self.logp > 0.0 {
            energy += self.logp * logp;
        }
        energy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|(n, w)| (n.to_string(), *w)).collect()
    }

    #[test]
    fn known_names_with_non_negative_weights_make_an_objective() {
        let o = Objective::from_weights(&weights(&[("wiener_index", 1.0), ("logp", 0.5)])).unwrap();
        assert_eq!(o.weights(), vec![(Component::WienerIndex, 1.0), (Component::LogP, 0.5)]);
        assert_eq!(o.combine(10, 2.0), 11.0);
        assert_eq!(Objective::default().weights(), vec![(Component::WienerIndex, 1.0)]);
    }

    #[test]
    fn unknown_names_bad_weights_and_all_zero_are_refused() {
        let e = Objective::from_weights(&weights(&[("boiling_point", 1.0)])).unwrap_err();
        assert!(e.to_string().contains("unknown component 'boiling_point'"), "{e}");
        let e = Objective::from_weights(&weights(&[("logp", -1.0)])).unwrap_err();
        assert!(matches!(e, IsomerError::BadWeight { .. }), "{e}");
        let e = Objective::from_weights(&weights(&[("logp", f64::NAN)])).unwrap_err();
        assert!(matches!(e, IsomerError::BadWeight { .. }), "{e}");
        let e = Objective::from_weights(&weights(&[("logp", 0.0)])).unwrap_err();
        assert_eq!(e, IsomerError::AllWeightsZero);
        assert_eq!(Objective::from_weights(&[]).unwrap_err(), IsomerError::AllWeightsZero);
        assert_eq!(e.field(), "component_weights");
    }
}
