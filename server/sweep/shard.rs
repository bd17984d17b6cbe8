//! Shards: one experiment split over the nodes of a cluster, with the cluster's own
//! scheduler and no server of ours in between.
//!
//! Shard `I/N` runs tasks `I, I+N, I+2N, ...` (0-based). Since task ids are
//! seed-major, every shard gets a share of every parameter set. `--shard auto` reads
//! the index from the scheduler:
//!
//! * Slurm job arrays: `(SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP`
//!   of `SLURM_ARRAY_TASK_COUNT` (`--array=1-8` numbers from 1, `--array=0-6:2` steps
//!   by 2; the step is 1 when unset). The ID, the MIN and the COUNT must all be set;
//!   a missing one is an error naming it.
//! * Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, with the count given as
//!   `--shard auto/N` (Kubernetes does not tell a pod how many completions there are).
//!
//! Slurm wins when both are set. Under Slurm, `auto/N` names the count itself: when
//! Slurm's COUNT is N (the whole array) the index is read as above; otherwise the job
//! is a resubmission of some elements (`sbatch --array=2` gives ID=2, MIN=2, MAX=2,
//! COUNT=1), and the array ID *is* the shard index, so an array numbered `0-(N-1)`
//! can rerun any one element and get its own shard back (docs/cluster.md).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Most shards a run may be split into.
pub const MAX_SHARDS: u32 = 1_000_000;

/// Shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// A shard that cannot be used; the message names the argument or variable and its value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not `I/N`, `auto` or `auto/N`.
    #[error("--shard {0:?}: expected I/N (e.g. 0/4), auto, or auto/N")]
    Syntax(String),
    /// `N` out of range.
    #[error("{source_name} {value:?}: the shard count must be 1 to {MAX_SHARDS}")]
    Count {
        /// Where it came from (`--shard`, `SLURM_ARRAY_TASK_COUNT`).
        source_name: String,
        /// The text.
        value: String,
    },
    /// `I` not below `N`.
    #[error(
        "{source_name}: shard index {index} is not below the shard count {count} (shards are numbered from 0)"
    )]
    Index {
        /// Where it came from.
        source_name: String,
        /// The index.
        index: u64,
        /// The count.
        count: u32,
    },
    /// An environment variable that is not a whole number.
    #[error("{name}={value:?}: not a whole number")]
    NotANumber {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// `auto` with neither Slurm's nor Kubernetes' variables set.
    #[error(
        "--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX \
         (a Kubernetes Indexed Job) is set; give the shard as I/N"
    )]
    NoScheduler,
    /// Kubernetes' index without a count.
    #[error(
        "--shard auto: JOB_COMPLETION_INDEX={0} is set but the shard count is not; use --shard auto/N with N = the Job's completions"
    )]
    NoCount(String),
    /// A Slurm array index below the array's first index.
    #[error("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}")]
    BelowMin {
        /// The array index.
        id: u64,
        /// The first index.
        min: u64,
    },
    /// A variable the index needs is missing.
    #[error("--shard auto: {0} is set but {1} is not")]
    Missing(&'static str, &'static str),
    /// A Slurm array index off the array's step.
    #[error(
        "SLURM_ARRAY_TASK_ID={id} is not SLURM_ARRAY_TASK_MIN={min} plus a multiple of SLURM_ARRAY_TASK_STEP={step}"
    )]
    OffStep {
        /// The array index.
        id: u64,
        /// The first index.
        min: u64,
        /// The step.
        step: u64,
    },
    /// `auto/N` in a partial array whose ID is not a shard index.
    #[error(
        "--shard auto/{given}: SLURM_ARRAY_TASK_COUNT={slurm} is not {given}, so this is a resubmission of some \
         elements and SLURM_ARRAY_TASK_ID={id} must be the shard index, 0 to {}; number the array 0-{} \
         (or give --shard I/{given})",
        given - 1, given - 1
    )]
    Resubmitted {
        /// The array index.
        id: u64,
        /// N in `auto/N`.
        given: u32,
        /// Slurm's count.
        slurm: u64,
    },
}

impl Shard {
    /// The whole experiment (shard 0 of 1).
    pub fn whole() -> Self {
        Self { index: 0, count: 1 }
    }

