//! The parameter table is the only place a default lives: a run given none of a
//! kind's own values takes each one from the row `GET /api/problems` advertises for
//! it (a headless run from the row's `headless_default` where it has one), for every
//! kind; and a kind asked for a value that has neither a given value nor a default
//! gets an error naming the field, never a silent fallback.

mod support;

#[path = "../examples/queens/kind.rs"]
#[allow(dead_code)]
mod queens;

use kiln::kinds::{Registry, Request, Scope, Values};
use serde_json::{Map, Value, json};

fn registry() -> Registry {
    Registry::builtin().with(queens::QueensKind)
}

/// The spec's JSON of a run of `kind` given only its name, in `scope`.
fn default_spec(registry: &Registry, kind: &str, scope: Scope) -> Map<String, Value> {
    let values = json!({"problem": kind}).as_object().unwrap().clone();
    let resolved =
        registry.resolve(&Request::from_map(values, scope)).unwrap_or_else(|e| panic!("{kind}: {e}"));
    resolved.spec.fields().clone()
}

/// The advertised rows of `kind` (the catalog), by name.
fn rows(registry: &Registry, kind: &str) -> Vec<Value> {
    let catalog = registry.catalog();
    let problem = catalog["problems"].as_array().unwrap().iter().find(|p| p["name"] == kind).unwrap();
    problem["parameters"].as_array().unwrap().clone()
}

/// Every flat value of a spec (a nested source is walked into: a tour's
/// `{"bundled": {"instance": ...}}`, a lattice's size and coupling).
fn flat(fields: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (name, value) in fields {
        match value {
            Value::Object(inner) if !inner.is_empty() && name != "component_weights" => flat(inner, out),
            other => {
                out.insert(name.clone(), other.clone());
            }
        }
    }
}

#[test]
fn a_kind_given_nothing_takes_every_spec_value_from_its_advertised_row() {
    let registry = registry();
    // Spec field names that differ from their row's (a lattice's side is `lattice`).
    let row_name = |field: &str| if field == "size" { "lattice".to_string() } else { field.to_string() };
    let mut checked = 0;
    for kind in ["isomer", "tsp", "magnet", "queens"] {
        let rows = rows(&registry, kind);
        for scope in [Scope::Session, Scope::Headless] {
            let mut spec = Map::new();
            flat(&default_spec(&registry, kind, scope), &mut spec);
            for (field, value) in &spec {
                let Some(row) = rows.iter().find(|r| r["name"] == row_name(field).as_str()) else {
                    continue; // a field no row sets (a glass's seed is the run's)
                };
                let advertised = match (scope, row.get("headless_default")) {
                    (Scope::Headless, Some(headless)) => headless,
                    _ => &row["default"],
                };
                assert_eq!(value, advertised, "{kind} {field} ({scope:?})");
                checked += 1;
            }
        }
    }
    assert!(checked >= 16, "only {checked} values checked");
}

#[test]
fn a_tour_defaults_to_local_moves_live_and_large_headless_as_its_row_says() {
    let registry = registry();
    let moves = rows(&registry, "tsp").into_iter().find(|r| r["name"] == "moves").unwrap();
    assert_eq!(moves["default"], "local");
    assert_eq!(moves["headless_default"], "large");
    // The spec keeps `moves` only when it is not local (records from before large
    // steps read as they were written).
    assert_eq!(default_spec(&registry, "tsp", Scope::Session).get("moves"), None);
    assert_eq!(default_spec(&registry, "tsp", Scope::Headless)["moves"], "large");
}

#[test]
fn a_value_with_neither_a_given_value_nor_a_default_is_an_error_naming_it() {
    let values = Values::new(Map::new());
    let e = values.required("formula").unwrap_err();
    assert_eq!(e.field, "formula");
    assert!(e.message.contains("no default"), "{e}");
    let e = values.required_u64("lattice").unwrap_err();
    assert_eq!(e.field, "lattice");
    // A kind handed values without its table refuses, naming its first value.
    let registry = registry();
    for (kind, field) in [("isomer", "formula"), ("tsp", "instance"), ("magnet", "lattice"), ("queens", "n")]
    {
        let e = registry.get(kind).unwrap().spec(&Values::new(Map::new())).unwrap_err();
        assert_eq!(e.field, field, "{kind}: {e}");
    }
}

#[test]
fn a_stored_spec_past_a_row_bound_is_refused_naming_the_field() {
    // As a replay record or a stored session edited by hand would carry them; the
    // bounds are the advertised rows' (formula's length, a weight's range, the field).
    let registry = registry();
    let long_formula = format!("C{}", "H".repeat(70));
    for (kind, fields, field) in [
        ("isomer", json!({"formula": long_formula, "component_weights": {"wiener_index": 1.0}}), "formula"),
        (
            "isomer",
            json!({"formula": "C7H16", "component_weights": {"wiener_index": 1e308}}),
            "component_weights",
        ),
        (
            "magnet",
            json!({"instance": {"lattice": {"size": 8, "coupling": "ferro", "seed": 1}},
                          "field": 1e9, "start": "up", "sites": "random"}),
            "field",
        ),
    ] {
        let spec = kiln::kinds::Spec::from_fields(kind, fields.as_object().unwrap().clone());
        let e =
            registry.get(kind).unwrap().build(&spec).err().unwrap_or_else(|| panic!("{kind} {field} built"));
        assert_eq!(e.field, field, "{e}");
    }
}
