//! The classroom page's static files (`web/`), compiled into the binary so `kiln serve`
//! needs nothing on disk.
//!
//! Every file is listed once in [`FILES`] with `include_bytes!`; a unit test walks `web/`
//! and fails if a file there is missing from the list, so adding a module to the page
//! without embedding it cannot go unnoticed. Lookups are exact matches on the path
//! relative to `web/`, so a request path can never reach outside the embedded set.

/// One embedded file: its bytes and the `Content-Type` to serve them with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// The file's contents, exactly as in `web/`.
    pub bytes: &'static [u8],
    /// The media type, with `charset=utf-8` for text.
    pub content_type: &'static str,
}

/// Embeds `web/<path>` as a `(path, bytes)` pair.
macro_rules! web_file {
    ($path:literal) => {
        ($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $path)) as &[u8])
    };
}

/// Every file of the page, by its path relative to `web/`.
const FILES: &[(&str, &[u8])] = &[
    web_file!("index.html"),
    web_file!("app.css"),
    web_file!("class.css"),
    web_file!("experiment.css"),
    web_file!("projector.css"),
    web_file!("room.css"),
    web_file!("js/api.js"),
    web_file!("js/chart.js"),
    web_file!("js/class.js"),
    web_file!("js/controls.js"),
    web_file!("js/downloads.js"),
    web_file!("js/experiment.js"),
    web_file!("js/experiment_tts.js"),
    web_file!("js/form.js"),
    web_file!("js/format.js"),
    web_file!("js/gone.js"),
    web_file!("js/indicator.js"),
    web_file!("js/key.js"),
    web_file!("js/ladder.js"),
    web_file!("js/main.js"),
    web_file!("js/room.js"),
    web_file!("js/share.js"),
    web_file!("js/stream.js"),
    web_file!("js/teach.js"),
    web_file!("js/teacher.js"),
    web_file!("js/trace.js"),
    web_file!("js/view.js"),
];

/// The embedded file at `path` (relative to `web/`, e.g. `"js/main.js"`), or `None`.
pub fn asset(path: &str) -> Option<Asset> {
    FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(name, bytes)| Asset { bytes, content_type: content_type(name) })
}

/// The paths of every embedded file, relative to `web/`.
pub fn paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}

/// The media type for a file name, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn files_under(dir: &Path, root: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("web/ is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                files_under(&path, root, found);
            } else {
                let relative = path.strip_prefix(root).expect("under web/");
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_file_under_web_is_embedded_with_its_contents() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut found = Vec::new();
        files_under(&root, &root, &mut found);
        assert!(found.contains(&"index.html".to_string()), "web/index.html exists");
        for path in found {
            let embedded = asset(&path).unwrap_or_else(|| panic!("web/{path} is not embedded in FILES"));
            let on_disk = std::fs::read(root.join(&path)).expect("readable");
            assert_eq!(embedded.bytes, on_disk.as_slice(), "web/{path} embedded bytes differ");
        }
    }

    #[test]
    fn every_embedded_file_exists_once() {
        let mut names: Vec<&str> = paths().collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a path is listed twice in FILES");
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(asset("index.html").map(|a| a.content_type), Some("text/html; charset=utf-8"));
        assert_eq!(asset("app.css").map(|a| a.content_type), Some("text/css; charset=utf-8"));
        assert_eq!(asset("js/main.js").map(|a| a.content_type), Some("text/javascript; charset=utf-8"));
    }

    #[test]
    fn unknown_and_escaping_paths_are_not_found() {
        assert_eq!(asset("missing.js"), None);
        assert_eq!(asset("../Cargo.toml"), None);
        assert_eq!(asset("/index.html"), None);
        assert_eq!(asset(""), None);
    }
}
