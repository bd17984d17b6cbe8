//! `POST /api/sa/{id}/pacing`: the owner changes how fast a session is shown while
//! it runs (steps per event, events per second), with no new session and no lost
//! viewer.
//!
//! The body is checked against the same rows of the parameter table as configure
//! (`kinds::common::parameters`), so a bound is enforced in one place and every
//! error names the field as the body spells it, with the value. Either field may be
//! left out: it keeps its current value.

use super::error::ApiError;
use crate::kinds::common::{self, Pacing, StepsPerEvent};
use crate::kinds::{Defaults, Request, Scope};

/// The fields a live pacing change may carry.
pub const LIVE_PACING_FIELDS: [&str; 2] = ["steps_per_event", "max_events_per_sec"];

/// The pacing `body` asks for, over `current`; 400 naming the field for an unknown
/// field, a value outside the table's bounds, or a body that changes nothing.
pub fn pacing_from_body(body: &[u8], current: Pacing) -> Result<Pacing, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { body };
    let request = Request::from_json(body, Scope::Session)?;
    let rows = common::parameters(&[], &Defaults::default());
    let mut pacing = current;
    for (name, value) in request.values() {
        let row = rows.iter().find(|row| row.name == name && LIVE_PACING_FIELDS.contains(&row.name));
        let Some(row) = row else {
            return Err(ApiError::invalid(
                name.as_str(),
                format!(
                    "'{name}' cannot be changed during a run; pacing takes {}",
                    LIVE_PACING_FIELDS.join(" and ")
                ),
            ));
        };
        row.check(value)?;
        match row.name {
            "steps_per_event" => {
                pacing.steps_per_event = StepsPerEvent::from_value(value)
                    .ok_or_else(|| ApiError::invalid(name.as_str(), format!("cannot use {value}")))?;
            }
            _ => {
                pacing.max_events_per_sec = value
                    .as_f64()
                    .ok_or_else(|| ApiError::invalid(name.as_str(), format!("cannot use {value}")))?;
            }
        }
    }
    if request.values().is_empty() {
        // Nothing to change: name the first field the body could have carried.
        return Err(ApiError::invalid(
            LIVE_PACING_FIELDS[0],
            format!("give at least one of {}", LIVE_PACING_FIELDS.join(", ")),
        ));
    }
    Ok(pacing)
}
