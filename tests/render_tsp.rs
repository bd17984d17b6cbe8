//! The TSP tour drawing of a real instance: berlin52 with its optimal tour,
//! read from the bundled TSPLIB files.

use std::path::Path;

use kiln::render::tsp::tour_svg;

fn tsplib(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("engine/data/tsplib").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The numeric rows after `section` up to the next keyword or -1.
fn section_rows(text: &str, section: &str) -> Vec<Vec<f64>> {
    text.lines()
        .skip_while(|line| !line.trim().starts_with(section))
        .skip(1)
        .map(str::trim)
        .take_while(|line| {
            !line.is_empty() && line.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '-')
        })
        .take_while(|line| *line != "-1")
        .map(|line| line.split_whitespace().map(|field| field.parse().unwrap()).collect())
        .collect()
}

fn berlin52() -> (Vec<(f64, f64)>, Vec<u32>) {
    let coords = section_rows(&tsplib("berlin52.tsp"), "NODE_COORD_SECTION")
        .iter()
        .map(|row| (row[1], row[2]))
        .collect();
    let order = section_rows(&tsplib("berlin52.opt.tour"), "TOUR_SECTION")
        .iter()
        .map(|row| row[0] as u32 - 1)
        .collect();
    (coords, order)
}

#[test]
fn berlin52_optimal_tour_is_under_4_kb() {
    let (coords, order) = berlin52();
    assert_eq!((coords.len(), order.len()), (52, 52));
    let svg = tour_svg(&coords, &order);
    assert!(svg.len() < 4096, "{} bytes", svg.len());
}

#[test]
fn berlin52_drawing_has_every_city_and_one_closed_tour() {
    let (coords, order) = berlin52();
    let svg = tour_svg(&coords, &order);
    assert_eq!(svg.matches("h0").count(), 52, "one dot per city");
    let tour = svg.split("class=\"tour\" d=\"").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(tour.split(' ').count(), 52, "{tour}");
    assert!(tour.starts_with('M') && tour.ends_with('Z'), "{tour}");
}

#[test]
fn berlin52_drawing_fits_its_view_box() {
    let (coords, order) = berlin52();
    let svg = tour_svg(&coords, &order);
    let view_box: Vec<f64> = svg
        .split("viewBox=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let tour = svg.split("class=\"tour\" d=\"").nth(1).unwrap().split('"').next().unwrap();
    for point in tour.trim_start_matches('M').trim_end_matches('Z').split(' ') {
        let (x, y) = point.split_once(',').unwrap();
        let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
        assert!(x > view_box[0] && x < view_box[0] + view_box[2], "{point}");
        assert!(y > view_box[1] && y < view_box[1] + view_box[3], "{point}");
    }
}
