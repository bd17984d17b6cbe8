//! Run parameters shared by every problem, and their validation.
//!
//! A config plus a problem plus a seed determine the whole trajectory; `batch` and
//! `threads` only decide how fast it is computed, never what it is.

use serde::{Deserialize, Serialize};

use crate::rng::Generator;
use crate::schedule::{DEFAULT_FINAL_FRACTION, Schedule, ScheduleKind};

/// Largest speculative batch.
pub const MAX_BATCH: u32 = 64;
/// Largest total step count a config may ask for.
pub const MAX_TOTAL_STEPS: u64 = 1_000_000_000_000;
/// Fewest replicas of a tempering run.
pub const MIN_REPLICAS: u32 = 2;
/// Most replicas of a tempering run.
pub const MAX_REPLICAS: u32 = 64;
/// Replicas of a tempering run unless the caller says otherwise.
pub const DEFAULT_REPLICAS: u32 = 24;
/// Most steps between two exchange rounds.
pub const MAX_EXCHANGE_INTERVAL: u64 = 100_000_000;
/// Steps each replica takes between exchange rounds unless the caller says otherwise.
pub const DEFAULT_EXCHANGE_INTERVAL: u64 = 1_000;

/// Minimise or maximise the energy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Direction {
    /// Lower energy is better.
    #[default]
    Minimize,
    /// Higher energy is better (annealed as the negated energy).
    Maximize,
}

impl Direction {
    /// +1 to minimise, -1 to maximise: the factor from energy to annealed cost.
    #[inline]
    pub fn sign(self) -> f64 {
        match self {
            Direction::Minimize => 1.0,
            Direction::Maximize => -1.0,
        }
    }
}

/// How many candidate moves are scored in parallel per round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Batch {
    /// Chosen from the recent acceptance rate and the measured cost of a candidate.
    #[default]
    Auto,
    /// A fixed batch size in 1..=64; 1 is plain sequential SA and never uses rayon.
    Fixed(u32),
}

impl Serialize for Batch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Batch::Auto => s.serialize_str("auto"),
            Batch::Fixed(k) => s.serialize_u32(*k),
        }
    }
}

impl<'de> Deserialize<'de> for Batch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Size(u32),
        }
        match Raw::deserialize(d)? {
            Raw::Name(n) if n == "auto" => Ok(Batch::Auto),
            Raw::Name(n) => n.parse::<u32>().map(Batch::Fixed).map_err(|_| {
                serde::de::Error::custom(format!("batch must be \"auto\" or 1..=64, not {n:?}"))
            }),
            Raw::Size(k) => Ok(Batch::Fixed(k)),
        }
    }
}

impl std::str::FromStr for Batch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "auto" {
            return Ok(Batch::Auto);
        }
        s.parse::<u32>()
            .map(Batch::Fixed)
            .map_err(|_| format!("batch must be \"auto\" or a number 1..=64, not {s:?}"))
    }
}

/// How a tempering run spaces its temperatures between the ladder's two ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Ladder {
    /// A constant ratio between neighbours, for the whole run. What a record without
    /// a `ladder` field ran (records made before the tuned ladder).
    #[default]
    Geometric,
    /// Geometric at first, then re-spaced during a warm-up (the first tenth of the
    /// steps) so that neighbouring temperatures swap equally often; fixed after it.
    /// See [`crate::tempering`].
    Tuned,
}

impl Ladder {
    /// Every ladder, in the order the parameter table lists them.
    pub const ALL: [Ladder; 2] = [Ladder::Tuned, Ladder::Geometric];

    /// The name used in configs and the parameter table.
    pub fn name(self) -> &'static str {
        match self {
            Ladder::Geometric => "geometric",
            Ladder::Tuned => "tuned",
        }
    }

    /// The ladder named `name`, if any.
    pub fn from_name(name: &str) -> Option<Ladder> {
        Ladder::ALL.into_iter().find(|l| l.name() == name)
    }

    fn is_geometric(&self) -> bool {
        *self == Ladder::Geometric
    }
}

/// Replica exchange (`method: tempering`, see [`crate::tempering`]): how many replicas,
/// how often neighbouring temperatures try to swap, and how the ladder is spaced.
///
/// The ladder's ends are the config's own temperatures: the hottest replica runs at
/// `initial_temp`, the coldest at the final temperature (`final_temp`, default
/// `initial_temp / 1000`), or at the two the `auto` schedule estimates; the replicas in
/// between are spaced geometrically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemperingConfig {
    /// Replicas, one per temperature of the ladder (2..=64).
    pub replicas: u32,
    /// Steps every replica takes between two exchange rounds.
    pub exchange_interval: u64,
    /// The spacing of the ladder. Absent in a record: geometric (what records made
    /// before the tuned ladder ran), and not written when geometric, so they stay as
    /// they were.
    #[serde(default, skip_serializing_if = "Ladder::is_geometric")]
    pub ladder: Ladder,
}

impl Default for TemperingConfig {
    /// 24 replicas, a round every 1,000 steps, the tuned ladder.
    fn default() -> Self {
        Self {
            replicas: DEFAULT_REPLICAS,
            exchange_interval: DEFAULT_EXCHANGE_INTERVAL,
            ladder: Ladder::Tuned,
        }
    }
}

