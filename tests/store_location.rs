//! `--data-dir`: `none`, a path, an empty value (an error that says what to
//! type instead), and the per-user default, which on Linux follows the XDG base
//! directory rules (https://specifications.freedesktop.org/basedir-spec/):
//! `$XDG_DATA_HOME/kiln`, or `$HOME/.local/share/kiln` when XDG_DATA_HOME is unset
//! or relative. The default is read in a child process (this test binary run
//! again, selecting the same test with [`CHILD_VAR`] set, which switches it to
//! printing the default) so the test can set the environment without touching
//! its own.

use std::path::PathBuf;
use std::process::Command;

use kiln::store::{DataDir, StoreError};

#[test]
fn none_in_any_case_is_memory_only() {
    for text in ["none", "NONE", "None"] {
        assert_eq!(text.parse::<DataDir>().unwrap(), DataDir::None);
    }
}

#[test]
fn anything_else_is_a_path() {
    assert_eq!("/srv/kiln".parse::<DataDir>().unwrap(), DataDir::Path(PathBuf::from("/srv/kiln")));
    assert_eq!("./none".parse::<DataDir>().unwrap(), DataDir::Path(PathBuf::from("./none")));
    assert_eq!(DataDir::Path(PathBuf::from("/srv/kiln")).to_string(), "/srv/kiln");
    assert_eq!(DataDir::None.to_string(), "none");
}

#[test]
fn an_empty_data_dir_is_an_error_naming_the_option_and_the_alternative() {
    let err = "".parse::<DataDir>().unwrap_err();
    assert_eq!(err, StoreError::EmptyDataDir);
    let message = err.to_string();
    assert!(message.contains("--data-dir") && message.contains("none"), "{message}");
}

/// Set in the child: the test prints the default data directory instead.
#[cfg(target_os = "linux")]
const CHILD_VAR: &str = "KILN_STORE_LOCATION_CHILD";

/// The default data directory the child computes under `env` (None removes a variable).
#[cfg(target_os = "linux")]
fn default_under(env: &[(&str, Option<&str>)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["the_default_follows_xdg_data_home_then_home", "--exact", "--nocapture", "--test-threads=1"]);
    cmd.env(CHILD_VAR, "1");
    for (name, value) in env {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    let out = cmd.output().expect("the test binary runs itself");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout
        .lines()
        .find_map(|l| l.split_once("DATA_DIR=").map(|(_, dir)| dir))
        .unwrap_or_else(|| panic!("no DATA_DIR line in {stdout}"))
        .to_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn the_default_follows_xdg_data_home_then_home() {
    if std::env::var_os(CHILD_VAR).is_some() {
        println!("DATA_DIR={}", DataDir::user_default().unwrap());
        return;
    }
    let home = Some("/home/teacher");
    assert_eq!(default_under(&[("HOME", home), ("XDG_DATA_HOME", Some("/data/xdg"))]), "/data/xdg/kiln");
    assert_eq!(default_under(&[("HOME", home), ("XDG_DATA_HOME", None)]), "/home/teacher/.local/share/kiln");
    assert_eq!(
        default_under(&[("HOME", home), ("XDG_DATA_HOME", Some("relative/dir"))]),
        "/home/teacher/.local/share/kiln",
        "a relative XDG_DATA_HOME is ignored"
    );
}
