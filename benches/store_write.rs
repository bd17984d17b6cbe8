//! What a frame pays to keep its session in the store: handing the session's
//! record to the coalescing `StoreWriter` (the live path) against writing it
//! straight through `Store::upsert_session` (one SQLite transaction, WAL mode,
//! `synchronous = NORMAL`), side by side in one run. The ratio is why frames go
//! through the writer: at 20 frames a second, the writer turns 20 transactions
//! into one.
//!
//! Run: `cargo bench --bench store_write`

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kiln::store::{DEFAULT_WINDOW, RunState, SessionRecord, Store, StoreWriter};
use uuid::Uuid;

fn record(id: Uuid, step: u64) -> SessionRecord {
    SessionRecord {
        id,
        spec: r#"{"problem":"isomer","formula":"C8H18","initial_temp":100,"seed":42,"num_cycles":4}"#.into(),
        step,
        state: RunState::Running,
        generation: 1,
        next_event_id: step + 1,
        control_token: "0123456789abcdef0123456789abcdef".into(),
        steps_per_event: Some(1),
        max_events_per_sec: 20.0,
        room: Some("K7QXMP".into()),
        created_at_ms: 1_764_633_600_000,
        updated_at_ms: 1_764_633_600_000 + step,
        state_digest: format!("{step:016x}"),
    }
}

fn store_write(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("tmp").join("bench-store-write");
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&dir).expect("bench store");
    let id = Uuid::new_v4();
    let mut group = c.benchmark_group("store_write");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));

    let mut step = 0;
    group.bench_function("direct_upsert", |b| {
        b.iter(|| {
            step += 1;
            store.upsert_session(black_box(&record(id, step))).unwrap();
        })
    });

    let writer = StoreWriter::spawn(store.clone(), DEFAULT_WINDOW);
    group.bench_function("writer_submit", |b| {
        b.iter(|| {
            step += 1;
            black_box(writer.upsert_session(record(id, step)).unwrap());
        })
    });
    group.finish();
    writer.close().unwrap();
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, store_write);
criterion_main!(benches);