/// Everything about a run except the problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnealConfig {
    /// Keys the step words' generator.
    pub seed: u64,
    /// The function from (seed, step) to the step's random words: part of the run's
    /// definition, written into every record. A record without the field (every record
    /// of rounds 1 and 2) reads as [`Generator::ChaCha8`], the one such runs used.
    #[serde(default)]
    pub generator: Generator,
    /// Schedule family.
    pub schedule: ScheduleKind,
    /// T0: the temperature at the start of every cycle (ignored by `auto`).
    pub initial_temp: f64,
    /// T1 for geometric and linear (default T0 / 1000; ignored by faulon, auto).
    pub final_temp: Option<f64>,
    /// Faulon's cooling constant k.
    pub k: f64,
    /// Steps in one cycle (Faulon's dt).
    pub steps_per_cycle: u64,
    /// Number of cycles; the run has `steps_per_cycle * cycles` steps.
    pub cycles: u64,
    /// Minimise or maximise.
    pub direction: Direction,
    /// Speculative batch size.
    pub batch: Batch,
    /// Worker threads for batches above 1 (and for replicas); 0 means one per core.
    pub threads: usize,
    /// Replica exchange instead of one annealing chain (`method: tempering`); absent
    /// (and not written into records) for plain annealing, so older records read and
    /// verify unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tempering: Option<TemperingConfig>,
}

impl Default for AnnealConfig {
    /// The isomer app's defaults: T0 100, k 8, 4 cycles of 500 steps, seed 42.
    fn default() -> Self {
        Self {
            seed: 42,
            generator: Generator::ChaCha8,
            schedule: ScheduleKind::Faulon,
            initial_temp: 100.0,
            final_temp: None,
            k: 8.0,
            steps_per_cycle: 500,
            cycles: 4,
            direction: Direction::Minimize,
            batch: Batch::Auto,
            threads: 0,
            tempering: None,
        }
    }
}

/// A config value out of range; `field` names the parameter as the API spells it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    /// The parameter, as named in the HTTP API.
    pub field: &'static str,
    /// What is wrong, with the value.
    pub message: String,
}

impl ConfigError {
    fn new(field: &'static str, message: String) -> Self {
        Self { field, message }
    }
}

impl AnnealConfig {
    /// Total steps of the run.
    pub fn total_steps(&self) -> u64 {
        self.steps_per_cycle.saturating_mul(self.cycles)
    }

    /// The final temperature geometric and linear schedules use.
    pub fn resolved_final_temp(&self) -> f64 {
        self.final_temp.unwrap_or(self.initial_temp * DEFAULT_FINAL_FRACTION)
    }

