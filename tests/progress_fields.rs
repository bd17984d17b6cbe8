//! The progress object's keys, against docs/protocol.md: the shared fields it lists
//! in "The stream" are on every progress event, and an event carries no key that
//! the doc does not name. The list is read from the doc, not from the code, so a
//! field added, dropped or renamed on either side fails here.

mod support;

use std::collections::BTreeSet;

use support::{TestServer, butane};

/// The `* \`progress\`` bullet of docs/protocol.md's "The stream", up to the next bullet.
fn progress_bullet() -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/protocol.md"))
        .expect("docs/protocol.md");
    let start = doc.find("* `progress` (id =").expect("the progress bullet in docs/protocol.md");
    let rest = &doc[start + 1..];
    let end = rest.find("\n* ").expect("a bullet after the progress bullet");
    rest[..end].to_string()
}

/// The shared fields: the comma-separated list in the one code span after
/// "the progress object:".
fn shared_fields(bullet: &str) -> BTreeSet<String> {
    let from = bullet.find("progress object: `").expect("\"progress object: `...`\" in the bullet");
    let list = &bullet[from + "progress object: `".len()..];
    let list = &list[..list.find('`').expect("the closing backtick")];
    list.split(',').map(|name| name.trim().to_string()).collect()
}

/// Every name the bullet puts in a code span (the shared list split at its commas,
/// the kind's own fields, `move`, the drawings, ...).
fn named_fields(bullet: &str) -> BTreeSet<String> {
    bullet
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|span| span.split(','))
        .map(|name| name.trim().to_string())
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !name.is_empty())
        .collect()
}

#[test]
fn the_doc_lists_the_shared_fields_in_one_span() {
    let shared = shared_fields(&progress_bullet());
    for name in ["problem", "step", "best_energy", "acceptance_rate", "elapsed_ms", "created_at_ms"] {
        assert!(shared.contains(name), "{name} in {shared:?}");
    }
    assert_eq!(shared.len(), 19, "{shared:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_progress_event_has_exactly_the_fields_docs_protocol_md_lists() {
    let bullet = progress_bullet();
    let shared = shared_fields(&bullet);
    let named = named_fields(&bullet);
    // What the doc names for an isomer step of a formula with more than one
    // structure: written here from the doc's sentence, and checked to be in it.
    // The drawings come only when this client has not seen them (the `connected`
    // event carried them), so they are checked as named, not as present.
    let isomer_own =
        ["disconnected_moves", "best_smiles", "current_smiles", "distinct_isomers", "energy_label", "move"];
    let drawings = ["current_svg", "best_svg"];
    for name in isomer_own.iter().chain(&drawings) {
        assert!(named.contains(*name), "docs/protocol.md's progress bullet names {name}");
    }
    let expected: BTreeSet<String> =
        shared.iter().cloned().chain(isomer_own.iter().map(|s| s.to_string())).collect();

    let server = TestServer::start().await;
    let s = server.configure(butane(3)).await;
    let mut sse = server.stream(&s).await;
    assert_eq!(sse.next().await.expect("connected").name, "connected");
    assert_eq!(server.control(&s, "start").await.0, 200);
    let first = sse.next_named("progress").await.json();
    let keys: BTreeSet<String> = first
        .as_object()
        .expect("an object")
        .keys()
        .filter(|key| !drawings.contains(&key.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        keys,
        expected,
        "missing: {:?}; not in the doc: {:?}",
        expected.difference(&keys).collect::<Vec<_>>(),
        keys.difference(&expected).collect::<Vec<_>>()
    );
    // Every later event keeps the shared fields and names nothing undocumented.
    let last = sse.next_named("complete").await.json();
    let keys: BTreeSet<String> = last.as_object().expect("an object").keys().cloned().collect();
    assert!(shared.is_subset(&keys), "missing: {:?}", shared.difference(&keys).collect::<Vec<_>>());
    assert!(keys.is_subset(&named), "not in the doc: {:?}", keys.difference(&named).collect::<Vec<_>>());
}
