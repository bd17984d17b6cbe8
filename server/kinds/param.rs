//! The parameter table: one [`Param`] per parameter a run accepts, and the checks
//! that every value passes before anything is built.
//!
//! A kind's table (its own parameters plus [`super::common`]'s) is the one source of
//! truth for a parameter: validation ([`Param::check`]), `GET /api/problems`
//! ([`Param::describe`]), the page's form (built from that description) and the CLI's
//! `--param NAME=VALUE` and `--NAME` flags ([`Param::from_text`]) all read it, so a bound
//! the API advertises is the bound it enforces.

use serde_json::{Map, Value, json};

/// A parameter with a bad value: `field` as the API spells it, and what is wrong.
///
/// Shown as "field: message", or as the message alone when it already opens with the
/// field's name ("initial_temp must be ...", "formula 'C2H7': ..."), so every surface
/// (HTTP, `kiln replay`) names the field once.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamError {
    /// The parameter name (empty when the body is not a JSON object at all).
    pub field: String,
    /// What is wrong, quoting the value.
    pub message: String,
}

impl ParamError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// Whether the message already opens with the field's name as a word of its own
    /// (`initial_temp must ...`, `weights.x must ...`; not `seeds ...` for `seed`).
    fn names_its_field(&self) -> bool {
        match self.message.strip_prefix(self.field.as_str()) {
            Some(rest) => !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'),
            None => false,
        }
    }

    /// What is wrong, without the field's name in front ("must be ..."): for a caller
    /// that names the field its own way.
    pub fn predicate(&self) -> &str {
        match self.message.strip_prefix(self.field.as_str()) {
            Some(rest) if !self.field.is_empty() && rest.starts_with([' ', ':']) => {
                rest.trim_start_matches(':').trim_start()
            }
            _ => &self.message,
        }
    }
}

impl std::error::Error for ParamError {}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() || self.names_its_field() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// What a parameter's value is.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    /// A finite number within the bounds.
    Number,
    /// A whole number within the bounds.
    Integer,
    /// A short string (at most `max_length` characters).
    String,
    /// A long text (a file's contents); the CLI reads it from a FILE.
    Text,
    /// One of a list of names.
    Enum(Vec<String>),
    /// An object of names (from the list) to finite numbers within the bounds.
    Weights(Vec<String>),
    /// A whole number within the bounds, or one of the listed words ("auto", "max").
    CountOr(Vec<String>),
}

impl ParamType {
    fn name(&self) -> &'static str {
        match self {
            ParamType::Number => "number",
            ParamType::Integer => "integer",
            ParamType::String => "string",
            ParamType::Text => "text",
            ParamType::Enum(_) => "enum",
            ParamType::Weights(_) => "weights",
            ParamType::CountOr(_) => "count_or_word",
        }
    }
}

/// Where the page shows a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// What is annealed.
    Problem,
    /// The temperature schedule and the run's length.
    Schedule,
    /// How fast a live session shows the run.
    Pacing,
}

impl Group {
    fn name(self) -> &'static str {
        match self {
            Group::Problem => "problem",
            Group::Schedule => "schedule",
            Group::Pacing => "pacing",
        }
    }
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The name, as JSON bodies and `--param` spell it.
    pub name: &'static str,
    /// A short label for the form.
    pub label: &'static str,
    /// The type.
    pub ty: ParamType,
    /// The default (`null` when absent means "not given"): a live session's, and a
    /// headless run's unless [`Param::headless_default`] is set.
    pub default: Value,
    /// The default of a headless run (`kiln run`, an experiment's task) where it
    /// differs from a live session's (`null`: the same): a tour's moves.
    pub headless_default: Value,
    /// Smallest value (numbers, integers, weights, counts).
    pub min: Option<f64>,
    /// Whether `min` itself is refused.
    pub exclusive_min: bool,
    /// Largest value.
    pub max: Option<f64>,
    /// Longest string or text, in bytes.
    pub max_length: Option<usize>,
    /// One sentence of help.
    pub help: &'static str,
    /// The unit, if any ("steps", "events/s").
    pub unit: Option<&'static str>,
    /// Where the form shows it.
    pub group: Group,
    /// Other CLI flag names for it (today's `--k`, `--cycles`, `--weights`).
    pub cli_aliases: &'static [&'static str],
    /// Parameters that, when given, make this one moot (the form greys it out).
    pub replaced_by: &'static [&'static str],
    /// Words the page shows for the names of an enum or weights (`logp`: "logP
    /// (Crippen)"), so no internal name reaches a user; a name without one is shown
    /// as it is written.
    pub value_labels: &'static [(&'static str, &'static str)],
}

