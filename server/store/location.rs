//! `DataDir`: where the store lives, as `--data-dir` spells it, and the
//! per-user default.
//!
//! The default is the platform's per-user data directory, from the
//! `directories` crate: on Linux `$XDG_DATA_HOME/kiln`, or
//! `~/.local/share/kiln` when XDG_DATA_HOME is unset or not absolute (the XDG
//! base-directory rules); on macOS `~/Library/Application Support/kiln`; on
//! Windows `%LOCALAPPDATA%\kiln\data`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use directories::ProjectDirs;

use super::error::StoreError;

/// The value of `--data-dir`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataDir {
    /// `none`: keep everything in memory only.
    None,
    /// A directory (created if missing).
    Path(PathBuf),
}

impl DataDir {
    /// The per-user default (see the module doc).
    pub fn user_default() -> Result<DataDir, StoreError> {
        ProjectDirs::from("", "", "kiln")
            .map(|dirs| DataDir::Path(dirs.data_local_dir().to_owned()))
            .ok_or(StoreError::NoDefaultDir)
    }
}

impl FromStr for DataDir {
    type Err = StoreError;

    /// `none` (any case) or a path; an empty value is an error rather than the
    /// current directory by accident.
    fn from_str(s: &str) -> Result<DataDir, StoreError> {
        if s.is_empty() {
            Err(StoreError::EmptyDataDir)
        } else if s.eq_ignore_ascii_case("none") {
            Ok(DataDir::None)
        } else {
            Ok(DataDir::Path(PathBuf::from(s)))
        }
    }
}

impl fmt::Display for DataDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataDir::None => f.write_str("none"),
            DataDir::Path(path) => write!(f, "{}", path.display()),
        }
    }
}