    /// Check every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let t0 = self.initial_temp;
        if !t0.is_finite() || t0 <= 0.0 {
            return Err(ConfigError::new(
                "initial_temp",
                format!("must be a finite temperature above 0, not {t0}"),
            ));
        }
        if let Some(t1) = self.final_temp
            && (!t1.is_finite() || t1 <= 0.0)
        {
            return Err(ConfigError::new(
                "final_temp",
                format!("must be a finite temperature above 0, not {t1}"),
            ));
        }
        if !self.k.is_finite() || self.k < 0.0 {
            return Err(ConfigError::new(
                "cooling_schedule_k",
                format!("must be a finite number of at least 0, not {}", self.k),
            ));
        }
        if self.steps_per_cycle == 0 {
            return Err(ConfigError::new("steps_per_cycle", "must be at least 1, not 0".into()));
        }
        if self.cycles == 0 {
            return Err(ConfigError::new("num_cycles", "must be at least 1, not 0".into()));
        }
        let total = u128::from(self.steps_per_cycle) * u128::from(self.cycles);
        if total > u128::from(MAX_TOTAL_STEPS) {
            return Err(ConfigError::new(
                "steps_per_cycle",
                format!(
                    "{} steps per cycle times {} cycles is {total} steps, above the limit of {MAX_TOTAL_STEPS}",
                    self.steps_per_cycle, self.cycles
                ),
            ));
        }
        if let Batch::Fixed(k) = self.batch
            && !(1..=MAX_BATCH).contains(&k)
        {
            return Err(ConfigError::new("batch", format!("must be \"auto\" or 1..={MAX_BATCH}, not {k}")));
        }
        if self.threads > 256 {
            return Err(ConfigError::new(
                "threads",
                format!("must be 0 (one per core) to 256, not {}", self.threads),
            ));
        }
        if let Some(tempering) = &self.tempering {
            tempering.validate()?;
            let (hot, cold) = (t0, self.resolved_final_temp());
            if self.schedule != ScheduleKind::Auto && cold >= hot {
                return Err(ConfigError::new(
                    "final_temp",
                    format!(
                        "with tempering the coldest replica runs at final_temp and the hottest at \
                         initial_temp, so final_temp must be below {hot}, not {cold}"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The schedule for fixed kinds; `auto` needs the problem (see `Annealer::new`).
    pub(crate) fn fixed_schedule(&self) -> Option<Schedule> {
        let (t0, dt) = (self.initial_temp, self.steps_per_cycle);
        Some(match self.schedule {
            ScheduleKind::Faulon => Schedule::faulon(t0, self.k, dt),
            ScheduleKind::Geometric => Schedule::geometric(t0, self.resolved_final_temp(), dt),
            ScheduleKind::Linear => Schedule::linear(t0, self.resolved_final_temp(), dt),
            ScheduleKind::Constant => Schedule::constant(t0, dt),
            ScheduleKind::Auto => return None,
        })
    }
}

impl TemperingConfig {
    /// Check both fields; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(MIN_REPLICAS..=MAX_REPLICAS).contains(&self.replicas) {
            return Err(ConfigError::new(
                "replicas",
                format!("must be {MIN_REPLICAS} to {MAX_REPLICAS}, not {}", self.replicas),
            ));
        }
        if !(1..=MAX_EXCHANGE_INTERVAL).contains(&self.exchange_interval) {
            return Err(ConfigError::new(
                "exchange_interval",
                format!("must be 1 to {MAX_EXCHANGE_INTERVAL} steps, not {}", self.exchange_interval),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_value_names_its_field() {
        let cases: Vec<(AnnealConfig, &str)> = vec![
            (AnnealConfig { initial_temp: f64::NAN, ..Default::default() }, "initial_temp"),
            (AnnealConfig { initial_temp: -1.0, ..Default::default() }, "initial_temp"),
            (AnnealConfig { initial_temp: 0.0, ..Default::default() }, "initial_temp"),
            (AnnealConfig { final_temp: Some(0.0), ..Default::default() }, "final_temp"),
            (AnnealConfig { k: -2.0, ..Default::default() }, "cooling_schedule_k"),
            (AnnealConfig { steps_per_cycle: 0, ..Default::default() }, "steps_per_cycle"),
            (AnnealConfig { cycles: 0, ..Default::default() }, "num_cycles"),
            (AnnealConfig { steps_per_cycle: u64::MAX, cycles: 2, ..Default::default() }, "steps_per_cycle"),
            (AnnealConfig { batch: Batch::Fixed(0), ..Default::default() }, "batch"),
            (AnnealConfig { batch: Batch::Fixed(65), ..Default::default() }, "batch"),
            (tempering(1, 10, None), "replicas"),
            (tempering(65, 10, None), "replicas"),
            (tempering(8, 0, None), "exchange_interval"),
            (tempering(8, 10, Some(200.0)), "final_temp"),
        ];
        for (config, field) in cases {
            let err = config.validate().expect_err(field);
            assert_eq!(err.field, field, "{err}");
        }
        assert!(AnnealConfig::default().validate().is_ok());
    }

    fn tempering(replicas: u32, exchange_interval: u64, final_temp: Option<f64>) -> AnnealConfig {
        AnnealConfig {
            final_temp,
            tempering: Some(TemperingConfig { replicas, exchange_interval, ladder: Ladder::Geometric }),
            ..Default::default()
        }
    }

    #[test]
    fn an_annealing_config_writes_no_tempering_field_and_reads_without_one() {
        let text = serde_json::to_string(&AnnealConfig::default()).unwrap();
        assert!(!text.contains("tempering"), "{text}");
        let back: AnnealConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, AnnealConfig::default());
        let with = tempering(8, 100, None);
        let back: AnnealConfig = serde_json::from_str(&serde_json::to_string(&with).unwrap()).unwrap();
        assert_eq!(back, with);
        let tuned = AnnealConfig { tempering: Some(TemperingConfig::default()), ..Default::default() };
        let text = serde_json::to_string(&tuned).unwrap();
        assert!(text.contains(r#""ladder":"tuned""#), "{text}");
        let back: AnnealConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, tuned);
        assert!(with.validate().is_ok());
    }

    #[test]
    fn a_config_without_a_generator_reads_as_chacha8_and_writes_its_generator() {
        let mut value = serde_json::to_value(AnnealConfig::default()).unwrap();
        assert_eq!(value["generator"], "chacha8");
        value.as_object_mut().unwrap().remove("generator");
        let old: AnnealConfig = serde_json::from_value(value).unwrap();
        assert_eq!(old.generator, Generator::ChaCha8);
        let philox = AnnealConfig { generator: Generator::Philox, ..Default::default() };
        let text = serde_json::to_string(&philox).unwrap();
        assert!(text.contains(r#""generator":"philox4x32-10""#), "{text}");
        assert_eq!(serde_json::from_str::<AnnealConfig>(&text).unwrap(), philox);
    }

    #[test]
    fn batch_reads_auto_or_a_size() {
        assert_eq!(serde_json::from_str::<Batch>("\"auto\"").unwrap(), Batch::Auto);
        assert_eq!(serde_json::from_str::<Batch>("8").unwrap(), Batch::Fixed(8));
        assert!(serde_json::from_str::<Batch>("\"many\"").is_err());
        assert_eq!("16".parse::<Batch>().unwrap(), Batch::Fixed(16));
    }
}
