//! Onsager's exact solution of the 2D Ising ferromagnet (J = 1, k_B = 1, no field;
//! L. Onsager, Phys. Rev. 65, 117 (1944); C. N. Yang, Phys. Rev. 85, 808 (1952) for
//! the magnetisation), computed from the closed formulas: the one copy of these test
//! oracles, included by the engine's physics test (`engine/tests/magnet_physics.rs`,
//! which also checks them against published values) and by the server's
//! (`tests/magnet_kind.rs`, a run through `kiln run`).

/// Onsager's spontaneous magnetisation per spin below T_c: (1 - sinh(2/T)^-4)^(1/8).
pub fn onsager_magnetization(t: f64) -> f64 {
    (1.0 - (2.0 / t).sinh().powi(-4)).powf(0.125)
}

/// The complete elliptic integral of the first kind, K(k) = int_0^(pi/2)
/// dθ / sqrt(1 - k^2 sin^2 θ), by composite Simpson's rule (smooth for k < 1).
pub fn elliptic_k(k: f64) -> f64 {
    let n = 20_000;
    let h = std::f64::consts::FRAC_PI_2 / n as f64;
    let f = |theta: f64| 1.0 / (1.0 - k * k * theta.sin().powi(2)).sqrt();
    let inner: f64 = (1..n).map(|i| f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 }).sum();
    (f(0.0) + inner + f(std::f64::consts::FRAC_PI_2)) * h / 3.0
}

/// Onsager's internal energy per spin:
/// u = -coth(2β) [1 + (2/π)(2 tanh^2(2β) - 1) K(k)], k = 2 sinh(2β) / cosh^2(2β).
pub fn onsager_energy(t: f64) -> f64 {
    let b2 = 2.0 / t;
    let k = 2.0 * b2.sinh() / b2.cosh().powi(2);
    let coth = b2.cosh() / b2.sinh();
    -coth * (1.0 + 2.0 / std::f64::consts::PI * (2.0 * b2.tanh().powi(2) - 1.0) * elliptic_k(k))
}