impl Param {
    /// A parameter with no bounds, in the problem group; refine with the setters.
    pub fn new(name: &'static str, label: &'static str, ty: ParamType, help: &'static str) -> Self {
        Param {
            name,
            label,
            ty,
            default: Value::Null,
            headless_default: Value::Null,
            min: None,
            exclusive_min: false,
            max: None,
            max_length: None,
            help,
            unit: None,
            group: Group::Problem,
            cli_aliases: &[],
            replaced_by: &[],
            value_labels: &[],
        }
    }

    /// With this default.
    pub fn default_value(mut self, value: impl Into<Value>) -> Self {
        self.default = value.into();
        self
    }

    /// With this default for a headless run (see [`Param::headless_default`]).
    pub fn headless_default(mut self, value: impl Into<Value>) -> Self {
        self.headless_default = value.into();
        self
    }

    /// With these inclusive bounds.
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    /// With a lower bound only.
    pub fn at_least(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }

    /// With `min` itself refused.
    pub fn exclusive_min(mut self) -> Self {
        self.exclusive_min = true;
        self
    }

    /// With a longest length in bytes.
    pub fn max_length(mut self, bytes: usize) -> Self {
        self.max_length = Some(bytes);
        self
    }

    /// In this form group.
    pub fn group(mut self, group: Group) -> Self {
        self.group = group;
        self
    }

    /// With a unit.
    pub fn unit(mut self, unit: &'static str) -> Self {
        self.unit = Some(unit);
        self
    }

