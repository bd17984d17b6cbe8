//! The parameter table is the enforced contract: a walk over every row that
//! `GET /api/problems` advertises, for every kind (the built-in ones and the
//! example's user-defined kind), checking through `POST /api/sa/configure` that
//!
//! * each bound is accepted (an exclusive minimum is refused and a value just
//!   above it accepted), every listed enum value and word is accepted;
//! * just past each bound is a 400 naming that field;
//! * absurd and non-finite numbers (1e308, -1e308, a 1e999 literal) are 400s
//!   naming the field, inside a weights object too;
//! * a JSON syntax error inside a value names the field it sits in;
//! * a string one byte over its advertised length is a 400 naming it.
//!
//! The expected outcomes come from the advertised table itself (the contract), not
//! from what validation happens to do. The walk is exhaustive over rows and bounds
//! rather than randomly sampled, so every row is covered on every run.

mod support;

#[path = "../examples/queens/kind.rs"]
#[allow(dead_code)]
mod queens;

use kiln::Server;
use kiln::server::ServeOptions;
use serde_json::{Map, Value, json};
use support::TestServer;

/// Values a row needs beside it to be meaningful (random-city layout needs cities).
fn companions(kind: &str, name: &str) -> Map<String, Value> {
    let mut extra = Map::new();
    if kind == "tsp" && name == "layout" {
        extra.insert("cities".into(), json!(10));
    }
    extra
}