    /// Shard `index` of `count`.
    pub fn new(index: u64, count: u64) -> Result<Self, ShardError> {
        Self::checked(index, count, "--shard")
    }

    fn checked(index: u64, count: u64, source_name: &str) -> Result<Self, ShardError> {
        let count = u32::try_from(count)
            .ok()
            .filter(|c| (1..=MAX_SHARDS).contains(c))
            .ok_or_else(|| ShardError::Count { source_name: source_name.into(), value: count.to_string() })?;
        if index >= u64::from(count) {
            return Err(ShardError::Index { source_name: source_name.into(), index, count });
        }
        Ok(Self { index: index as u32, count })
    }

    /// The shard an argument names: `I/N`, or `auto` / `auto/N` read through `env`
    /// (pass `|name| std::env::var(name).ok()`; tests pass a map).
    pub fn from_arg(arg: &str, env: impl Fn(&str) -> Option<String>) -> Result<Self, ShardError> {
        let arg = arg.trim();
        if arg == "auto" {
            return Self::from_env(None, env);
        }
        if let Some(count) = arg.strip_prefix("auto/") {
            let count = count.parse::<u64>().map_err(|_| ShardError::Syntax(arg.into()))?;
            let count = Self::checked(0, count, "--shard").map(|s| s.count)?;
            return Self::from_env(Some(count), env);
        }
        arg.parse()
    }

    fn from_env(count: Option<u32>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ShardError> {
        let number = |name: &'static str| -> Result<Option<u64>, ShardError> {
            match env(name) {
                None => Ok(None),
                Some(v) => {
                    v.trim().parse::<u64>().map(Some).map_err(|_| ShardError::NotANumber { name, value: v })
                }
            }
        };
        if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let slurm = number("SLURM_ARRAY_TASK_COUNT")?
                .ok_or(ShardError::Missing("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"))?;
            if let Some(given) = count.filter(|&c| u64::from(c) != slurm) {
                // A resubmission of some elements of an array numbered from 0.
                return Self::checked(id, u64::from(given), "SLURM_ARRAY_TASK_ID").map_err(|e| match e {
                    ShardError::Index { index, count, .. } => {
                        ShardError::Resubmitted { id: index, given: count, slurm }
                    }
                    other => other,
                });
            }
            let min = number("SLURM_ARRAY_TASK_MIN")?
                .ok_or(ShardError::Missing("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN"))?;
            let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
            let offset = id.checked_sub(min).ok_or(ShardError::BelowMin { id, min })?;
            if offset % step != 0 {
                return Err(ShardError::OffStep { id, min, step });
            }
            let source = "(SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP";
            return Self::checked(offset / step, slurm, source).map_err(|e| match e {
                ShardError::Count { value, .. } => {
                    ShardError::Count { source_name: "SLURM_ARRAY_TASK_COUNT".into(), value }
                }
                other => other,
            });
        }
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count = count.ok_or_else(|| ShardError::NoCount(index.to_string()))?;
            return Self::checked(index, u64::from(count), "JOB_COMPLETION_INDEX");
        }
        Err(ShardError::NoScheduler)
    }

    /// 0-based index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Number of shards.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Whether task `id` belongs to this shard.
    pub fn contains(&self, id: u64) -> bool {
        id % u64::from(self.count) == u64::from(self.index)
    }

    /// This shard's task ids among `0..total`.
    pub fn task_ids(&self, total: u64) -> impl Iterator<Item = u64> {
        (u64::from(self.index)..total).step_by(self.count as usize)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;
    /// `I/N`.
    fn from_str(s: &str) -> Result<Self, ShardError> {
        let (index, count) = s.trim().split_once('/').ok_or_else(|| ShardError::Syntax(s.into()))?;
        let index = index.trim().parse::<u64>().map_err(|_| ShardError::Syntax(s.into()))?;
        let count = count.trim().parse::<u64>().map_err(|_| ShardError::Syntax(s.into()))?;
        Self::new(index, count)
    }
}

