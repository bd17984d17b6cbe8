//! TSPLIB input: the bundled instances and tours read back to their published
//! numbers, real-world file quirks are accepted, and every malformed file gets an
//! error naming its line (never a panic).

use kiln_engine::problems::tsp::{MAX_CITIES, Tsp, TspError, bundled_instances};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BERLIN52: &str = include_str!("../data/tsplib/berlin52.tsp");

#[test]
fn every_bundled_instance_parses_to_its_dimension_with_its_optimum() {
    assert_eq!(bundled_instances().len(), 23);
    for b in bundled_instances() {
        let tsp = Tsp::bundled(b.name).unwrap();
        assert_eq!(tsp.name(), b.name);
        assert_eq!(tsp.len(), b.dimension, "{}", b.name);
        assert!(b.optimal_length.is_some(), "{}", b.name);
        assert_eq!(tsp.optimal_length(), b.optimal_length);
        let declared = format!("DIMENSION : {}", b.dimension).replace(' ', "");
        assert!(b.tsplib_text().replace(' ', "").contains(&declared), "{}", b.name);
    }
    assert_eq!(Tsp::bundled("pr1002").unwrap().len(), 1002, "pr1002.tsp has no EOF line");
}

#[test]
fn every_bundled_optimal_tour_has_the_published_length() {
    let mut tours = 0;
    for b in bundled_instances() {
        let Some(text) = b.optimal_tour_text() else { continue };
        let tsp = Tsp::bundled(b.name).unwrap();
        let tour = tsp.parse_tour(text).unwrap_or_else(|e| panic!("{}: {e}", b.name));
        assert_eq!(tour.len(), b.dimension);
        assert_eq!(Some(tsp.tour_length(&tour)), b.optimal_length, "{}", b.name);
        tours += 1;
    }
    assert_eq!(tours, 14);
}

#[test]
fn berlin52_has_the_optimum_of_the_tsplib_table() {
    let tsp = Tsp::bundled("berlin52").unwrap();
    assert_eq!(tsp.optimal_length(), Some(7542));
    assert_eq!(tsp.coords()[0], (565.0, 575.0));
    assert_eq!(Tsp::bundled("kroA100").unwrap().optimal_length(), Some(21282));
}

#[test]
fn an_unknown_bundled_name_lists_the_bundled_names() {
    let err = Tsp::bundled("berlin53").unwrap_err().to_string();
    assert!(err.contains("'berlin53'") && err.contains("berlin52") && err.contains("pr1002"), "{err}");
}

#[test]
fn a_parsed_copy_of_a_bundled_file_knows_its_optimum_and_an_edited_one_does_not() {
    assert_eq!(Tsp::parse_tsplib(BERLIN52).unwrap().optimal_length(), Some(7542));
    let edited = BERLIN52.replace("\n2 25.0 185.0\n", "\n2 26.0 185.0\n");
    assert_ne!(edited, BERLIN52);
    assert_eq!(Tsp::parse_tsplib(&edited).unwrap().optimal_length(), None);
}

#[test]
fn crlf_line_ends_spaced_keywords_and_a_missing_eof_are_accepted() {
    let text = "NAME : tiny\r\nTYPE: TSP\r\nCOMMENT : four corners\r\nDIMENSION :4\r\n\
                EDGE_WEIGHT_TYPE : EUC_2D\r\nNODE_COORD_SECTION\r\n1 0 0\r\n2 0 3.0e0\r\n\r\n 3   4 3 \r\n4 4 0\r\n";
    let tsp = Tsp::parse_tsplib(text).unwrap();
    assert_eq!(tsp.name(), "tiny");
    assert_eq!(tsp.coords(), &[(0.0, 0.0), (0.0, 3.0), (4.0, 3.0), (4.0, 0.0)]);
    assert_eq!(tsp.tour_length(&[0, 1, 2, 3]), 14);
    assert_eq!(tsp.tour_length(&[0, 2, 1, 3]), 5 + 4 + 5 + 4);
    assert_eq!(tsp.optimal_length(), None);
}