/// What configure answered: status and the named field (for 400s).
async fn configure(server: &TestServer, body: String) -> (u16, Option<String>, Value) {
    let response = server.post_text("/api/sa/configure", body).await;
    let status = response.status().as_u16();
    let json: Value = response.json().await.unwrap_or(Value::Null);
    let field = json["error"]["field"].as_str().map(str::to_string);
    if status == 201 {
        let id = json["session_id"].as_str().unwrap().to_string();
        let token = json["control_token"].as_str().unwrap().to_string();
        let deleted = server
            .client
            .delete(server.url(&format!("/api/sa/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("delete");
        assert_eq!(deleted.status().as_u16(), 200);
    }
    (status, field, json)
}

/// A body for `kind` with one value set: the shortest run (one step) unless the row
/// under test is a length row, and that row's companions.
fn body(kind: &str, name: &str, value: &str) -> String {
    let mut map = Map::new();
    map.insert("problem".into(), json!(kind));
    for (row, one) in [("steps_per_cycle", 1), ("num_cycles", 1)] {
        if row != name {
            map.insert(row.into(), json!(one));
        }
    }
    map.extend(companions(kind, name));
    map.insert(name.into(), json!("__VALUE__"));
    Value::Object(map).to_string().replace("\"__VALUE__\"", value)
}

async fn accepted(server: &TestServer, kind: &str, name: &str, value: &str) {
    let (status, _, json) = configure(server, body(kind, name, value)).await;
    assert_eq!(status, 201, "{kind}.{name} = {value} is inside the advertised table, yet: {json}");
}

async fn refused(server: &TestServer, kind: &str, name: &str, value: &str) {
    let (status, field, json) = configure(server, body(kind, name, value)).await;
    assert_eq!(status, 400, "{kind}.{name} = {value} is outside the advertised table, yet: {json}");
    assert_eq!(field.as_deref(), Some(name), "{kind}.{name} = {value} must name its field: {json}");
}

/// The smallest step past `x` that a JSON number can show.
fn nudge(x: f64) -> f64 {
    x.abs().max(1.0) * 1e-9
}

fn number(x: f64, integer: bool) -> String {
    if integer { format!("{}", x as u64) } else { format!("{x:?}") }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_advertised_bound_is_enforced_and_names_its_field() {
    let app = Server::builder().kind(queens::QueensKind).build();
    let server = TestServer::serving(&app, ServeOptions { max_sessions: 10_000, ..Default::default() }).await;
    let (status, catalog) = server.get_json("/api/problems").await;
    assert_eq!(status, 200);
    let kinds = catalog["problems"].as_array().unwrap();
    assert_eq!(
        kinds.iter().map(|k| k["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["isomer", "tsp", "magnet", "queens"]
    );
    let mut checked = 0;
    for kind in kinds {
        let k = kind["name"].as_str().unwrap();
        for row in kind["parameters"].as_array().unwrap() {
            let name = row["name"].as_str().unwrap();
            let ty = row["type"].as_str().unwrap();
            let integer = row["integer"].as_bool().unwrap_or(false);
            let (min, max) = (row["min"].as_f64(), row["max"].as_f64());
            let exclusive = row["exclusive_min"].as_bool().unwrap_or(false);

            // Syntax errors inside the value name the field.
            refused(&server, k, name, "tru").await;
            refused(&server, k, name, "[1,").await;

            match ty {
                "number" | "integer" | "count_or_word" => {
                    if let Some(min) = min {
                        if exclusive {
                            refused(&server, k, name, &number(min, integer)).await;
                            accepted(&server, k, name, &number(min + nudge(min), integer)).await;
                        } else {
                            accepted(&server, k, name, &number(min, integer)).await;
                            if !(integer && min == 0.0) {
                                let below = if integer {
                                    format!("{}", min as i64 - 1)
                                } else {
                                    number(min - nudge(min), false)
                                };
                                refused(&server, k, name, &below).await;
                            }
                        }
                    }
                    if let Some(max) = max {
                        accepted(&server, k, name, &number(max, integer)).await;
                        refused(
                            &server,
                            k,
                            name,
                            &number(if integer { max + 1.0 } else { max + nudge(max) }, integer),
                        )
                        .await;
                    }
                    // Every numeric row has a lower bound; -1 is below every one of at least 0
                    // (a magnet's field h is the one signed row).
                    assert!(min.is_some(), "{k}.{name} advertises no lower bound");
                    for absurd in ["1e308", "-1e308", "1e999"] {
                        refused(&server, k, name, absurd).await;
                    }
                    if min.is_some_and(|m| m >= 0.0) {
                        refused(&server, k, name, "-1").await;
                    }
                    for word in row["values"].as_array().into_iter().flatten() {
                        accepted(&server, k, name, &word.to_string()).await;
                    }
                    if ty == "count_or_word" {
                        refused(&server, k, name, "\"nonsense\"").await;
                    }
                }
                "enum" => {
                    for value in row["values"].as_array().unwrap() {
                        accepted(&server, k, name, &value.to_string()).await;
                    }
                    refused(&server, k, name, "\"no-such-value\"").await;
                    refused(&server, k, name, "7").await;
                }
                "weights" => {
                    let (min, max) = (min.unwrap(), max.unwrap());
                    for component in row["values"].as_array().unwrap() {
                        let c = component.as_str().unwrap();
                        accepted(&server, k, name, &json!({ c: max }).to_string()).await;
                        refused(&server, k, name, &json!({ c: max + nudge(max) }).to_string()).await;
                        if exclusive {
                            refused(&server, k, name, &json!({ c: min }).to_string()).await;
                            accepted(&server, k, name, &json!({ c: min + nudge(min) }).to_string()).await;
                        } else {
                            accepted(&server, k, name, &json!({ c: min }).to_string()).await;
                            refused(&server, k, name, &json!({ c: min - nudge(min) }).to_string()).await;
                        }
                        refused(&server, k, name, &format!("{{\"{c}\": 1e308}}")).await;
                        refused(&server, k, name, &format!("{{\"{c}\": 1e999}}")).await;
                        refused(&server, k, name, &format!("{{\"{c}\": NaN}}")).await;
                    }
                    refused(&server, k, name, "{\"no_such_component\": 1}").await;
                    refused(&server, k, name, "{}").await;
                }
                "string" | "text" => {
                    let limit = row["max_length"].as_u64().expect("strings advertise a length") as usize;
                    refused(&server, k, name, &json!("x".repeat(limit + 1)).to_string()).await;
                    refused(&server, k, name, "12").await;
                }
                other => panic!("{k}.{name}: a type the walk does not know: {other}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 3 * 11, "every kind has at least the shared rows: {checked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parameter_of_another_kind_names_itself_and_its_kind() {
    let server = TestServer::start().await;
    let (status, field, json) =
        configure(&server, json!({"problem": "tsp", "formula": "C4H10"}).to_string()).await;
    assert_eq!((status, field.as_deref()), (400, Some("formula")), "{json}");
    assert!(json["error"]["message"].as_str().unwrap().contains("\"isomer\" only"), "{json}");
    let (status, field, json) = configure(&server, json!({"colour": 1}).to_string()).await;
    assert_eq!((status, field.as_deref()), (400, Some("colour")), "{json}");
    let (status, field, json) = configure(&server, json!({"problem": "chess"}).to_string()).await;
    assert_eq!((status, field.as_deref()), (400, Some("problem")), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_steps_on_more_cities_than_they_allow_are_a_400_naming_moves() {
    let server = TestServer::start().await;
    let body = json!({"problem": "tsp", "cities": 20_000, "moves": "large", "steps_per_cycle": 1});
    let (status, field, json) = configure(&server, body.to_string()).await;
    assert_eq!((status, field.as_deref()), (400, Some("moves")), "{json}");
    let message = json["error"]["message"].as_str().unwrap();
    assert!(message.contains("20000") && message.contains("large steps"), "{json}");
}
