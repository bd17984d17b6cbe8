//! The N-queens kind: the engine problem ([`Queens`]) and its server side
//! ([`QueensKind`]), written entirely outside Kiln's crates.
//!
//! A state is a permutation: row r holds its queen in column `cols[r]`, so rows and
//! columns never clash and only diagonals can. A move swaps the columns of two rows;
//! the energy is the number of attacking pairs (two queens on one diagonal), 0 for a
//! solution (one exists for every N >= 4).

use kiln::kinds::{
    Built, Counter, Defaults, Kind, Param, ParamError, ParamType, Preset, Ready, Spec, StateView, Values,
    View,
};
use kiln_engine::problem::{Problem, Proposal};
use kiln_engine::{Annealer, ScheduleKind, StepRng};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Smallest board with a solution.
pub const MIN_N: u64 = 4;
/// Largest board offered.
pub const MAX_N: u64 = 200;

/// N queens, one per row and column.
#[derive(Clone, Debug)]
pub struct Queens {
    n: usize,
}

/// Swap the columns of rows `a` and `b`.
#[derive(Clone, Copy, Debug)]
pub struct Swap {
    a: usize,
    b: usize,
}

impl Queens {
    /// A board of `n` x `n`.
    pub fn new(n: usize) -> Self {
        Queens { n }
    }

    /// Pairs attacking along a diagonal that involve row `row` (with `cols[row]` = `col`),
    /// ignoring rows `skip`.
    fn attacks(cols: &[u32], row: usize, col: u32, skip: usize) -> u32 {
        let mut count = 0;
        for (other, &c) in cols.iter().enumerate() {
            if other == row || other == skip {
                continue;
            }
            if (other as i64 - row as i64).abs() == (i64::from(c) - i64::from(col)).abs() {
                count += 1;
            }
        }
        count
    }

    /// Whether the queen of `row` is attacked by any other.
    pub fn attacked(cols: &[u32], row: usize) -> bool {
        Self::attacks(cols, row, cols[row], row) > 0
    }
}

impl Problem for Queens {
    type State = Vec<u32>;
    type Move = Swap;

    /// All queens on the main diagonal: every pair attacks.
    fn initial_state(&self) -> Vec<u32> {
        (0..self.n as u32).collect()
    }

    fn propose(&self, _state: &Vec<u32>, rng: &mut StepRng) -> Proposal<Swap> {
        let a = rng.index(self.n);
        let mut b = rng.index(self.n - 1);
        if b >= a {
            b += 1;
        }
        Proposal::Move(Swap { a, b })
    }

    fn delta(&self, cols: &Vec<u32>, mv: &Swap) -> f64 {
        let (a, b) = (mv.a, mv.b);
        let before = Self::attacks(cols, a, cols[a], b)
            + Self::attacks(cols, b, cols[b], a)
            + pair(a, cols[a], b, cols[b]);
        let after = Self::attacks(cols, a, cols[b], b)
            + Self::attacks(cols, b, cols[a], a)
            + pair(a, cols[b], b, cols[a]);
        f64::from(after) - f64::from(before)
    }

    fn apply(&self, cols: &mut Vec<u32>, mv: &Swap) {
        cols.swap(mv.a, mv.b);
    }

    fn energy(&self, cols: &Vec<u32>) -> f64 {
        let mut pairs = 0u32;
        for a in 0..cols.len() {
            for b in a + 1..cols.len() {
                pairs += pair(a, cols[a], b, cols[b]);
            }
        }
        f64::from(pairs)
    }
}

/// 1 if queens (row a, col ca) and (row b, col cb) share a diagonal.
fn pair(a: usize, ca: u32, b: usize, cb: u32) -> u32 {
    u32::from((a as i64 - b as i64).abs() == (i64::from(ca) - i64::from(cb)).abs())
}

/// The spec: the board size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueensSpec {
    /// Queens (and rows, and columns).
    pub n: u64,
}

/// The server side of N queens.
pub struct QueensKind;

impl Kind for QueensKind {
    fn name(&self) -> &'static str {
        "queens"
    }

    fn label(&self) -> &'static str {
        "N queens"
    }

    fn parameters(&self) -> Vec<Param> {
        vec![
            Param::new("n", "Queens", ParamType::Integer, "Board size: N queens on an N x N board.")
                .default_value(8)
                .range(MIN_N as f64, MAX_N as f64),
        ]
    }

    fn presets(&self) -> Vec<Preset> {
        [8, 16, 32]
            .iter()
            .map(|n| Preset::new(format!("q{n}"), format!("{n} queens"), json!({ "n": n })))
            .collect()
    }

    fn view(&self) -> View {
        View {
            state_noun: "board",
            counters: vec![Counter { field: "safe_queens", label: "safe queens" }],
            captions: None,
        }
    }

    // The default and the bounds of `n` live in the table above only: the values
    // carry its default, and a spec read back from a record is checked against it.
    fn spec(&self, values: &Values) -> Result<Spec, ParamError> {
        let n = values.required_u64("n")?;
        Ok(Spec::of(self.name(), QueensSpec { n }))
    }

    fn build(&self, spec: &Spec) -> Result<Box<dyn Built>, ParamError> {
        let spec: QueensSpec = spec.read_checked(&self.parameters())?;
        let defaults = Defaults {
            schedule: ScheduleKind::Auto,
            steps_per_cycle: 20_000,
            cycles: 1,
            events_per_run: Some(200),
        };
        Ok(Ready::new(Queens::new(spec.n as usize), Board, defaults))
    }

    fn describe(&self, spec: &Spec) -> String {
        spec.read::<QueensSpec>().map_or_else(|_| "queens".into(), |s| format!("queens n={}", s.n))
    }
}

/// A board drawn as squares, attacked queens red.
struct Board;

impl StateView<Queens> for Board {
    fn draw(&self, _problem: &Queens, cols: &Vec<u32>) -> String {
        let n = cols.len();
        let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\">");
        svg += &format!("<rect width=\"{n}\" height=\"{n}\" fill=\"#f0d9b5\"/>");
        for r in 0..n {
            for c in 0..n {
                if (r + c) % 2 == 1 {
                    svg += &format!("<rect x=\"{c}\" y=\"{r}\" width=\"1\" height=\"1\" fill=\"#b58863\"/>");
                }
            }
        }
        for (r, &c) in cols.iter().enumerate() {
            let fill = if Queens::attacked(cols, r) { "#c0392b" } else { "#1b4f72" };
            svg += &format!("<circle cx=\"{c}.5\" cy=\"{r}.5\" r=\"0.35\" fill=\"{fill}\"/>");
        }
        svg + "</svg>"
    }

    fn extra(&self, sa: &Annealer<Queens>) -> Map<String, Value> {
        let cols = sa.state();
        let safe = (0..cols.len()).filter(|&r| !Queens::attacked(cols, r)).count();
        let mut extra = Map::new();
        extra.insert("safe_queens".into(), json!(safe));
        extra
    }

    fn optimum(&self, _sa: &Annealer<Queens>) -> Option<f64> {
        Some(0.0)
    }
}
