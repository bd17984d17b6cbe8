//! The teacher's key (docs/protocol.md, "Trust"): whoever holds it is the teacher.
//! It is given (`kiln serve --key`), or kept in the data directory (`teacher-key`,
//! readable by its owner only) so that the Local URL, and a page that stored the
//! key, keep working across restarts; with no data directory it is made anew at
//! each start. A made key is 128 random bits as 32 hex digits (a UUIDv4's bits).

use std::path::Path;

use crate::store::DataDir;

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "teacher-key";

/// The key to use: `given`, else the one kept in `data_dir`, else a new one (kept
/// there when there is a data directory; a failure to keep it is reported and the
/// new key used for this run only).
pub fn teacher_key(given: Option<&str>, data_dir: &DataDir) -> String {
    if let Some(key) = given {
        return key.to_string();
    }
    let DataDir::Path(dir) = data_dir else { return new_key() };
    let path = dir.join(KEY_FILE);
    if let Some(kept) = read_key(&path) {
        return kept;
    }
    let key = new_key();
    if let Err(e) = write_key(dir, &path, &key) {
        eprintln!(
            "kiln: cannot keep the teacher key in {}: {e}; it changes at the next start",
            path.display()
        );
    }
    key
}

/// Whether `key` can be a teacher key: 8 to 128 characters of letters, digits, `-`
/// and `_` (so it fits a URL unescaped).
pub fn is_key(key: &str) -> bool {
    (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn new_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn read_key(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let key = text.trim();
    is_key(key).then(|| key.to_string())
}

fn write_key(dir: &Path, path: &Path, key: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, format!("{key}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_key_is_the_same_at_the_next_start() {
        let dir = std::env::temp_dir().join(format!("kiln-key-{}", uuid::Uuid::new_v4().simple()));
        let data_dir = DataDir::Path(dir.clone());
        let first = teacher_key(None, &data_dir);
        assert!(is_key(&first));
        assert_eq!(teacher_key(None, &data_dir), first);
        assert_eq!(teacher_key(Some("given-key-1"), &data_dir), "given-key-1");
        assert_ne!(teacher_key(None, &DataDir::None), first, "no data directory: a new key");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_key_fits_a_url() {
        assert!(is_key("abcdEF12-_"));
        assert!(!is_key("short"));
        assert!(!is_key("has space in it"));
        assert!(!is_key("a&b=c/def"));
    }
}