#[test]
fn distances_round_to_the_nearest_integer_as_tsplib_does() {
    let text = "NAME: r\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n\
                1 0 0\n2 1 1\n3 0 2.5\nEOF\n";
    let tsp = Tsp::parse_tsplib(text).unwrap();
    // sqrt(2) = 1.41 -> 1; 2.5 -> 3 (halves round up); sqrt(1 + 2.25) = 1.80 -> 2.
    assert_eq!(tsp.tour_length(&[0, 1, 2]), 1 + 2 + 3);
}

/// Lines joined into a file.
fn header(lines: &[&str]) -> String {
    lines.join("\n")
}

const GOOD: [&str; 10] = [
    "NAME: five",
    "TYPE: TSP",
    "DIMENSION: 5",
    "EDGE_WEIGHT_TYPE: EUC_2D",
    "NODE_COORD_SECTION",
    "1 0 0",
    "2 10 0",
    "3 10 10",
    "4 0 10",
    "5 5 5",
];

/// `GOOD` with its line `line` (1-based) replaced by `text`.
fn with_line(line: usize, text: &str) -> String {
    let mut lines = GOOD.to_vec();
    lines[line - 1] = text;
    header(&lines)
}

#[test]
fn each_malformed_input_gets_an_error_naming_its_line() {
    let cases: Vec<(String, usize, &str)> = vec![
        (with_line(4, "EDGE_WEIGHT_TYPE: GEO"), 4, "EDGE_WEIGHT_TYPE 'GEO' is not supported"),
        (with_line(2, "TYPE: ATSP"), 2, "TYPE 'ATSP'"),
        (
            with_line(2, "NODE_COORD_TYPE: THREED_COORDS"),
            2,
            "NODE_COORD_TYPE 'THREED_COORDS' is not supported",
        ),
        (with_line(3, "DIMENSION: five"), 3, "DIMENSION 'five' is not a whole number"),
        (with_line(3, "DIMENSION: 100001"), 3, "DIMENSION 100001 is out of range"),
        (with_line(3, "DIMENSION: 99999999999999999999999"), 3, "not a whole number"),
        (with_line(3, "DIMENSION: 2"), 3, "out of range"),
        (with_line(1, "NAME five"), 1, "expected 'KEYWORD : value'"),
        (with_line(1, "CAPACITY: 5"), 1, "unknown keyword 'CAPACITY'"),
        (with_line(2, "DIMENSION: 5"), 3, "DIMENSION is given a second time (first on line 2)"),
        (with_line(5, "EDGE_WEIGHT_SECTION"), 5, "section 'EDGE_WEIGHT_SECTION' is not supported"),
        (with_line(7, "1 10 0"), 7, "node 1 is listed a second time (first on line 6)"),
        (with_line(7, "6 10 0"), 7, "node 6 is outside 1..=5"),
        (with_line(7, "0 10 0"), 7, "node 0 is outside"),
        (with_line(7, "2.5 10 0"), 7, "node number '2.5' is not a whole number"),
        (with_line(8, "3 x1 10"), 8, "coordinate 'x1' of node 3 is not a number"),
        (with_line(8, "3 10 NaN"), 8, "coordinate 'NaN' of node 3 is not a number"),
        (with_line(8, "3 10 inf"), 8, "coordinate 'inf' of node 3 is out of range"),
        (with_line(8, "3 1e10 10"), 8, "coordinate '1e10' of node 3 is out of range"),
        (with_line(8, "3 10"), 8, "expected a node line 'number x y', found '3 10'"),
        (with_line(8, "3 10 10 10"), 8, "expected a node line"),
        (with_line(8, "DISPLAY_DATA_SECTION"), 8, "expected a node line or EOF"),
        (with_line(10, "EOF"), 10, "found 4 of the 5 nodes DIMENSION declares; node 5 is missing"),
        (header(&GOOD[..8]), 8, "found 3 of the 5 nodes"),
        (header(&GOOD[..4]), 4, "the file ends without a NODE_COORD_SECTION"),
        (with_line(3, "COMMENT: no dimension"), 5, "DIMENSION must be given before NODE_COORD_SECTION"),
        (with_line(4, "COMMENT: no type"), 5, "EDGE_WEIGHT_TYPE must be given before NODE_COORD_SECTION"),
        (with_line(4, "EOF"), 4, "the file ends without a NODE_COORD_SECTION"),
    ];
    for (text, line, message) in cases {
        let err = Tsp::parse_tsplib(&text).expect_err(message);
        assert_eq!(err.line(), Some(line), "{err}");
        let shown = err.to_string();
        assert!(shown.starts_with(&format!("line {line}: ")), "{shown}");
        assert!(shown.contains(message), "expected '{message}' in: {shown}");
    }
    assert_eq!(Tsp::parse_tsplib("").unwrap_err(), TspError::Empty);
    assert!(Tsp::parse_tsplib("\n\n").unwrap_err().to_string().contains("line 2"));
}

