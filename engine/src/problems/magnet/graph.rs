//! Reading edge-list text in Gset's format: the first line `n m` (spins, edges), then
//! `m` lines `i j w` with 1-based spin numbers and a whole-number weight.
//!
//! This is the format of the Gset max-cut graphs and of the speed-comparison
//! instances in the shared data, so one reader serves the bundled graphs and any
//! graph a user pastes. Blank lines are skipped, CRLF line ends are accepted, and
//! every error names its 1-based line and quotes it; nothing here panics or does
//! unbounded work on any input (the declared counts are checked against the
//! bounds before anything is allocated for them).

use std::collections::HashMap;

use super::error::MagnetError;
use super::{MAX_EDGES, MAX_SPINS, MAX_WEIGHT};

/// Longest quotation of the input an error repeats.
const QUOTE_CHARS: usize = 60;

/// A graph as read: spin count and edges `(i, j, w)` with 0-based `i < j`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EdgeList {
    pub spins: usize,
    pub edges: Vec<(u32, u32, i32)>,
}

fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

/// Parse edge-list text (see the module doc).
pub(crate) fn parse(text: &str) -> Result<EdgeList, MagnetError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(MagnetError::Empty);
    };
    let bad_header = || MagnetError::BadHeader { line: header_line, text: quote(header) };
    let fields: Vec<&str> = header.split_whitespace().collect();
    let [n_text, m_text] = fields[..] else {
        return Err(bad_header());
    };
    let (Ok(spins), Ok(declared)) = (n_text.parse::<u64>(), m_text.parse::<u64>()) else {
        return Err(bad_header());
    };
    if !(2..=MAX_SPINS as u64).contains(&spins) {
        return Err(MagnetError::SpinCount { line: header_line, spins });
    }
    if declared > MAX_EDGES as u64 {
        return Err(MagnetError::EdgeCount { line: header_line, edges: declared });
    }
    let (spins, declared) = (spins as usize, declared as usize);
    let mut edges = Vec::with_capacity(declared);
    let mut first_seen: HashMap<(u32, u32), usize> = HashMap::with_capacity(declared);
    let mut last_line = header_line;
    for (line, text) in lines {
        last_line = line;
        let bad_line = || MagnetError::BadEdgeLine { line, text: quote(text) };
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [i_text, j_text, w_text] = fields[..] else {
            return Err(bad_line());
        };
        let (Ok(i), Ok(j), Ok(w)) = (i_text.parse::<i64>(), j_text.parse::<i64>(), w_text.parse::<i64>())
        else {
            return Err(bad_line());
        };
        for spin in [i, j] {
            if !(1..=spins as i64).contains(&spin) {
                return Err(MagnetError::SpinOutOfRange { line, spin, spins });
            }
        }
        if i == j {
            return Err(MagnetError::SelfLoop { line, spin: i as usize });
        }
        if !(-i64::from(MAX_WEIGHT)..=i64::from(MAX_WEIGHT)).contains(&w) {
            return Err(MagnetError::WeightOutOfRange { line, weight: w });
        }
        if edges.len() == declared {
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
        edges.push((a, b, w as i32));
    }
    if edges.len() != declared {
        return Err(MagnetError::EdgeCountMismatch { line: last_line, found: edges.len(), declared });
    }
    Ok(EdgeList { spins, edges })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_spins_and_edges_zero_based_with_the_smaller_spin_first() {
        let g = parse("3 2\n1 2 1\r\n\n3 1 -1\n").unwrap();
        assert_eq!(g.spins, 3);
        assert_eq!(g.edges, vec![(0, 1, 1), (0, 2, -1)]);
    }

    #[test]
    fn every_bad_line_is_named() {
        let cases: [(&str, usize); 10] = [
            ("3\n", 1),
            ("3 x\n", 1),
            ("1 0\n", 1),
            ("3 1\n1 2\n", 2),
            ("3 1\n1 2 0.5\n", 2),
            ("3 2\n1 2 1\n1 4 1\n", 3),
            ("3 1\n2 2 1\n", 2),
            ("3 2\n1 2 1\n2 1 1\n", 3),
            ("3 1\n1 2 1\n2 3 1\n", 3),
            ("3 2\n\n1 2 1\n", 3),
        ];
        for (text, line) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.line(), Some(line), "{text:?}: {err}");
            assert!(err.to_string().starts_with(&format!("line {line}:")), "{err}");
        }
        assert_eq!(parse("\n \n"), Err(MagnetError::Empty));
    }

    #[test]
    fn declared_counts_above_the_bounds_are_refused_before_allocating() {
        let err = parse("2 999999999999\n").unwrap_err();
        assert!(matches!(err, MagnetError::EdgeCount { .. }), "{err}");
        let err = parse("99999999999 1\n").unwrap_err();
        assert!(matches!(err, MagnetError::SpinCount { .. }), "{err}");
    }
}
