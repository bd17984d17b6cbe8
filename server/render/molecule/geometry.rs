//! Points and vectors in the plane, for laying out and drawing molecules.

use std::ops::{Add, AddAssign, Mul, Neg, Sub};

/// A point or a vector in the plane.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub(crate) const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// The unit vector at `angle` radians from the x axis.
    pub(crate) fn from_angle(angle: f64) -> Point {
        Point::new(angle.cos(), angle.sin())
    }

    /// The Euclidean length. Not `hypot`: that guards against overflow and underflow
    /// that coordinates of a few bond lengths never reach, and costs several times a
    /// square root (it was half of drawing a 64-atom cage, `benches/draw.rs`).
    pub(crate) fn length(self) -> f64 {
        (self.x * self.x + self.y * self.y).sqrt()
    }

    pub(crate) fn distance(self, other: Point) -> f64 {
        (self - other).length()
    }

    /// This vector scaled to length 1; the x axis for a (near) zero vector, so callers never see NaN.
    pub(crate) fn unit(self) -> Point {
        let length = self.length();
        if length > 1e-9 && length.is_finite() { self * (1.0 / length) } else { Point::new(1.0, 0.0) }
    }

    /// This vector turned a quarter turn (from the x axis towards the y axis).
    pub(crate) fn perpendicular(self) -> Point {
        Point::new(-self.y, self.x)
    }

    pub(crate) fn dot(self, other: Point) -> f64 {
        self.x * other.x + self.y * other.y
    }

    /// The z component of the cross product: positive when `other` is turned towards the y axis from `self`.
    pub(crate) fn cross(self, other: Point) -> f64 {
        self.x * other.y - self.y * other.x
    }

    /// The angle of this vector from the x axis, in radians.
    pub(crate) fn angle(self) -> f64 {
        self.y.atan2(self.x)
    }

    /// This vector rotated by `angle` radians.
    pub(crate) fn rotated(self, angle: f64) -> Point {
        let (sin, cos) = angle.sin_cos();
        Point::new(self.x * cos - self.y * sin, self.x * sin + self.y * cos)
    }
}

impl Add for Point {
    type Output = Point;
    fn add(self, other: Point) -> Point {
        Point::new(self.x + other.x, self.y + other.y)
    }
}

impl AddAssign for Point {
    fn add_assign(&mut self, other: Point) {
        *self = *self + other;
    }
}

impl Sub for Point {
    type Output = Point;
    fn sub(self, other: Point) -> Point {
        Point::new(self.x - other.x, self.y - other.y)
    }
}

impl Mul<f64> for Point {
    type Output = Point;
    fn mul(self, factor: f64) -> Point {
        Point::new(self.x * factor, self.y * factor)
    }
}

impl Neg for Point {
    type Output = Point;
    fn neg(self) -> Point {
        Point::new(-self.x, -self.y)
    }
}

/// Whether the segments `a`-`b` and `c`-`d` cross at a point inside both (touching ends do not count).
pub(crate) fn segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool {
    let ab = b - a;
    let cd = d - c;
    let denominator = ab.cross(cd);
    if denominator.abs() < 1e-12 {
        return false;
    }
    let t = (c - a).cross(cd) / denominator;
    let u = (c - a).cross(ab) / denominator;
    const EDGE: f64 = 1e-6;
    t > EDGE && t < 1.0 - EDGE && u > EDGE && u < 1.0 - EDGE
}

/// Distance from `point` to the segment `from`-`to`.
pub(crate) fn distance_to_segment(point: Point, from: Point, to: Point) -> f64 {
    let along = to - from;
    let length_squared = along.dot(along);
    if length_squared < 1e-12 {
        return point.distance(from);
    }
    let t = ((point - from).dot(along) / length_squared).clamp(0.0, 1.0);
    point.distance(from + along * t)
}

/// Cosine of the angle (about 157°) beyond which two bonds at an atom read as one straight line
/// through it; a little short of the 160° the drawing tests allow, so layouts keep a margin.
const STRAIGHT_THROUGH: f64 = -0.92;

/// Whether four bonds leaving one atom (their directions) read as two straight lines crossing
/// there, a "+" or an "X", rather than as four bonds meeting at an atom.
pub(crate) fn reads_as_crossing(directions: &[Point]) -> bool {
    let [a, b, c, d] = directions else {
        return false;
    };
    let straight = |x: &Point, y: &Point| x.unit().dot(y.unit()) < STRAIGHT_THROUGH;
    (straight(a, b) && straight(c, d))
        || (straight(a, c) && straight(b, d))
        || (straight(a, d) && straight(b, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_segments_are_detected_and_touching_ones_are_not() {
        let origin = Point::new(0.0, 0.0);
        assert!(segments_cross(origin, Point::new(2.0, 2.0), Point::new(0.0, 2.0), Point::new(2.0, 0.0)));
        assert!(!segments_cross(origin, Point::new(1.0, 0.0), Point::new(1.0, 0.0), Point::new(2.0, 1.0)));
        assert!(!segments_cross(origin, Point::new(1.0, 0.0), Point::new(0.0, 1.0), Point::new(1.0, 1.0)));
    }

    #[test]
    fn two_straight_lines_through_an_atom_read_as_a_crossing() {
        let at = |degrees: f64| Point::from_angle(degrees.to_radians());
        // Spiropentane as a bowtie, and a "+".
        assert!(reads_as_crossing(&[at(150.0), at(210.0), at(-30.0), at(30.0)]));
        assert!(reads_as_crossing(&[at(0.0), at(90.0), at(180.0), at(270.0)]));
        // A gem-dimethyl on a hexagon, and the bowtie's second triangle turned by 30°.
        assert!(!reads_as_crossing(&[at(210.0), at(330.0), at(60.0), at(120.0)]));
        assert!(!reads_as_crossing(&[at(150.0), at(210.0), at(0.0), at(60.0)]));
    }

    #[test]
    fn unit_of_a_zero_vector_is_finite() {
        let unit = Point::new(0.0, 0.0).unit();
        assert!(unit.x.is_finite() && unit.y.is_finite());
    }
}
