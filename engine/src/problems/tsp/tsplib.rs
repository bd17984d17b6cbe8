//! Reading TSPLIB95 text: instances (`.tsp`, EUC_2D only) and tours (`.opt.tour`).
//!
//! A TSPLIB file is a header of `KEYWORD : value` lines (also written `KEYWORD: value`)
//! followed by a data section. Kiln reads NAME, TYPE, COMMENT, DIMENSION,
//! EDGE_WEIGHT_TYPE (EUC_2D), NODE_COORD_TYPE and DISPLAY_DATA_TYPE, then the
//! NODE_COORD_SECTION (or, for tours, the TOUR_SECTION). The closing `EOF` line is
//! optional (TSPLIB's own pr1002.tsp has none), CRLF line ends are accepted, blank
//! lines are skipped. Every error names the line; nothing here panics on any input.

use super::MAX_CITIES;
use super::error::TspError;

/// Largest coordinate magnitude accepted (the error message spells it out as 1e9). With it every distance is below 2^32 and
/// every tour of up to [`MAX_CITIES`] cities is below 2^53, so lengths stay exact
/// integers in both `u64` and `f64`.
pub const MAX_COORDINATE: f64 = 1e9;

/// Longest quotation of the input an error repeats.
const QUOTE_CHARS: usize = 60;

/// An instance as read from a `.tsp` file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ParsedInstance {
    pub name: String,
    pub coords: Vec<(f64, f64)>,
}

/// The input, shortened for an error message.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

/// One meaningful line of a header.
enum HeaderLine<'a> {
    Keyword { key: &'a str, value: &'a str },
    Section(&'a str),
    Eof,
}

fn classify(line: &str) -> Option<HeaderLine<'_>> {
    let (key, value) = match line.split_once(':') {
        Some((key, value)) => (key.trim(), value.trim()),
        None => (line, ""),
    };
    let is_name = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !is_name {
        return None;
    }
    if key.eq_ignore_ascii_case("EOF") && value.is_empty() {
        Some(HeaderLine::Eof)
    } else if key.to_ascii_uppercase().ends_with("_SECTION") && value.is_empty() {
        Some(HeaderLine::Section(key))
    } else if line.contains(':') {
        Some(HeaderLine::Keyword { key, value })
    } else {
        None
    }
}

/// The numbered non-blank lines of a text, trimmed (so `\r` of CRLF goes too).
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty())
}

/// Keywords seen so far, each with its line, to refuse repeats.
#[derive(Default)]
struct Seen {
    lines: Vec<(&'static str, usize)>,
}

impl Seen {
    fn first(&mut self, keyword: &'static str, line: usize) -> Result<(), TspError> {
        if let Some(&(_, first_line)) = self.lines.iter().find(|(k, _)| *k == keyword) {
            return Err(TspError::DuplicateKeyword { line, keyword, first_line });
        }
        self.lines.push((keyword, line));
        Ok(())
    }
}

fn parse_dimension(line: usize, value: &str) -> Result<usize, TspError> {
    let dimension: u64 = value.parse().map_err(|_| TspError::BadDimension { line, value: quote(value) })?;
    if !(3..=MAX_CITIES as u64).contains(&dimension) {
        return Err(TspError::DimensionOutOfRange {
            line,
            dimension: dimension.min(usize::MAX as u64) as usize,
        });
    }
    Ok(dimension as usize)
}

/// First whitespace-separated word of a value (`TYPE : TSP (note)` reads as TSP).
fn first_word(value: &str) -> &str {
    value.split_whitespace().next().unwrap_or("")
}

/// Read a `.tsp` instance.
pub(crate) fn parse_instance(text: &str) -> Result<ParsedInstance, TspError> {
    let mut lines = numbered_lines(text);
    let mut seen = Seen::default();
    let mut name = None;
    let mut dimension = None;
    let mut euc_2d = false;
    let section_line = loop {
        let Some((line, content)) = lines.next() else {
            return match text.lines().count() {
                0 => Err(TspError::Empty),
                last => Err(TspError::MissingSection { line: last, section: "NODE_COORD_SECTION" }),
            };
        };
        match classify(content) {
            None => return Err(TspError::MalformedLine { line, text: quote(content) }),
            Some(HeaderLine::Eof) => {
                return Err(TspError::MissingSection { line, section: "NODE_COORD_SECTION" });
            }
            Some(HeaderLine::Section(section)) => {
                if section.eq_ignore_ascii_case("NODE_COORD_SECTION") {
                    break line;
                }
                return Err(TspError::UnsupportedSection { line, section: quote(section) });
            }
            Some(HeaderLine::Keyword { key, value }) => match key.to_ascii_uppercase().as_str() {
                "NAME" => {
                    seen.first("NAME", line)?;
                    name = Some(value.to_string());
                }
                "TYPE" => {
                    seen.first("TYPE", line)?;
                    if first_word(value) != "TSP" {
                        return Err(TspError::UnsupportedType { line, value: quote(value), expected: "TSP" });
                    }
                }
                "COMMENT" | "DISPLAY_DATA_TYPE" => {}
                "DIMENSION" => {
                    seen.first("DIMENSION", line)?;
                    dimension = Some(parse_dimension(line, value)?);
                }
                "EDGE_WEIGHT_TYPE" => {
                    seen.first("EDGE_WEIGHT_TYPE", line)?;
                    if value != "EUC_2D" {
                        return Err(TspError::UnsupportedEdgeWeightType { line, value: quote(value) });
                    }
                    euc_2d = true;
                }
                "NODE_COORD_TYPE" => {
                    if value != "TWOD_COORDS" {
                        return Err(TspError::UnsupportedNodeCoordType { line, value: quote(value) });
                    }
                }
                _ => return Err(TspError::UnknownKeyword { line, keyword: quote(key) }),
            },
        }
    };
    let section = "NODE_COORD_SECTION";
    let Some(dimension) = dimension else {
        return Err(TspError::MissingKeyword { line: section_line, keyword: "DIMENSION", section });
    };
    if !euc_2d {
        return Err(TspError::MissingKeyword { line: section_line, keyword: "EDGE_WEIGHT_TYPE", section });
    }
    let coords = read_nodes(&mut lines, dimension, section_line)?;
    Ok(ParsedInstance { name: name.unwrap_or_else(|| "unnamed".to_string()), coords })
}

/// The node lines of a NODE_COORD_SECTION, up to `EOF` or the end of the text.
fn read_nodes<'a>(
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
    dimension: usize,
    section_line: usize,
) -> Result<Vec<(f64, f64)>, TspError> {
    let mut coords = vec![(0.0, 0.0); dimension];
    let mut first_line = vec![0usize; dimension];
    let mut found = 0;
    let mut last_line = section_line;
    for (line, content) in lines {
        last_line = line;
        if content.eq_ignore_ascii_case("EOF") {
            break;
        }
        let fields: Vec<&str> = content.split_whitespace().collect();
        if !fields[0].starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
            return Err(TspError::UnexpectedLine { line, text: quote(content) });
        }
        let [id, x, y] = fields[..] else {
            return Err(TspError::BadNodeLine { line, text: quote(content) });
        };
        let node = node_number(line, id, dimension)?;
        if first_line[node - 1] != 0 {
            return Err(TspError::DuplicateNode { line, node, first_line: first_line[node - 1] });
        }
        first_line[node - 1] = line;
        coords[node - 1] = (coordinate(line, node, x)?, coordinate(line, node, y)?);
        found += 1;
    }
    if found < dimension {
        let first_missing = first_line.iter().position(|&l| l == 0).map_or(dimension, |i| i + 1);
        return Err(TspError::MissingNodes { line: last_line, found, dimension, first_missing });
    }
    Ok(coords)
}

