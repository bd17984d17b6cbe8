//! Fixed-precision number formatting for SVG coordinates.
//!
//! Coordinates are written with at most one decimal and without trailing zeros
//! ("12", "12.5", "-3.1"): short documents, identical bytes for identical input,
//! and never "NaN" or "inf" (non-finite values are written as 0).

use std::fmt::Write;

/// Appends `value` rounded to one decimal to `out`.
pub(crate) fn push_number(out: &mut String, value: f64) {
    let tenths = if value.is_finite() { (value * 10.0).round() } else { 0.0 };
    // Rounding can produce -0; write it as 0.
    let tenths = if tenths == 0.0 { 0 } else { tenths as i64 };
    let sign = if tenths < 0 { "-" } else { "" };
    let magnitude = tenths.unsigned_abs();
    let (whole, fraction) = (magnitude / 10, magnitude % 10);
    if fraction == 0 {
        let _ = write!(out, "{sign}{whole}");
    } else {
        let _ = write!(out, "{sign}{whole}.{fraction}");
    }
}

/// `value` rounded to one decimal, as a string (see [`push_number`]).
pub(crate) fn number(value: f64) -> String {
    let mut out = String::new();
    push_number(&mut out, value);
    out
}

/// A `viewBox` attribute value for the rectangle at (`x`, `y`) of the given size.
pub(crate) fn view_box(x: f64, y: f64, width: f64, height: f64) -> String {
    [x, y, width, height].map(number).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_to_one_decimal_without_trailing_zeros() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.04), "12");
        assert_eq!(number(12.06), "12.1");
        assert_eq!(number(-3.12), "-3.1");
        assert_eq!(number(-0.01), "0");
        assert_eq!(number(0.5), "0.5");
    }

    #[test]
    fn non_finite_numbers_are_written_as_zero() {
        assert_eq!(number(f64::NAN), "0");
        assert_eq!(number(f64::INFINITY), "0");
    }
}
