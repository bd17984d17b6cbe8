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
//!
//! A huge instance (more than [`MAX_EXACT_CITIES`] cities) is drawn simplified, so
//! a drawing, and with it a stream event, stays bounded however many cities there
//! are (issue 21: a 100,000-city session sent 5 MB per event; issue 22: its dots
//! drew a solid square). The cities are not dotted one by one (the tour passes
//! through each); the tour's stops are snapped to a grid and repeated cells
//! dropped, the grid coarsened until at most [`MAX_DRAWN_STOPS`] remain, and only
//! if even the coarsest grid leaves more (a tour still jumping across the map) are
//! every k-th of them kept. A good tour thus keeps its shape at the grid's
//! resolution, and a tangled one still looks tangled. The root says what was done
//! in `data-simplified`. Such a drawing is at most [`MAX_SIMPLIFIED_BYTES`].

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
/// Most cities drawn one by one, each city a dot and each stop a point of the tour.
pub const MAX_EXACT_CITIES: usize = 2_500;
/// Most points of a simplified tour.
pub const MAX_DRAWN_STOPS: usize = 4_000;
/// Finest grid of a simplified tour, in cells along the longer side.
const FINEST_GRID: usize = 512;
/// Coarsest grid of a simplified tour: below it the stops are thinned instead.
const COARSEST_GRID: usize = 32;
/// Upper bound of a simplified drawing's bytes: [`MAX_DRAWN_STOPS`] points of at
/// most 14 bytes ("-1234.5,1234.5 "), plus the root and the path's attributes.
pub const MAX_SIMPLIFIED_BYTES: usize = MAX_DRAWN_STOPS * 15 + 1_024;