    /// With other CLI flag names.
    pub fn cli_aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.cli_aliases = aliases;
        self
    }

    /// With these words for its names (see [`Param::value_labels`]).
    pub fn value_labels(mut self, labels: &'static [(&'static str, &'static str)]) -> Self {
        self.value_labels = labels;
        self
    }

    /// Moot when any of `others` is given.
    pub fn replaced_by(mut self, others: &'static [&'static str]) -> Self {
        self.replaced_by = others;
        self
    }

    /// The catalog entry of `GET /api/problems`.
    pub fn describe(&self) -> Value {
        let mut out = json!({
            "name": self.name,
            "label": self.label,
            "type": self.ty.name(),
            "default": self.default,
            "help": self.help,
            "group": self.group.name(),
        });
        let map = out.as_object_mut().expect("an object");
        match &self.ty {
            ParamType::Enum(values) | ParamType::Weights(values) | ParamType::CountOr(values) => {
                map.insert("values".into(), json!(values));
            }
            _ => {}
        }
        if let ParamType::Integer | ParamType::CountOr(_) = self.ty {
            map.insert("integer".into(), json!(true));
        }
        if let Some(min) = self.min {
            map.insert("min".into(), number(min));
            map.insert("exclusive_min".into(), json!(self.exclusive_min));
        }
        if let Some(max) = self.max {
            map.insert("max".into(), number(max));
        }
        if let Some(n) = self.max_length {
            map.insert("max_length".into(), json!(n));
        }
        if !self.headless_default.is_null() {
            map.insert("headless_default".into(), self.headless_default.clone());
        }
        if !self.replaced_by.is_empty() {
            map.insert("replaced_by".into(), json!(self.replaced_by));
        }
        if !self.value_labels.is_empty() {
            let labels: Map<String, Value> =
                self.value_labels.iter().map(|&(name, label)| (name.to_string(), json!(label))).collect();
            map.insert("value_labels".into(), Value::Object(labels));
        }
        if let Some(unit) = self.unit {
            map.insert("unit".into(), json!(unit));
        }
        out
    }

    /// Check a value against the table; the error names this parameter and quotes
    /// the value. A `null` is refused like any value of the wrong type, saying that
    /// leaving the field out is how to ask for its default.
    pub fn check(&self, value: &Value) -> Result<(), ParamError> {
        let checked = self.check_value(value);
        if value.is_null() {
            return checked.and(Err(ParamError::new(self.name, "must have a value, not null"))).map_err(
                |e| {
                    let default =
                        if self.default.is_null() { String::new() } else { format!(" ({})", self.default) };
                    ParamError::new(
                        self.name,
                        format!("{}; leave it out to use the default{default}", e.message),
                    )
                },
            );
        }
        checked
    }

    fn check_value(&self, value: &Value) -> Result<(), ParamError> {
        let fail = |message: String| Err(ParamError::new(self.name, message));
        match &self.ty {
            ParamType::Number => match value.as_f64() {
                Some(x) => self.check_number(x, self.name),
                None => fail(format!("must be a number, not {value}")),
            },
            ParamType::Integer => self.check_integer(value),
            ParamType::String | ParamType::Text => match value.as_str() {
                Some(text) => match self.max_length {
                    Some(n) if text.len() > n => {
                        fail(format!("is {} bytes long; at most {n} are allowed", text.len()))
                    }
                    _ => Ok(()),
                },
                None => fail(format!("must be a string, not {value}")),
            },
            ParamType::Enum(values) => match value.as_str() {
                Some(name) if values.iter().any(|v| v == name) => Ok(()),
                _ => fail(format!("must be {}, not {value}", one_of(values))),
            },
            ParamType::Weights(names) => {
                let Some(map) = value.as_object() else {
                    return fail(format!(
                        "must be an object of names to weights, e.g. {{\"{}\": 1}}, not {value}",
                        names[0]
                    ));
                };
                if map.is_empty() {
                    return fail("must give at least one weight".into());
                }
                for (name, weight) in map {
                    if !names.iter().any(|n| n == name) {
                        return fail(format!("unknown component {name:?}; known: {}", quoted(names)));
                    }
                    match weight.as_f64() {
                        Some(w) => self.check_number(w, &format!("{}.{name}", self.name))?,
                        None => return fail(format!("the weight of {name} must be a number, not {weight}")),
                    }
                }
                Ok(())
            }
            ParamType::CountOr(words) => match value.as_str() {
                Some(word) if words.iter().any(|w| w == word) => Ok(()),
                Some(_) => fail(format!("must be {} or a whole number, not {value}", quoted(words))),
                None => self.check_integer(value).map_err(|_| {
                    ParamError::new(
                        self.name,
                        format!("must be {} or {}, not {value}", quoted(words), self.bounds_text()),
                    )
                }),
            },
        }
    }

    fn check_integer(&self, value: &Value) -> Result<(), ParamError> {
        match value.as_u64() {
            Some(n) => {
                let x = n as f64;
                if self.min.is_some_and(|min| x < min) || self.max.is_some_and(|max| x > max) {
                    Err(ParamError::new(self.name, format!("must be {}, not {n}", self.bounds_text())))
                } else {
                    Ok(())
                }
            }
            None => Err(ParamError::new(
                self.name,
                format!("must be a whole number ({}), not {value}", self.bounds_text()),
            )),
        }
    }

    fn check_number(&self, x: f64, what: &str) -> Result<(), ParamError> {
        let below = self.min.is_some_and(|min| if self.exclusive_min { x <= min } else { x < min });
        let above = self.max.is_some_and(|max| x > max);
        if !x.is_finite() || below || above {
            return Err(ParamError::new(
                self.name,
                format!("{what} must be {}, not {}", self.bounds_text(), shown(x)),
            ));
        }
        Ok(())
    }

    /// "from 1 to 1000", "above 0 and at most 1000000".
    fn bounds_text(&self) -> String {
        let fmt = |x: f64| number(x).to_string();
        match (self.min, self.max) {
            (Some(min), Some(max)) if self.exclusive_min => {
                format!("above {} and at most {}", fmt(min), fmt(max))
            }
            (Some(min), Some(max)) if min == max => format!("exactly {}", fmt(min)),
            (Some(min), Some(max)) => format!("from {} to {}", fmt(min), fmt(max)),
            (Some(min), None) if self.exclusive_min => format!("above {}", fmt(min)),
            (Some(min), None) => format!("at least {}", fmt(min)),
            (None, Some(max)) => format!("at most {}", fmt(max)),
            (None, None) => "a finite number".into(),
        }
    }

    /// The JSON value a command-line text stands for: numbers for numeric types,
    /// `NAME=W,NAME=W` (or a bare `NAME`, weight 1, or a JSON object) for weights, the
    /// text itself otherwise. A text that is not of the type names this parameter.
    pub fn from_text(&self, text: &str) -> Result<Value, ParamError> {
        let number = |t: &str| -> Result<Value, ParamError> {
            serde_json::from_str::<serde_json::Number>(t.trim())
                .map(Value::Number)
                .map_err(|_| ParamError::new(self.name, format!("must be a number, not {t:?}")))
        };
        match &self.ty {
            ParamType::Number | ParamType::Integer => number(text),
            ParamType::CountOr(words) if words.iter().any(|w| w == text.trim()) => Ok(json!(text.trim())),
            ParamType::CountOr(_) => number(text),
            ParamType::Weights(_) if text.trim_start().starts_with('{') => serde_json::from_str(text)
                .map_err(|e| ParamError::new(self.name, format!("not a JSON object of weights: {e}"))),
            ParamType::Weights(_) => {
                let mut map = Map::new();
                for pair in text.split(',') {
                    let (name, weight) = pair.split_once('=').unwrap_or((pair, "1"));
                    let weight: f64 = weight.trim().parse().map_err(|_| {
                        ParamError::new(
                            self.name,
                            format!("the weight {weight:?} of {name:?} is not a number"),
                        )
                    })?;
                    map.insert(name.trim().to_string(), number_value(weight));
                }
                Ok(Value::Object(map))
            }
            ParamType::String | ParamType::Text | ParamType::Enum(_) => Ok(json!(text)),
        }
    }
}

