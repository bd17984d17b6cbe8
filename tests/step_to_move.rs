//! `POST /api/sa/{id}/step?to=move`: each press lands on a move tried on a valid
//! structure, says how many invalid draws it skipped (exactly what the engine's
//! invalid counter gained), and the trajectory is the one single steps follow.
//! The explanation's numbers are checked against an independent Metropolis
//! recomputation: p = min(1, e^(-delta/T)), accepted exactly when delta <= 0 or u < p.

mod support;

use serde_json::{Value, json};
use support::{Created, TestServer};

/// A default C8H18 run (83% of its draws are invalid), seeded.
fn octane() -> Value {
    json!({"formula": "C8H18", "seed": 11})
}

async fn progress(server: &TestServer, s: &Created) -> Value {
    let (status, body) = server.get_json(&format!("/api/sa/{}/status", s.id)).await;
    assert_eq!(status, 200, "{body}");
    body["progress"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_to_move_skips_invalid_draws_and_counts_them() {
    let server = TestServer::start().await;
    let s = server.configure(octane()).await;
    let mut before = progress(&server, &s).await;
    let mut skipped_total = 0;
    for press in 0..10 {
        let (status, reply) = server.control(&s, "step?to=move").await;
        assert_eq!(status, 200, "{reply}");
        let after = progress(&server, &s).await;
        let mv = &after["move"];
        assert_ne!(mv["verdict"], "invalid", "press {press} landed on an invalid draw: {mv}");
        let skipped = mv["skipped"]["draws"].as_u64().expect("skipped.draws");
        let invalid_gained =
            after["invalid_moves"].as_u64().unwrap() - before["invalid_moves"].as_u64().unwrap();
        assert_eq!(skipped, invalid_gained, "press {press}: skipped count vs the invalid counter");
        assert_eq!(after["step"].as_u64().unwrap(), before["step"].as_u64().unwrap() + skipped + 1);
        assert_eq!(mv["step"], after["step"]);
        let text = mv["skipped"]["text"].as_str().unwrap();
        assert!(text.starts_with(&format!("{skipped} draw")), "{text}");
        if skipped > 0 {
            assert!(text.contains("skipped: "), "the reason in plain words: {text}");
            assert!(!text.contains("drawn"), "no 'drawn' ambiguity: {text}");
        }
        skipped_total += skipped;
        // Independent Metropolis recomputation of the explanation's numbers.
        let (delta, t, u, p) = (
            mv["delta"].as_f64().unwrap(),
            mv["temperature"].as_f64().unwrap(),
            mv["u"].as_f64().unwrap(),
            mv["p_accept"].as_f64().unwrap(),
        );
        let expected_p = (-delta / t).exp().min(1.0);
        assert!((p - expected_p).abs() < 1e-12, "p_accept {p}, e^(-{delta}/{t}) = {expected_p}");
        let accepted = delta <= 0.0 || u < expected_p;
        assert_eq!(mv["verdict"], if accepted { "accepted" } else { "rejected" }, "{mv}");
        let reason = mv["reason"].as_str().unwrap();
        assert!(reason.ends_with(if accepted { "so accepted" } else { "so rejected" }), "{reason}");
        if delta > 0.0 {
            // Energy change, temperature, chance, random number, verdict: in that order.
            let order = ["energy up by", "temperature T =", "chance e^(-", "random number", "so "];
            let at: Vec<usize> = order.iter().map(|w| reason.find(w).unwrap_or(usize::MAX)).collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]) && at[4] != usize::MAX, "{reason}");
        } else if delta < 0.0 {
            assert!(reason.contains("always taken"), "{reason}");
        }
        before = after;
    }
    assert!(skipped_total > 0, "a default C8H18 run skips invalid draws");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stepping_to_moves_follows_the_same_trajectory_as_single_steps() {
    let server = TestServer::start().await;
    let (a, b) = (server.configure(octane()).await, server.configure(octane()).await);
    for _ in 0..5 {
        assert_eq!(server.control(&a, "step?to=move").await.0, 200);
    }
    let reached = progress(&server, &a).await;
    let steps = reached["step"].as_u64().unwrap();
    assert_eq!(server.control(&b, &format!("step?n={steps}")).await.0, 200);
    let single = progress(&server, &b).await;
    for field in
        ["step", "current_energy", "best_energy", "accepted_moves", "rejected_moves", "invalid_moves"]
    {
        assert_eq!(reached[field], single[field], "{field}");
    }
    assert_eq!(reached["current_smiles"], single["current_smiles"]);
    assert_eq!(reached["move"]["u"], single["move"]["u"], "the same last draw");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_step_target_is_a_400_naming_to() {
    let server = TestServer::start().await;
    let s = server.configure(octane()).await;
    let (status, body) = server.control(&s, "step?to=later").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "to");
    assert!(body["error"]["message"].as_str().unwrap().contains("later"), "{body}");
}