/// The SVG of the tour visiting `coords` in `order` (indices into `coords`).
///
/// Indices outside `coords` and non-finite coordinates are skipped rather than
/// drawn, so a malformed tour still yields a valid document.
pub fn tour_svg(coords: &[(f64, f64)], order: &[u32]) -> String {
    let frame = Frame::fitting(coords);
    if coords.len() > MAX_EXACT_CITIES {
        return simplified_svg(&frame, coords, order);
    }
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

/// The drawing of a huge instance's tour (see the module doc).
fn simplified_svg(frame: &Frame, coords: &[(f64, f64)], order: &[u32]) -> String {
    let stops: Vec<(f64, f64)> = order
        .iter()
        .filter_map(|&city| coords.get(city as usize))
        .filter(|p| is_finite(**p))
        .map(|&p| frame.place(p))
        .collect();
    let mut grid = FINEST_GRID;
    let mut points = snapped(&stops, grid);
    while points.len() > MAX_DRAWN_STOPS && grid > COARSEST_GRID {
        grid /= 2;
        points = snapped(&stops, grid);
    }
    let snapped_count = points.len();
    if points.len() > MAX_DRAWN_STOPS {
        let every = points.len().div_ceil(MAX_DRAWN_STOPS);
        points = points.into_iter().step_by(every).collect();
    }
    let mut tour = String::new();
    for (n, &(x, y)) in points.iter().enumerate() {
        tour.push(if n == 0 { 'M' } else { ' ' });
        push_number(&mut tour, x);
        tour.push(',');
        push_number(&mut tour, y);
    }
    let note = if points.len() < snapped_count {
        format!(
            "{} cities, simplified: the tour through one in {} of the {snapped_count} cells it visits on a {grid} x {grid} grid",
            coords.len(),
            snapped_count.div_ceil(points.len().max(1)),
        )
    } else {
        format!(
            "{} cities, simplified: the tour through the {} cells it visits on a {grid} x {grid} grid",
            coords.len(),
            points.len()
        )
    };
    let mut document = Document::new().set("viewBox", frame.view_box()).set("data-simplified", note);
    if !tour.is_empty() {
        tour.push('Z');
        document = document.add(
            Path::new()
                .set("class", "tour")
                .set("d", tour)
                .set("fill", "none")
                .set("stroke", TOUR_COLOUR)
                // Thin and a little transparent: a tangled tour reads as a scribble
                // of crossings, not as a filled square.
                .set("stroke-width", 1)
                .set("stroke-opacity", 0.7)
                .set("stroke-linejoin", "round"),
        );
    }
    document.to_string()
}

/// `stops` (in user units) snapped to the centres of a `grid` x `grid` grid over
/// [`EXTENT`], consecutive stops in the same cell counted once.
fn snapped(stops: &[(f64, f64)], grid: usize) -> Vec<(f64, f64)> {
    let cell = EXTENT / grid as f64;
    let last = (grid - 1) as f64;
    let centre = |v: f64| ((v / cell).floor().clamp(0.0, last) + 0.5) * cell;
    let mut out: Vec<(f64, f64)> = Vec::new();
    for &(x, y) in stops {
        let point = (centre(x), centre(y));
        if out.last() != Some(&point) {
            out.push(point);
        }
    }
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
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

    /// A city's position in user units.
    fn place(&self, (x, y): (f64, f64)) -> (f64, f64) {
        ((x - self.min_x) * self.scale, (self.max_y - y) * self.scale)
    }

    fn push_point(&self, out: &mut String, point: (f64, f64)) {
        let (x, y) = self.place(point);
        push_number(out, x);
        out.push(',');
        push_number(out, y);
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

    /// `n` cities on a `side` x `side` lattice (row by row) and the tour that snakes
    /// through them (boustrophedon), a good tour, and one that jumps by a stride.
    fn lattice(side: usize) -> (Vec<(f64, f64)>, Vec<u32>, Vec<u32>) {
        let coords = (0..side * side).map(|i| ((i % side) as f64, (i / side) as f64)).collect();
        let snake = (0..side)
            .flat_map(|row| {
                let cols: Vec<usize> =
                    if row % 2 == 0 { (0..side).collect() } else { (0..side).rev().collect() };
                cols.into_iter().map(move |col| (row * side + col) as u32)
            })
            .collect();
        let n = (side * side) as u64;
        let jumping = (0..n).map(|i| ((i * 7_919) % n) as u32).collect();
        (coords, snake, jumping)
    }

    fn tour_points(svg: &str) -> usize {
        let tour = svg.split("class=\"tour\" d=\"").nth(1).unwrap().split('"').next().unwrap();
        tour.split(' ').count()
    }

    #[test]
    fn a_huge_tour_is_bounded_in_points_and_bytes_and_has_no_city_dots() {
        let (coords, snake, jumping) = lattice(317); // 100,489 cities
        for order in [&snake, &jumping] {
            let svg = tour_svg(&coords, order);
            assert!(svg.len() <= MAX_SIMPLIFIED_BYTES, "{} bytes", svg.len());
            assert!(tour_points(&svg) <= MAX_DRAWN_STOPS, "{}", tour_points(&svg));
            assert!(!svg.contains("class=\"cities\""));
            assert!(svg.contains("data-simplified=\"100489 cities, simplified"), "{}", &svg[..300]);
        }
    }

    /// The cell (x, y) at distance `d` along a Hilbert curve over a `side` x `side`
    /// grid (`side` a power of two; Wikipedia's "d2xy").
    fn hilbert(side: u32, mut d: u32) -> (u32, u32) {
        let (mut x, mut y) = (0, 0);
        let mut s = 1;
        while s < side {
            let rx = 1 & (d / 2);
            let ry = 1 & (d ^ rx);
            if ry == 0 {
                if rx == 1 {
                    x = s - 1 - x;
                    y = s - 1 - y;
                }
                std::mem::swap(&mut x, &mut y);
            }
            x += s * rx;
            y += s * ry;
            d /= 4;
            s *= 2;
        }
        (x, y)
    }

    #[test]
    fn a_huge_good_tour_keeps_its_shape_on_the_grid() {
        // 256 x 256 cities visited along a Hilbert curve: a tour that visits each
        // region once, as a good tour does. On a 32 x 32 grid it visits each cell in
        // one run, so it is drawn through 1,024 neighbouring cells, none thinned out.
        let coords: Vec<(f64, f64)> =
            (0..256 * 256).map(|d| hilbert(256, d)).map(|(x, y)| (x as f64, y as f64)).collect();
        let order: Vec<u32> = (0..256 * 256).collect();
        let svg = tour_svg(&coords, &order);
        assert!(!svg.contains("one in"), "{}", &svg[..300]);
        let tour = svg.split("class=\"tour\" d=\"").nth(1).unwrap().split('"').next().unwrap();
        let points: Vec<(f64, f64)> = tour
            .trim_start_matches('M')
            .trim_end_matches('Z')
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert!(points.len() <= MAX_DRAWN_STOPS && points.len() >= 1_024, "{}", points.len());
        let cell = 1000.0 / 32.0 + 0.1;
        let widest = points
            .windows(2)
            .map(|w| (w[0].0 - w[1].0).abs().max((w[0].1 - w[1].1).abs()))
            .fold(0.0, f64::max);
        assert!(widest <= cell, "a jump of {widest}");
    }

    #[test]
    fn up_to_the_exact_limit_every_city_is_drawn() {
        let coords: Vec<(f64, f64)> =
            (0..MAX_EXACT_CITIES).map(|i| ((i % 50) as f64, (i / 50) as f64)).collect();
        let order: Vec<u32> = (0..MAX_EXACT_CITIES as u32).collect();
        let svg = tour_svg(&coords, &order);
        assert_eq!(svg.matches("h0").count(), MAX_EXACT_CITIES);
        assert!(!svg.contains("data-simplified"));
    }
}