/// A bound as JSON: whole numbers without a fraction.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 { json!(x as i64) } else { number_value(x) }
}

/// A number as JSON writes it (`1e+308`, not 309 digits); `inf` or `NaN` as they are.
fn shown(x: f64) -> String {
    if x.is_finite() { number(x).to_string() } else { x.to_string() }
}

fn number_value(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// `"a"` for one choice, `one of "a", "b"` for several: one choice is said once.
fn one_of(names: &[String]) -> String {
    match names {
        [one] => format!("\"{one}\""),
        _ => format!("one of {}", quoted(names)),
    }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_its_field_once() {
        let bound = ParamError::new("initial_temp", "initial_temp must be above 0, not 0");
        assert_eq!(bound.to_string(), "initial_temp must be above 0, not 0");
        assert_eq!(bound.predicate(), "must be above 0, not 0");
        let bare = ParamError::new("num_cycles", "must be from 1 to 1000, not 0");
        assert_eq!(bare.to_string(), "num_cycles: must be from 1 to 1000, not 0");
        assert_eq!(bare.predicate(), "must be from 1 to 1000, not 0");
        // A longer word that starts with the name is not the name.
        let longer = ParamError::new("seed", "seeds are whole numbers");
        assert_eq!(longer.to_string(), "seed: seeds are whole numbers");
        let weight = ParamError::new("weights", "weights.x must be at least 0, not -1");
        assert_eq!(weight.to_string(), "weights.x must be at least 0, not -1");
        assert_eq!(weight.predicate(), "weights.x must be at least 0, not -1");
        assert_eq!(ParamError::new("", "not JSON").to_string(), "not JSON");
    }

    #[test]
    fn numbers_outside_the_bounds_name_the_parameter() {
        let p = Param::new("initial_temp", "T0", ParamType::Number, "").range(0.0, 10.0).exclusive_min();
        assert!(p.check(&json!(10)).is_ok());
        assert_eq!(p.check(&json!(0)).unwrap_err().field, "initial_temp");
        let e = p.check(&json!(1e308)).unwrap_err();
        assert_eq!(e.field, "initial_temp");
        assert!(e.message.ends_with("not 1e+308"), "the number as JSON writes it, not 309 digits: {e}");
        assert_eq!(p.check(&json!("hot")).unwrap_err().field, "initial_temp");
    }

    #[test]
    fn null_is_refused_naming_the_parameter_and_how_to_get_the_default() {
        let p = Param::new("seed", "Seed", ParamType::Integer, "").default_value(42).range(0.0, 1e9);
        let e = p.check(&Value::Null).unwrap_err();
        assert_eq!(e.field, "seed");
        assert!(e.message.contains("not null") && e.message.contains("default (42)"), "{}", e.message);
        let text = Param::new("formula", "F", ParamType::String, "");
        assert_eq!(text.check(&Value::Null).unwrap_err().field, "formula");
    }

    #[test]
    fn one_choice_is_said_once() {
        let one = Param::new("mode", "M", ParamType::Enum(vec!["only".into()]), "");
        let e = one.check(&json!("other")).unwrap_err();
        assert_eq!(e.message, "must be \"only\", not \"other\"");
        let fixed = Param::new("n", "N", ParamType::Integer, "").range(4.0, 4.0);
        assert_eq!(fixed.check(&json!(5)).unwrap_err().message, "must be exactly 4, not 5");
    }

    #[test]
    fn weights_are_bounded_one_by_one() {
        let p = Param::new("w", "W", ParamType::Weights(vec!["a".into()]), "").range(-5.0, 5.0);
        assert!(p.check(&json!({"a": 5})).is_ok());
        assert!(p.check(&json!({"a": 1e308})).is_err());
        assert!(p.check(&json!({"b": 1})).is_err());
        assert!(p.check(&json!({})).is_err());
        assert_eq!(p.from_text("a").unwrap(), json!({"a": 1.0}));
    }
}
