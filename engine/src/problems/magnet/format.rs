//! Ising and QUBO models with real-valued biases, read from text or from dimod's JSON,
//! and held as exact integers.
//!
//! **Convention** (dimod's, for every model read here): spins `s_i` in {-1, +1},
//! `E(s) = sum_i h_i s_i + sum_(i<j) J_ij s_i s_j + offset`, minimised; a QUBO
//! (`BINARY`) has `x_i` in {0, 1} and `E(x) = sum_i a_i x_i + sum_(i<j) b_ij x_i x_j +
//! offset`, and is annealed as the Ising model of `x_i = (1 + s_i) / 2`.
//!
//! Two inputs:
//! * **Text** in Gset's format, extended: the first line `n m` (spins, couplings),
//!   then `m` lines `i j J` (1-based spins) and any number of `h i value` lines (a
//!   field on spin `i`); numbers may be decimals (`0.25`, `-1.5e-2`). Without `h`
//!   lines and with whole numbers this is exactly a Gset graph.
//! * **dimod JSON**: what `BinaryQuadraticModel.to_serializable()` writes
//!   (`variable_labels`, `variable_type` `SPIN` or `BINARY`, `linear_biases`,
//!   `quadratic_head`, `quadratic_tail`, `quadratic_biases`, `offset`).
//!
//! **Exact energies.** Every bias is scaled by one power of ten, `10^k`, with `k` the
//! most decimal places any bias has (its shortest decimal form), so every scaled bias
//! is an integer and the engine's integer couplings, local fields and deltas stay
//! exact (a QUBO's conversion needs a further factor 4). [`Scaled::scale`] is that
//! factor: an energy the engine reports is `scale * (E - offset)`. When `k` decimals
//! would overflow the engine's 32-bit local fields, `k` is lowered until they fit and
//! the biases are rounded to `k` decimals: [`Scaled::exact`] then says false.

use std::collections::HashMap;

use serde_json::Value;

use super::error::MagnetError;
use super::{MAX_EDGES, MAX_SPINS};

/// Most decimal places kept (10^9 still leaves room in 32 bits for |J| up to ~2).
const MAX_DECIMALS: u32 = 9;
/// Largest total of |coupling| over all couplings (energies stay exact in `f64`).
const MAX_TOTAL: f64 = 9.0e15;

/// Spin or binary variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vartype {
    /// s in {-1, +1}.
    Spin,
    /// x in {0, 1}.
    Binary,
}

/// A model as given, in dimod's convention (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Spin or binary.
    pub vartype: Vartype,
    /// Linear biases, one per variable (0 where none is given).
    pub linear: Vec<f64>,
    /// Quadratic biases `(i, j, b)`, 0-based, `i < j`, each pair once.
    pub quadratic: Vec<(u32, u32, f64)>,
    /// Constant energy.
    pub offset: f64,
    /// dimod's variable labels, in index order (none for text).
    pub labels: Option<Vec<Value>>,
}

/// A model as the engine holds it: integer couplings in the engine's own sign
/// (`E_engine = -sum_(i<j) K_ij s_i s_j`), over the model's spins and, when any
/// field is nonzero, one more "ghost" spin coupled to spin `i` by `-h_i`.
///
/// The ghost makes per-spin fields two-body couplings (`h_i s_i = h_i s_i g` at
/// `g = +1`); the energy is unchanged by flipping every spin, ghost included, so a
/// state with `g = -1` stands for the model state `s_i * g`. The engine's flip loop
/// is untouched.
#[derive(Clone, Debug, PartialEq)]
pub struct Scaled {
    /// Engine spins (the model's, plus the ghost when [`Scaled::ghost`]).
    pub spins: usize,
    /// Couplings `(i, j, K_ij)`, `i < j`.
    pub edges: Vec<(u32, u32, i32)>,
    /// Whether the last spin is the ghost.
    pub ghost: bool,
    /// Engine energy units per model energy unit.
    pub scale: f64,
    /// The model's energy at engine energy 0 (model units).
    pub offset: f64,
    /// Whether every bias was held exactly (false: rounded to `10^-k`, see the module doc).
    pub exact: bool,
    /// Spin or binary, as given.
    pub vartype: Vartype,
    /// dimod's labels, if any.
    pub labels: Option<Vec<Value>>,
}

