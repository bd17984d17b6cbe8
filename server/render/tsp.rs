//! The drawing of a travelling-salesman tour: cities as dots, the tour as one
//! closed path.
//!
//! The coordinates' bounding box is scaled so its longer side spans
//! [`EXTENT`] user units, with a margin around it, and the y axis is flipped:
//! TSPLIB coordinates grow northwards, SVG's grow downwards, so north is up.
//! Dots are zero-length path segments with round caps, which keeps a
//! 52-city drawing well under 2 KB. A classroom-sized instance (at most
//! [`MAX_LISTED_CITIES`] cities) also lists each city's position in
//! `data-atoms` ("x,y", space-separated, in city order), so the page can mark a
//! teaching step's removed and added edges on top of the drawing.

use svg::Document;
use svg::node::element::Path;

use super::number::{number, push_number, view_box};

/// Length of the bounding box's longer side in user units.
const EXTENT: f64 = 1000.0;
/// Space around the cities, in user units.
const MARGIN: f64 = 30.0;
/// Colour of the tour: a mid blue, legible on white, on dark grey and on a projector.
const TOUR_COLOUR: &str = "#3b82c4";
/// Most cities whose positions the drawing lists in `data-atoms` (larger tours are not stepped by hand).
const MAX_LISTED_CITIES: usize = 200;
/// Colour of the city dots.
const CITY_COLOUR: &str = "#e8590c";

/// The SVG of the tour visiting `coords` in `order` (indices into `coords`).
///
/// Indices outside `coords` and non-finite coordinates are skipped rather than
/// drawn, so a malformed tour still yields a valid document.
pub fn tour_svg(coords: &[(f64, f64)], order: &[u32]) -> String {
    let frame = Frame::fitting(coords);
    let mut tour = String::new();
    let stops = order.iter().filter_map(|&city| coords.get(city as usize)).filter(|p| is_finite(**p));
    for (n, &point) in stops.enumerate() {
        tour.push(if n == 0 { 'M' } else { ' ' });
        frame.push_point(&mut tour, point);
    }
    if !tour.is_empty() {
        tour.push('Z');
    }
    let mut cities = String::new();
    for &point in coords.iter().filter(|p| is_finite(**p)) {
        cities.push('M');
        frame.push_point(&mut cities, point);
        cities.push_str("h0");
    }
    // Dots shrink as cities crowd in (berlin52's are 16 units across, pr1002's 5).
    let finite_cities = coords.iter().filter(|p| is_finite(**p)).count().max(1) as f64;
    let dot = (16.0 * (52.0 / finite_cities).sqrt()).clamp(5.0, 16.0);
    let mut document = Document::new().set("viewBox", frame.view_box());
    if coords.len() <= MAX_LISTED_CITIES && !coords.is_empty() {
        let mut listed = String::new();
        for (index, &point) in coords.iter().enumerate() {
            if index > 0 {
                listed.push(' ');
            }
            frame.push_point(&mut listed, if is_finite(point) { point } else { (frame.min_x, frame.max_y) });
        }
        document = document.set("data-atoms", listed);
    }
    if !tour.is_empty() {
        document = document.add(
            Path::new()
                .set("class", "tour")
                .set("d", tour)
                .set("fill", "none")
                .set("stroke", TOUR_COLOUR)
                .set("stroke-width", number(dot / 8.0 * 3.0))
                .set("stroke-linejoin", "round"),
        );
    }
    if !cities.is_empty() {
        document = document.add(
            Path::new()
                .set("class", "cities")
                .set("d", cities)
                .set("stroke", CITY_COLOUR)
                .set("stroke-width", number(dot))
                .set("stroke-linecap", "round"),
        );
    }
    document.to_string()
}

fn is_finite((x, y): (f64, f64)) -> bool {
    x.is_finite() && y.is_finite()
}

/// The map from TSPLIB coordinates to user units.
struct Frame {
    min_x: f64,
    max_y: f64,
    scale: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn fitting(coords: &[(f64, f64)]) -> Frame {
        let finite = || coords.iter().copied().filter(|&p| is_finite(p));
        let min_x = finite().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let max_x = finite().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        let min_y = finite().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let max_y = finite().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        if min_x > max_x {
            return Frame { min_x: 0.0, max_y: 0.0, scale: 1.0, width: 0.0, height: 0.0 };
        }
        let span = (max_x - min_x).max(max_y - min_y);
        let scale = if span > 0.0 { EXTENT / span } else { 1.0 };
        Frame { min_x, max_y, scale, width: (max_x - min_x) * scale, height: (max_y - min_y) * scale }
    }

    fn push_point(&self, out: &mut String, (x, y): (f64, f64)) {
        push_number(out, (x - self.min_x) * self.scale);
        out.push(',');
        push_number(out, (self.max_y - y) * self.scale);
    }

    fn view_box(&self) -> String {
        view_box(-MARGIN, -MARGIN, self.width + 2.0 * MARGIN, self.height + 2.0 * MARGIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: [(f64, f64); 4] = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];

    #[test]
    fn tour_is_one_closed_path_through_every_city_in_order() {
        let svg = tour_svg(&SQUARE, &[0, 1, 2, 3]);
        assert!(svg.contains(r#"d="M0,1000 1000,1000 1000,0 0,0Z""#), "{svg}");
    }

    #[test]
    fn north_is_up() {
        // City 3 (y = 10) is north of city 0 (y = 0), so it has the smaller SVG y.
        let svg = tour_svg(&SQUARE, &[3, 0]);
        assert!(svg.contains(r#"d="M0,0 0,1000Z""#), "{svg}");
    }

    #[test]
    fn view_box_holds_the_cities_with_a_margin() {
        let svg = tour_svg(&SQUARE, &[0, 1, 2, 3]);
        assert!(svg.contains(r#"viewBox="-30 -30 1060 1060""#), "{svg}");
        let root = &svg[..svg.find('>').unwrap()];
        assert!(!root.contains(" width=") && !root.contains(" height="), "{root}");
    }

    #[test]
    fn out_of_range_indices_and_empty_input_still_give_a_document() {
        let svg = tour_svg(&SQUARE, &[0, 99, 1]);
        assert!(svg.contains(r#"d="M0,1000 1000,1000Z""#), "{svg}");
        let empty = tour_svg(&[], &[]);
        assert!(empty.starts_with("<svg") && empty.contains("viewBox"), "{empty}");
    }

    #[test]
    fn same_tour_gives_same_bytes() {
        let coords: Vec<(f64, f64)> =
            (0..30).map(|i| ((i * 37 % 101) as f64 / 3.0, (i * 59 % 97) as f64)).collect();
        let order: Vec<u32> = (0..30).rev().collect();
        assert_eq!(tour_svg(&coords, &order), tour_svg(&coords, &order));
    }
}
