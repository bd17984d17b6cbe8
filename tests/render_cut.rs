//! The max-cut drawing shows the cut (issue 22, D10): the two sides apart, the
//! edges that cross the cut distinct from those inside a side, and a bounded size
//! for large graphs. The cut is computed here from the spins and the edge list,
//! independently of the renderer, and compared with what the drawing shows.

use kiln::render::cut::{MAX_CUT_BYTES, MAX_DRAWN_EDGES, cut_svg};
use kiln_engine::problems::magnet::Magnet;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The `d` of the path of class `class`, if drawn.
fn path_of<'a>(svg: &'a str, class: &str) -> Option<&'a str> {
    svg.split(&format!("class=\"{class}\" d=\"")).nth(1).map(|rest| rest.split('"').next().unwrap())
}

/// The segments "Mx,y x,y" of a path as point pairs.
fn segments(d: &str) -> Vec<((f64, f64), (f64, f64))> {
    let point = |p: &str| -> (f64, f64) {
        let (x, y) = p.split_once(',').unwrap();
        (x.parse().unwrap(), y.parse().unwrap())
    };
    d.split('M')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (a, b) = s.split_once(' ').unwrap();
            (point(a), point(b))
        })
        .collect()
}

fn random_spins(n: usize, seed: u64) -> Vec<i8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| if rng.next_u32() & 1 == 1 { 1 } else { -1 }).collect()
}

/// The Petersen graph: an outer 5-cycle, an inner pentagram, five spokes.
fn petersen() -> Vec<(usize, usize)> {
    let mut edges = Vec::new();
    for i in 0..5 {
        edges.push((i, (i + 1) % 5));
        edges.push((5 + i, 5 + (i + 2) % 5));
        edges.push((i, 5 + i));
    }
    edges.into_iter().map(|(a, b)| (a.min(b), a.max(b))).collect()
}

#[test]
fn every_cut_edge_is_drawn_across_the_middle_and_no_other() {
    let edges = petersen();
    for seed in 0..8 {
        let spins = random_spins(10, seed);
        let cut = edges.iter().filter(|&&(i, j)| spins[i] != spins[j]).count();
        let svg = cut_svg(&spins, edges.iter().copied(), edges.len());
        let crossing = path_of(&svg, "cut").map(segments).unwrap_or_default();
        let kept = path_of(&svg, "kept").map(segments).unwrap_or_default();
        assert_eq!(crossing.len(), cut, "seed {seed}: {svg}");
        assert_eq!(kept.len(), edges.len() - cut, "seed {seed}");
        assert!(svg.contains(&format!("data-cut=\"{cut}\"")), "{svg}");
        // The two sides are the drawing's halves: a cut edge has one end in each.
        for (a, b) in &crossing {
            assert!((a.0 < 500.0) != (b.0 < 500.0), "a cut edge within one side: {a:?} {b:?}");
        }
        for (a, b) in &kept {
            assert!((a.0 < 500.0) == (b.0 < 500.0), "an uncut edge across the middle: {a:?} {b:?}");
        }
    }
}

#[test]
fn the_two_sides_are_coloured_apart_with_a_key() {
    let spins = [1, 1, -1, 1, -1, -1, 1, -1, 1, 1];
    let edges = petersen();
    let svg = cut_svg(&spins, edges.iter().copied(), edges.len());
    let up = path_of(&svg, "up").unwrap();
    let down = path_of(&svg, "down").unwrap();
    assert_eq!(up.matches('M').count(), 6);
    assert_eq!(down.matches('M').count(), 4);
    for dot in up.split('M').filter(|s| !s.is_empty()) {
        assert!(dot.split(',').next().unwrap().parse::<f64>().unwrap() < 500.0, "{dot}");
    }
    assert!(
        svg.contains("data-key=\"#e8590c one side of the cut;#3b82c4 the other side;#2f9e44 a cut edge\"")
    );
    // Every vertex is listed, so a teaching step can mark vertex 10 and its neighbours.
    let atoms = svg.split("data-atoms=\"").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(atoms.split(' ').count(), 10);
}

#[test]
fn gset_g22_is_drawn_within_the_stated_bytes_from_a_sample_of_its_edges() {
    let g22 = Magnet::gset("G22").unwrap();
    assert_eq!((g22.len(), g22.edges()), (2_000, 19_990)); // Gset's own header
    let spins = random_spins(g22.len(), 1);
    let svg = cut_svg(&spins, g22.couplings().map(|(i, j, _)| (i, j)), g22.edges());
    assert!(svg.len() <= MAX_CUT_BYTES, "{} bytes", svg.len());
    let drawn = path_of(&svg, "cut").map(segments).unwrap_or_default().len()
        + path_of(&svg, "kept").map(segments).unwrap_or_default().len();
    assert!(drawn <= MAX_DRAWN_EDGES, "{drawn}");
    assert!(
        svg.contains("data-simplified=\"1999 of 19990 edges and 2000 of 2000 vertices drawn\""),
        "{}",
        &svg[..200]
    );
    // About half the edges of random spins are cut, in the sample as in the graph.
    let cut = path_of(&svg, "cut").map(segments).unwrap_or_default().len();
    assert!((drawn * 2 / 5..drawn * 3 / 5).contains(&cut), "{cut} of {drawn}");
}