/// Scaled Ising biases: fields, couplings, the offset they add (scaled) and the
/// factor beyond `10^k`.
type IsingParts = (Vec<f64>, Vec<(u32, u32, f64)>, f64, f64);

/// Decimal places of the shortest decimal form of `x` (`0.25` -> 2, `3` -> 0).
fn decimals(x: f64) -> u32 {
    let text = format!("{x}");
    match text.split_once('.') {
        Some((_, frac)) => frac.len() as u32,
        None => 0,
    }
}

impl Model {
    /// Number of variables.
    pub fn len(&self) -> usize {
        self.linear.len()
    }

    /// Whether there are no variables.
    pub fn is_empty(&self) -> bool {
        self.linear.is_empty()
    }

    /// The model's energy of spins `s` (each -1 or +1; a QUBO's `x = (1 + s) / 2`),
    /// summed in `f64` straight from the definition: a check, not the engine's path.
    pub fn energy(&self, s: &[i8]) -> f64 {
        let v = |i: usize| match self.vartype {
            Vartype::Spin => f64::from(s[i]),
            Vartype::Binary => f64::from((s[i] + 1) / 2),
        };
        let linear: f64 = self.linear.iter().enumerate().map(|(i, h)| h * v(i)).sum();
        let quadratic: f64 = self.quadratic.iter().map(|&(i, j, b)| b * v(i as usize) * v(j as usize)).sum();
        linear + quadratic + self.offset
    }

    /// The model in exact integers (see [`Scaled`] and the module doc).
    pub fn scaled(&self) -> Result<Scaled, MagnetError> {
        let all = self.linear.iter().chain(self.quadratic.iter().map(|e| &e.2));
        let needed = all.map(|&x| decimals(x)).max().unwrap_or(0).min(MAX_DECIMALS);
        let exact_possible = self
            .linear
            .iter()
            .chain(self.quadratic.iter().map(|e| &e.2))
            .all(|&x| decimals(x) <= MAX_DECIMALS);
        let mut k = needed;
        loop {
            match self.scaled_by(k) {
                Some(mut scaled) => {
                    scaled.exact = exact_possible && k == needed;
                    return Ok(scaled);
                }
                None if k > 0 => k -= 1,
                None => return Err(MagnetError::ModelTooLarge),
            }
        }
    }

    /// The model scaled by `10^k`, or `None` if it does not fit the engine's integers.
    fn scaled_by(&self, k: u32) -> Option<Scaled> {
        let ten = 10f64.powi(k as i32);
        let round = |x: f64| (x * ten).round();
        let n = self.len();
        // Integer Ising biases (scaled) and the factor beyond 10^k.
        let (h, j, offset, factor): IsingParts = match self.vartype {
            Vartype::Spin => (
                self.linear.iter().map(|&x| round(x)).collect(),
                self.quadratic.iter().map(|&(a, b, x)| (a, b, round(x))).collect(),
                0.0,
                1.0,
            ),
            Vartype::Binary => {
                // x = (1 + s) / 2, times 4: h_i = 2 a_i + sum_j b_ij, J_ij = b_ij,
                // offset = 4 c + 2 sum a_i + sum b_ij (c kept apart, unscaled).
                let a: Vec<f64> = self.linear.iter().map(|&x| round(x)).collect();
                let mut h: Vec<f64> = a.iter().map(|x| 2.0 * x).collect();
                let mut offset = 2.0 * a.iter().sum::<f64>();
                let mut j = Vec::with_capacity(self.quadratic.len());
                for &(p, q, x) in &self.quadratic {
                    let b = round(x);
                    h[p as usize] += b;
                    h[q as usize] += b;
                    offset += b;
                    j.push((p, q, b));
                }
                (h, j, offset, 4.0)
            }
        };
        let ghost = h.iter().any(|&x| x != 0.0);
        let spins = n + usize::from(ghost);
        // Row sums of |K| bound every local field: they must fit in i32.
        let mut rows = vec![0f64; spins];
        let mut total = 0f64;
        let mut edges = Vec::with_capacity(j.len() + if ghost { n } else { 0 });
        let mut push = |a: u32, b: u32, x: f64| -> Option<()> {
            if x == 0.0 {
                return Some(());
            }
            rows[a as usize] += x.abs();
            rows[b as usize] += x.abs();
            total += x.abs();
            if x.abs() > f64::from(i32::MAX) {
                return None;
            }
            edges.push((a, b, -(x as i32)));
            Some(())
        };
        for &(a, b, x) in &j {
            push(a, b, x)?;
        }
        if ghost {
            for (i, &x) in h.iter().enumerate() {
                push(i as u32, n as u32, x)?;
            }
        }
        if rows.iter().any(|&r| r > f64::from(i32::MAX) / 2.0) || total > MAX_TOTAL {
            return None;
        }
        let scale = ten * factor;
        Some(Scaled {
            spins,
            edges,
            ghost,
            scale,
            offset: self.offset + offset / scale,
            exact: true,
            vartype: self.vartype,
            labels: self.labels.clone(),
        })
    }
}

