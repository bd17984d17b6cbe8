//! The store quota's size, as `kiln serve --store-quota` reads it: a number of
//! bytes with an optional binary unit (`K`, `M`, `G`, `T`: powers of 1,024, with or
//! without a trailing `B` or `iB`), e.g. `1G`, `500MiB`, `65536`.

/// `text` as a count of bytes; the error says what is wrong with it.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("'{text}': not a size; give bytes, or a number with K, M, G or T, e.g. 1G"))?;
    let shift = match unit.trim().to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("'{text}': unknown unit '{unit}'; use K, M, G or T (powers of 1,024)")),
    };
    number.checked_mul(1 << shift).ok_or_else(|| format!("'{text}': larger than this kiln can count"))
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn sizes_read_as_powers_of_1024() {
        assert_eq!(parse_bytes("65536"), Ok(65_536));
        assert_eq!(parse_bytes("1G"), Ok(1_073_741_824));
        assert_eq!(parse_bytes("500MiB"), Ok(524_288_000));
        assert_eq!(parse_bytes("2kb"), Ok(2_048));
        assert!(parse_bytes("1X").unwrap_err().contains("unknown unit 'X'"));
        assert!(parse_bytes("lots").unwrap_err().contains("not a size"));
        assert!(parse_bytes("99999999999T").unwrap_err().contains("larger"));
    }
}