impl Serialize for Shard {
    /// As `"I/N"`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Shard {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn a_shard_takes_every_nth_task() {
        let shard: Shard = "1/3".parse().unwrap();
        assert_eq!(shard.task_ids(10).collect::<Vec<_>>(), [1, 4, 7]);
        assert!(shard.contains(7) && !shard.contains(8));
        assert_eq!(shard.to_string(), "1/3");
    }

    #[test]
    fn bad_shards_are_refused_with_the_value() {
        for arg in ["x", "1/", "/2", "-1/3", "1/3/4", "auto/x", "auto7"] {
            let err = Shard::from_arg(arg, env(&[])).expect_err(arg);
            assert_eq!(err, ShardError::Syntax(arg.into()), "{arg}");
            assert!(err.to_string().contains(&format!("{arg:?}")), "{err}");
        }
        let err = Shard::from_arg("3/3", env(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--shard: shard index 3 is not below the shard count 3 (shards are numbered from 0)"
        );
        for arg in ["0/0", "auto/0"] {
            let err = Shard::from_arg(arg, env(&[])).unwrap_err();
            assert!(matches!(&err, ShardError::Count { value, .. } if value == "0"), "{arg}: {err}");
        }
    }

    #[test]
    fn auto_reads_slurm_from_its_minimum() {
        let vars =
            [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1")];
        assert_eq!(Shard::from_arg("auto", env(&vars)).unwrap(), Shard::new(2, 4).unwrap());
        assert_eq!(Shard::from_arg("auto/4", env(&vars)).unwrap(), Shard::new(2, 4).unwrap());
        let past =
            [("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0")];
        assert!(matches!(Shard::from_arg("auto", env(&past)), Err(ShardError::Index { .. })));
        let bad = [("SLURM_ARRAY_TASK_ID", "two"), ("SLURM_ARRAY_TASK_COUNT", "4")];
        assert!(Shard::from_arg("auto", env(&bad)).unwrap_err().to_string().contains("\"two\""));
        let alone = [("SLURM_ARRAY_TASK_ID", "1")];
        assert!(matches!(Shard::from_arg("auto", env(&alone)), Err(ShardError::Missing(..))));
    }

    #[test]
    fn a_missing_slurm_minimum_is_an_error_naming_it() {
        let vars = [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4")];
        let err = Shard::from_arg("auto", env(&vars)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not"
        );
    }

    #[test]
    fn a_stepped_slurm_array_numbers_its_shards_by_the_step() {
        // --array=0-6:2 is the four elements 0, 2, 4, 6.
        let at = |id: &'static str| {
            [
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]
        };
        for (id, index) in [("0", 0), ("2", 1), ("4", 2), ("6", 3)] {
            assert_eq!(Shard::from_arg("auto", env(&at(id))).unwrap(), Shard::new(index, 4).unwrap(), "{id}");
        }
        assert!(matches!(Shard::from_arg("auto", env(&at("3"))), Err(ShardError::OffStep { .. })));
    }

    #[test]
    fn a_resubmitted_element_with_the_count_given_is_its_own_shard() {
        // `sbatch --array=2 sweep.sbatch` of an array numbered 0-3.
        let rerun = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "2"),
            ("SLURM_ARRAY_TASK_MAX", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
        ];
        assert_eq!(Shard::from_arg("auto/4", env(&rerun)).unwrap(), Shard::new(2, 4).unwrap());
        let beyond =
            [("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "5"), ("SLURM_ARRAY_TASK_COUNT", "1")];
        let err = Shard::from_arg("auto/4", env(&beyond)).unwrap_err();
        assert!(matches!(err, ShardError::Resubmitted { id: 5, given: 4, slurm: 1 }), "{err}");
    }

    #[test]
    fn auto_reads_kubernetes_with_the_count_given() {
        let vars = [("JOB_COMPLETION_INDEX", "5")];
        assert_eq!(Shard::from_arg("auto/8", env(&vars)).unwrap(), Shard::new(5, 8).unwrap());
        assert!(matches!(Shard::from_arg("auto", env(&vars)), Err(ShardError::NoCount(_))));
        assert!(matches!(Shard::from_arg("auto/5", env(&vars)), Err(ShardError::Index { .. })));
        assert_eq!(Shard::from_arg("auto", env(&[])), Err(ShardError::NoScheduler));
    }
}