fn node_number(line: usize, value: &str, dimension: usize) -> Result<usize, TspError> {
    let node: i64 = value.parse().map_err(|_| TspError::BadNodeNumber { line, value: quote(value) })?;
    if node < 1 || node > dimension as i64 {
        return Err(TspError::NodeOutOfRange { line, node, dimension });
    }
    Ok(node as usize)
}

fn coordinate(line: usize, node: usize, value: &str) -> Result<f64, TspError> {
    let x: f64 = value.parse().ok().filter(|x: &f64| !x.is_nan()).ok_or_else(|| TspError::BadCoordinate {
        line,
        node,
        value: quote(value),
    })?;
    if x.abs() > MAX_COORDINATE {
        return Err(TspError::CoordinateOutOfRange { line, node, value: quote(value) });
    }
    Ok(x)
}

/// Read a `.tour` file for an instance of `cities` cities: 0-based city indices.
pub(crate) fn parse_tour(text: &str, cities: usize) -> Result<Vec<u32>, TspError> {
    let mut lines = numbered_lines(text);
    let mut seen = Seen::default();
    let section = "TOUR_SECTION";
    let section_line = loop {
        let Some((line, content)) = lines.next() else {
            return match text.lines().count() {
                0 => Err(TspError::Empty),
                last => Err(TspError::MissingSection { line: last, section }),
            };
        };
        match classify(content) {
            None => return Err(TspError::MalformedLine { line, text: quote(content) }),
            Some(HeaderLine::Eof) => return Err(TspError::MissingSection { line, section }),
            Some(HeaderLine::Section(s)) => {
                if s.eq_ignore_ascii_case(section) {
                    break line;
                }
                return Err(TspError::UnsupportedSection { line, section: quote(s) });
            }
            Some(HeaderLine::Keyword { key, value }) => match key.to_ascii_uppercase().as_str() {
                "NAME" | "COMMENT" => {}
                "TYPE" => {
                    seen.first("TYPE", line)?;
                    if first_word(value) != "TOUR" {
                        return Err(TspError::UnsupportedType {
                            line,
                            value: quote(value),
                            expected: "TOUR",
                        });
                    }
                }
                "DIMENSION" => {
                    seen.first("DIMENSION", line)?;
                    let tour =
                        value.parse().map_err(|_| TspError::BadDimension { line, value: quote(value) })?;
                    if tour != cities {
                        return Err(TspError::TourDimensionMismatch { line, tour, instance: cities });
                    }
                }
                _ => return Err(TspError::UnknownKeyword { line, keyword: quote(key) }),
            },
        }
    };
    let mut order = Vec::with_capacity(cities);
    let mut first_line = vec![0usize; cities];
    let mut last_line = section_line;
    'lines: for (line, content) in lines {
        last_line = line;
        if content.eq_ignore_ascii_case("EOF") {
            break;
        }
        for entry in content.split_whitespace() {
            if entry == "-1" {
                break 'lines;
            }
            let Ok(node) = entry.parse::<i64>() else {
                return Err(TspError::BadTourEntry { line, value: quote(entry) });
            };
            if node < 1 || node > cities as i64 {
                return Err(TspError::NodeOutOfRange { line, node, dimension: cities });
            }
            let node = node as usize;
            if first_line[node - 1] != 0 {
                return Err(TspError::DuplicateNode { line, node, first_line: first_line[node - 1] });
            }
            first_line[node - 1] = line;
            order.push((node - 1) as u32);
        }
    }
    if order.len() < cities {
        let first_missing = first_line.iter().position(|&l| l == 0).map_or(cities, |i| i + 1);
        return Err(TspError::MissingNodes {
            line: last_line,
            found: order.len(),
            dimension: cities,
            first_missing,
        });
    }
    Ok(order)
}