#[test]
fn a_dimension_above_the_limit_is_refused_before_reading_nodes() {
    let text = with_line(3, &format!("DIMENSION: {}", MAX_CITIES + 1));
    let err = Tsp::parse_tsplib(&text).unwrap_err();
    assert!(
        matches!(err, TspError::DimensionOutOfRange { line: 3, dimension } if dimension == MAX_CITIES + 1)
    );
}

#[test]
fn long_garbage_is_quoted_shortened() {
    let long = format!("3 {} 10", "9".repeat(10_000));
    let err = Tsp::parse_tsplib(&with_line(8, &long)).unwrap_err().to_string();
    assert!(err.len() < 200, "{err}");
}

#[test]
fn truncated_and_garbled_files_give_errors_never_panics() {
    // Every prefix of a real file: valid, or an error with a line.
    let mut cut = 0;
    while cut < BERLIN52.len() {
        if let Err(e) = Tsp::parse_tsplib(&BERLIN52[..cut]) {
            assert!(e.line().is_some() || e == TspError::Empty, "{e}");
        }
        cut += 1;
    }
    // Random edits: bytes replaced by characters a file might contain.
    let alphabet = b" \t\r\n:-+.eE0123456789NAMEDIMENSIONxyz_\xC3\xA9";
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    for _ in 0..3_000 {
        let mut bytes = BERLIN52.as_bytes().to_vec();
        for _ in 0..1 + rng.next_u32() % 8 {
            let at = rng.next_u32() as usize % bytes.len();
            bytes[at] = alphabet[rng.next_u32() as usize % alphabet.len()];
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Tsp::parse_tsplib(&text) {
            assert!(e.line().is_some(), "{e}");
        }
    }
    // Pure noise.
    for len in [1usize, 10, 100, 1_000] {
        let noise: Vec<u8> = (0..len).map(|_| alphabet[rng.next_u32() as usize % alphabet.len()]).collect();
        assert!(Tsp::parse_tsplib(&String::from_utf8_lossy(&noise)).is_err());
    }
}

#[test]
fn malformed_tours_get_errors_naming_their_line() {
    let tsp = Tsp::parse_tsplib(&header(&GOOD)).unwrap();
    let good = "NAME : t\nTYPE : TOUR\nDIMENSION : 5\nTOUR_SECTION\n1\n3 2\n4\n5\n-1\nEOF\n";
    assert_eq!(tsp.parse_tour(good).unwrap(), vec![0, 2, 1, 3, 4]);
    let cases = [
        (
            good.replace("DIMENSION : 5", "DIMENSION : 6"),
            3,
            "the tour has DIMENSION 6 but the instance has 5",
        ),
        (good.replace("TYPE : TOUR", "TYPE : TSP"), 2, "TYPE 'TSP' is not supported; Kiln reads TYPE : TOUR"),
        (good.replace("3 2", "3 3"), 6, "node 3 is listed a second time (first on line 6)"),
        (good.replace("3 2", "3 x"), 6, "tour entry 'x' is not a node number"),
        (good.replace("4\n", "9\n"), 7, "node 9 is outside 1..=5"),
        (good.replace("5\n-1", "-1"), 8, "found 4 of the 5 nodes DIMENSION declares; node 5 is missing"),
        (good.replace("TOUR_SECTION\n", ""), 4, "expected 'KEYWORD : value'"),
    ];
    for (text, line, message) in cases {
        let err = tsp.parse_tour(&text).expect_err(message);
        assert_eq!(err.line(), Some(line), "{err}");
        assert!(err.to_string().contains(message), "expected '{message}' in: {err}");
    }
}
