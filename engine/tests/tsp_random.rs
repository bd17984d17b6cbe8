//! Random TSP instances: a pure function of (cities, layout, seed), inside their
//! square, and refused outside 3..=MAX_CITIES.

use kiln_engine::problems::tsp::{Layout, MAX_CITIES, Tsp, TspError};

#[test]
fn the_same_seed_gives_the_same_cities_and_another_seed_other_cities() {
    for layout in Layout::ALL {
        let a = Tsp::random(200, layout, 7).unwrap();
        let b = Tsp::random(200, layout, 7).unwrap();
        let c = Tsp::random(200, layout, 8).unwrap();
        assert_eq!(a.coords(), b.coords());
        assert_ne!(a.coords(), c.coords());
        assert_eq!(a.name(), format!("{}-200-seed-7", layout.name()));
    }
}

#[test]
fn cities_lie_on_whole_coordinates_inside_a_square_growing_with_their_count() {
    for (n, side) in [(100, 1000.0), (10_000, 10_000.0)] {
        for layout in Layout::ALL {
            let tsp = Tsp::random(n, layout, 1).unwrap();
            assert_eq!(tsp.len(), n);
            for &(x, y) in tsp.coords() {
                assert!((0.0..=side).contains(&x) && (0.0..=side).contains(&y), "{layout}: ({x}, {y})");
                assert_eq!((x.fract(), y.fract()), (0.0, 0.0));
            }
        }
    }
}

/// Mean distance from each city to its nearest other city.
fn mean_nearest(tsp: &Tsp) -> f64 {
    let c = tsp.coords();
    let nearest = |i: usize| {
        (0..c.len())
            .filter(|&j| j != i)
            .map(|j| (c[i].0 - c[j].0).hypot(c[i].1 - c[j].1))
            .fold(f64::MAX, f64::min)
    };
    (0..c.len()).map(nearest).sum::<f64>() / c.len() as f64
}

#[test]
fn clustered_cities_sit_closer_together_than_uniform_ones() {
    let uniform = mean_nearest(&Tsp::random(400, Layout::Uniform, 3).unwrap());
    let clustered = mean_nearest(&Tsp::random(400, Layout::Clustered, 3).unwrap());
    assert!((40.0..60.0).contains(&uniform), "uniform: {uniform}");
    assert!(clustered < 0.8 * uniform, "clustered {clustered} vs uniform {uniform}");
}

#[test]
fn city_counts_outside_the_limits_are_refused() {
    for cities in [0, 2, MAX_CITIES + 1] {
        let err = Tsp::random(cities, Layout::Uniform, 1).unwrap_err();
        assert_eq!(err, TspError::CityCount { cities });
        assert!(err.to_string().starts_with("cities: must be 3 to 100000"), "{err}");
    }
    assert_eq!(Tsp::random(3, Layout::Clustered, 1).unwrap().len(), 3);
}

#[test]
fn layouts_read_and_print_their_names() {
    assert_eq!("uniform".parse::<Layout>().unwrap(), Layout::Uniform);
    assert_eq!("clustered".parse::<Layout>().unwrap(), Layout::Clustered);
    let err = "grid".parse::<Layout>().unwrap_err().to_string();
    assert_eq!(err, "layout: must be \"uniform\" or \"clustered\", not \"grid\"");
    assert_eq!(Layout::Clustered.to_string(), "clustered");
}
