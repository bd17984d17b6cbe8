//! The version Kiln reports: the package version and, when the build saw a git
//! checkout, the commit (`build.rs` sets `KILN_COMMIT`). `kiln --version`, `run --json`,
//! records and sweep task lines all say the same.

/// "0.1.0 (abc1234)", or "0.1.0" when built outside a git checkout.
pub fn version() -> &'static str {
    match env!("KILN_COMMIT") {
        "unknown" => env!("CARGO_PKG_VERSION"),
        _ => concat!(env!("CARGO_PKG_VERSION"), " (", env!("KILN_COMMIT"), ")"),
    }
}