/// Read a model from text or dimod JSON (JSON when the first non-blank character is `{`).
pub fn parse_model(text: &str) -> Result<Model, MagnetError> {
    if text.trim_start().starts_with('{') { parse_dimod(text) } else { parse_text(text) }
}

/// A number of the text format: a whole number or a decimal, finite.
fn number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Read the text format (see the module doc); errors name the 1-based line.
pub fn parse_text(text: &str) -> Result<Model, MagnetError> {
    let quote = |t: &str| t.chars().take(60).collect::<String>();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(MagnetError::Empty);
    };
    let fields: Vec<&str> = header.split_whitespace().collect();
    let bad_header = || MagnetError::BadHeader { line: header_line, text: quote(header) };
    let [n_text, m_text] = fields[..] else { return Err(bad_header()) };
    let (Ok(n), Ok(declared)) = (n_text.parse::<u64>(), m_text.parse::<u64>()) else {
        return Err(bad_header());
    };
    if !(2..=MAX_SPINS as u64).contains(&n) {
        return Err(MagnetError::SpinCount { line: header_line, spins: n });
    }
    if declared > MAX_EDGES as u64 {
        return Err(MagnetError::EdgeCount { line: header_line, edges: declared });
    }
    let (n, declared) = (n as usize, declared as usize);
    let mut linear = vec![0.0; n];
    let mut field_line: HashMap<usize, usize> = HashMap::new();
    let mut quadratic = Vec::with_capacity(declared);
    let mut first_seen: HashMap<(u32, u32), usize> = HashMap::with_capacity(declared);
    let mut last_line = header_line;
    let spin = |line: usize, t: &str| -> Result<usize, MagnetError> {
        let s: i64 = t.parse().map_err(|_| MagnetError::BadEdgeLine { line, text: quote(t) })?;
        if !(1..=n as i64).contains(&s) {
            return Err(MagnetError::SpinOutOfRange { line, spin: s, spins: n });
        }
        Ok(s as usize - 1)
    };
    for (line, text) in lines {
        last_line = line;
        let bad_line = || MagnetError::BadEdgeLine { line, text: quote(text) };
        let fields: Vec<&str> = text.split_whitespace().collect();
        match fields[..] {
            ["h", i, value] => {
                let i = spin(line, i).map_err(|e| if e.line() == Some(line) { e } else { bad_line() })?;
                let value = number(value).ok_or_else(bad_line)?;
                if let Some(&first_line) = field_line.get(&i) {
                    return Err(MagnetError::DuplicateField { line, spin: i + 1, first_line });
                }
                field_line.insert(i, line);
                linear[i] = value;
            }
            [i_text, j_text, w_text] => {
                let (Ok(i), Ok(j)) = (i_text.parse::<i64>(), j_text.parse::<i64>()) else {
                    return Err(bad_line());
                };
                let w = number(w_text).ok_or_else(bad_line)?;
                for s in [i, j] {
                    if !(1..=n as i64).contains(&s) {
                        return Err(MagnetError::SpinOutOfRange { line, spin: s, spins: n });
                    }
                }
                if i == j {
                    return Err(MagnetError::SelfLoop { line, spin: i as usize });
                }
                if quadratic.len() == declared {
                    return Err(MagnetError::EdgeCountMismatch { line, found: declared + 1, declared });
                }
                let (a, b) = ((i.min(j) - 1) as u32, (i.max(j) - 1) as u32);
                if let Some(&first_line) = first_seen.get(&(a, b)) {
                    return Err(MagnetError::DuplicateEdge {
                        line,
                        i: a as usize + 1,
                        j: b as usize + 1,
                        first_line,
                    });
                }
                first_seen.insert((a, b), line);
                quadratic.push((a, b, w));
            }
            _ => return Err(bad_line()),
        }
    }
    if quadratic.len() != declared {
        return Err(MagnetError::EdgeCountMismatch { line: last_line, found: quadratic.len(), declared });
    }
    Ok(Model { vartype: Vartype::Spin, linear, quadratic, offset: 0.0, labels: None })
}

