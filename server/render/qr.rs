//! The QR code of a watch link, so a class can open a run on their phones.
//!
//! The `qrcode` crate computes the module matrix (Reed-Solomon coding, masks,
//! version choice: far more than is worth writing by hand); this file draws
//! the dark modules as one path of horizontal runs, on a white square with the
//! four-module quiet zone scanners need. The colours are fixed dark-on-light
//! whatever the page's theme, because many scanners cannot read inverted codes.

use qrcode::{Color, QrCode};
use svg::Document;
use svg::node::element::{Element, Path, Rectangle, Text};

/// Light modules around the code, as the QR specification requires.
const QUIET_ZONE: usize = 4;

/// The SVG of a QR code encoding `text` (byte mode, error correction level M).
///
/// Text too long for any QR version gives a small document saying so instead
/// of a code.
pub fn qr_svg(text: &str) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        return Document::new()
            .set("viewBox", "0 0 200 40")
            .add(Element::from(
                Text::new("link too long for a QR code").set("x", 4).set("y", 24).set("font-size", 14),
            ))
            .to_string();
    };
    let width = code.width();
    let colours = code.to_colors();
    let mut dark = String::new();
    for (y, row) in colours.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Light {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            dark.push_str(&format!(
                "M{},{}h{}v1h-{}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE,
                x - start,
                x - start
            ));
        }
    }
    let side = width + 2 * QUIET_ZONE;
    Document::new()
        .set("viewBox", format!("0 0 {side} {side}"))
        .set("shape-rendering", "crispEdges")
        .add(Rectangle::new().set("width", side).set("height", side).set("fill", "#fff"))
        .add(Path::new().set("d", dark).set("fill", "#000"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_has_a_quiet_zone_and_no_pixel_size() {
        let svg = qr_svg("http://127.0.0.1:8080/watch/67e55044-10b1-426f-9247-bb680e5fe0c8");
        let code = QrCode::new("http://127.0.0.1:8080/watch/67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap();
        let side = code.width() + 2 * QUIET_ZONE;
        assert!(svg.contains(&format!(r#"viewBox="0 0 {side} {side}""#)), "{svg}");
        let root = &svg[..svg.find('>').unwrap()];
        assert!(!root.contains(" width=") && !root.contains(" height="), "{root}");
        // The finder pattern's top edge: a run of 7 dark modules at the quiet zone's corner.
        assert!(svg.contains("M4,4h7v1h-7z"), "{svg}");
    }

    #[test]
    fn drawn_modules_are_exactly_the_dark_modules_of_the_code() {
        let link = "http://192.168.1.20:8080/watch/67e55044-10b1-426f-9247-bb680e5fe0c8";
        let code = QrCode::new(link).unwrap();
        let width = code.width();
        let svg = qr_svg(link);
        let path = svg.split(r#"d=""#).nth(1).unwrap().split('"').next().unwrap();
        let mut drawn = vec![Color::Light; width * width];
        // Each run is "M{x},{y}h{length}v1h-{length}z", in module units offset by the quiet zone.
        for run in path.split('M').filter(|run| !run.is_empty()) {
            let (corner, rest) = run.split_once('h').unwrap();
            let (x, y) = corner.split_once(',').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let length: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            for column in x..x + length {
                drawn[(y - QUIET_ZONE) * width + column - QUIET_ZONE] = Color::Dark;
            }
        }
        assert!(drawn == code.to_colors());
    }

    #[test]
    fn same_link_gives_same_bytes_and_different_links_differ() {
        assert_eq!(qr_svg("http://a/watch/1"), qr_svg("http://a/watch/1"));
        assert_ne!(qr_svg("http://a/watch/1"), qr_svg("http://a/watch/2"));
    }

    #[test]
    fn text_too_long_for_a_code_gives_a_readable_document() {
        let svg = qr_svg(&"x".repeat(5000));
        assert!(svg.contains("too long"), "{svg}");
    }
}
