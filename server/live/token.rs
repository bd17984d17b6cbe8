//! The one token compare: whether a presented token (a session's or a room's control
//! token, an experiment's, the classroom key) is the expected one, in time that
//! does not depend on where they differ.

/// Whether `presented` equals `expected`, comparing every byte whatever the first
/// difference (the length is not secret: tokens have a fixed length).
pub fn same_token(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::same_token;

    #[test]
    fn equal_tokens_match_and_any_difference_does_not() {
        assert!(same_token("abc123", "abc123"));
        assert!(!same_token("abc123", "abc124"));
        assert!(!same_token("abc123", "abc12"));
        assert!(!same_token("abc123", ""));
    }
}