/// Read dimod's `BinaryQuadraticModel.to_serializable()` JSON (schema 3, `use_bytes`
/// false); errors name the JSON field.
pub fn parse_dimod(text: &str) -> Result<Model, MagnetError> {
    let bad = |field: &str, why: String| MagnetError::Dimod { field: field.to_string(), message: why };
    let value: Value = serde_json::from_str(text).map_err(|e| bad("", format!("not JSON: {e}")))?;
    let get = |name: &str| value.get(name).ok_or_else(|| bad(name, "missing".into()));
    if value.get("type").and_then(Value::as_str) != Some("BinaryQuadraticModel") {
        return Err(bad("type", "must be \"BinaryQuadraticModel\" (from bqm.to_serializable())".into()));
    }
    if value.get("use_bytes").and_then(Value::as_bool) == Some(true) {
        return Err(bad(
            "use_bytes",
            "must be false: write it with bqm.to_serializable(use_bytes=False)".into(),
        ));
    }
    let vartype = match get("variable_type")?.as_str() {
        Some("SPIN") => Vartype::Spin,
        Some("BINARY") => Vartype::Binary,
        other => return Err(bad("variable_type", format!("must be \"SPIN\" or \"BINARY\", not {other:?}"))),
    };
    let numbers = |name: &str| -> Result<Vec<f64>, MagnetError> {
        let list = get(name)?.as_array().ok_or_else(|| bad(name, "must be a list of numbers".into()))?;
        list.iter()
            .enumerate()
            .map(|(k, v)| {
                v.as_f64()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad(name, format!("item {k} is {v}, not a finite number")))
            })
            .collect()
    };
    let linear = numbers("linear_biases")?;
    let n = linear.len();
    if !(2..=MAX_SPINS).contains(&n) {
        return Err(bad("linear_biases", format!("{n} variables; Kiln takes 2 to {MAX_SPINS}")));
    }
    let labels = get("variable_labels")?
        .as_array()
        .filter(|l| l.len() == n)
        .cloned()
        .ok_or_else(|| bad("variable_labels", format!("must be a list of {n} labels")))?;
    let (heads, tails, biases) =
        (numbers("quadratic_head")?, numbers("quadratic_tail")?, numbers("quadratic_biases")?);
    if heads.len() != biases.len() || tails.len() != biases.len() {
        return Err(bad("quadratic_biases", "head, tail and biases must have the same length".into()));
    }
    if biases.len() > MAX_EDGES {
        return Err(bad(
            "quadratic_biases",
            format!("{} interactions; Kiln takes at most {MAX_EDGES}", biases.len()),
        ));
    }
    let mut quadratic: Vec<(u32, u32, f64)> = Vec::with_capacity(biases.len());
    let mut seen: HashMap<(u32, u32), usize> = HashMap::with_capacity(biases.len());
    for (k, ((&u, &v), &b)) in heads.iter().zip(&tails).zip(&biases).enumerate() {
        let index = |x: f64| (x.fract() == 0.0 && x >= 0.0 && (x as usize) < n).then_some(x as u32);
        let (Some(u), Some(v)) = (index(u), index(v)) else {
            return Err(bad(
                "quadratic_head",
                format!("interaction {k} ({u}, {v}) is not two indices below {n}"),
            ));
        };
        if u == v {
            return Err(bad("quadratic_head", format!("interaction {k} joins variable {u} to itself")));
        }
        let key = (u.min(v), u.max(v));
        match seen.get(&key) {
            // dimod never writes a pair twice; adding keeps the meaning if a tool does.
            Some(&at) => quadratic[at] = (key.0, key.1, quadratic[at].2 + b),
            None => {
                seen.insert(key, quadratic.len());
                quadratic.push((key.0, key.1, b));
            }
        }
    }
    let offset = value.get("offset").and_then(Value::as_f64).unwrap_or(0.0);
    Ok(Model { vartype, linear, quadratic, offset, labels: Some(labels) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_decimal_couplings_and_fields() {
        let m = parse_text("3 2\n1 2 0.5\nh 3 -1.25\n2 3 -2\n").unwrap();
        assert_eq!(m.linear, vec![0.0, 0.0, -1.25]);
        assert_eq!(m.quadratic, vec![(0, 1, 0.5), (1, 2, -2.0)]);
        let e = parse_text("3 1\n1 2 1\nh 1 1\nh 1 2\n").unwrap_err();
        assert_eq!(e.line(), Some(4), "{e}");
        let e = parse_text("3 1\n1 2 x\n").unwrap_err();
        assert_eq!(e.line(), Some(2), "{e}");
        let e = parse_text("3 1\n1 2 1\nh 4 1\n").unwrap_err();
        assert_eq!(e.line(), Some(3), "{e}");
    }

    #[test]
    fn scaling_is_by_the_most_decimals_and_keeps_every_energy() {
        // Oracle: the model's energy summed from its definition, for all 2^3 states.
        let m = parse_text("3 2\n1 2 0.5\nh 3 -1.25\n2 3 -2\n").unwrap();
        let s = m.scaled().unwrap();
        assert_eq!(s.scale, 100.0);
        assert!(s.ghost && s.exact);
        for bits in 0..8u8 {
            let spins: Vec<i8> = (0..3).map(|i| if bits >> i & 1 == 1 { 1 } else { -1 }).collect();
            // The engine's energy: -sum K s s with the ghost at +1.
            let mut all = spins.clone();
            all.push(1);
            let engine: i64 = s
                .edges
                .iter()
                .map(|&(a, b, k)| -i64::from(k) * i64::from(all[a as usize] * all[b as usize]))
                .sum();
            assert_eq!(engine as f64 / s.scale + s.offset, m.energy(&spins), "{spins:?}");
        }
    }

    #[test]
    fn a_qubo_becomes_the_ising_model_of_its_bits() {
        let m = Model {
            vartype: Vartype::Binary,
            linear: vec![0.5, -1.0, 0.0],
            quadratic: vec![(0, 1, 1.25), (1, 2, -3.0)],
            offset: 0.1,
            labels: None,
        };
        let s = m.scaled().unwrap();
        assert_eq!(s.scale, 400.0);
        for bits in 0..8u8 {
            let spins: Vec<i8> = (0..3).map(|i| if bits >> i & 1 == 1 { 1 } else { -1 }).collect();
            let mut all = spins.clone();
            all.push(1);
            let engine: i64 = s
                .edges
                .iter()
                .map(|&(a, b, k)| -i64::from(k) * i64::from(all[a as usize] * all[b as usize]))
                .sum();
            let x: Vec<f64> = spins.iter().map(|&v| f64::from((v + 1) / 2)).collect();
            let direct = 0.5 * x[0] - x[1] + 1.25 * x[0] * x[1] - 3.0 * x[1] * x[2] + 0.1;
            assert!((engine as f64 / s.scale + s.offset - direct).abs() < 1e-12, "{spins:?}");
        }
    }

    #[test]
    fn dimod_json_is_read_with_its_labels() {
        let text = r#"{"type": "BinaryQuadraticModel", "version": {"bqm_schema": "3.0.0"}, "use_bytes": false, "index_type": "int32", "bias_type": "float64", "num_variables": 2, "num_interactions": 1, "variable_labels": [0, "a"], "variable_type": "SPIN", "offset": 0.1, "info": {}, "linear_biases": [0.5, -1.0], "quadratic_biases": [1.25], "quadratic_head": [0], "quadratic_tail": [1]}"#;
        let m = parse_model(text).unwrap();
        assert_eq!(m.linear, vec![0.5, -1.0]);
        assert_eq!(m.quadratic, vec![(0, 1, 1.25)]);
        assert_eq!(m.offset, 0.1);
        assert_eq!(m.labels.unwrap()[1], "a");
        let e = parse_model(&text.replace("SPIN", "DISCRETE")).unwrap_err();
        assert!(e.to_string().contains("variable_type"), "{e}");
    }
}
