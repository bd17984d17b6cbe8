//! The events a session keeps in its history and how they are written on the wire.
//!
//! A [`Frame`] is one rendered moment of a run: the progress numbers, serialised
//! once, plus the current and best drawings at that moment. SVGs are large
//! (kilobytes) and change far less often than the numbers, so each drawing is a
//! versioned, shared [`Svg`] and every viewer remembers which versions it has
//! already sent: a progress event carries `current_svg` / `best_svg` only when that
//! viewer has not seen that version yet. The per-viewer cost of an event is then
//! one string concatenation; nothing is serialised twice.
//!
//! Wire format (text/event-stream): `id: N\nevent: NAME\ndata: JSON\n\n`. JSON
//! escapes CR and LF inside strings, so a data line never breaks.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::event_log::Weighed;
use crate::kinds::Progress;

/// One drawing, JSON-encoded once, with a version unique within its session.
#[derive(Debug)]
pub struct Svg {
    /// Increases with every new drawing of the session (0 = none yet).
    pub version: u64,
    /// The SVG document as a JSON string literal, quotes included.
    pub json: String,
}

impl Svg {
    /// A new drawing.
    pub fn new(version: u64, svg: &str) -> Arc<Svg> {
        let json = serde_json::to_string(svg).unwrap_or_else(|_| "\"\"".into());
        Arc::new(Svg { version, json })
    }
}

/// One moment of a run, ready to be written to any number of viewers.
#[derive(Debug)]
pub struct Frame {
    /// The numbers.
    pub progress: Progress,
    /// `progress` as JSON without its closing brace, so drawings can be appended.
    head: String,
    /// Drawing of the current state.
    pub current_svg: Arc<Svg>,
    /// Drawing of the best state.
    pub best_svg: Arc<Svg>,
}

impl Frame {
    /// Serialise the numbers once, stamped with the wall-clock time of creation
    /// (`created_at_ms`, milliseconds since the Unix epoch, for latency measurements).
    pub fn new(progress: Progress, current_svg: Arc<Svg>, best_svg: Arc<Svg>) -> Arc<Frame> {
        let mut head = serde_json::to_string(&progress).unwrap_or_else(|_| "{}".into());
        head.pop(); // the closing brace
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let _ = write!(head, ",\"created_at_ms\":{:.3}", now.as_secs_f64() * 1000.0);
        Arc::new(Frame { progress, head, current_svg, best_svg })
    }

    /// The JSON object with the drawings `drawings` selects.
    pub fn json(&self, drawings: Drawings) -> String {
        let mut out = String::with_capacity(
            self.head.len()
                + 32
                + if drawings.current { self.current_svg.json.len() } else { 0 }
                + if drawings.best { self.best_svg.json.len() } else { 0 },
        );
        out.push_str(&self.head);
        if drawings.current {
            out.push_str(",\"current_svg\":");
            out.push_str(&self.current_svg.json);
        }
        if drawings.best {
            out.push_str(",\"best_svg\":");
            out.push_str(&self.best_svg.json);
        }
        out.push('}');
        out
    }

    /// About how many bytes this frame takes on the wire with both drawings: what
    /// the history's byte bound counts.
    pub fn wire_bytes(&self) -> usize {
        self.head.len() + self.current_svg.json.len() + self.best_svg.json.len() + 64
    }

    /// The JSON object with both drawings, as a value (for status and batch answers).
    pub fn value_with_drawings(&self) -> serde_json::Value {
        serde_json::from_str(&self.json(Drawings::BOTH)).unwrap_or(serde_json::Value::Null)
    }
}

/// Which drawings to include in an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drawings {
    /// Include `current_svg`.
    pub current: bool,
    /// Include `best_svg`.
    pub best: bool,
}

impl Drawings {
    /// Both drawings.
    pub const BOTH: Drawings = Drawings { current: true, best: true };
}

/// The kinds of events kept in a session's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Numbers after some steps.
    Progress,
    /// The final numbers; the stream ends after it.
    Complete,
}

impl Kind {
    /// The SSE event name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Progress => "progress",
            Kind::Complete => "complete",
        }
    }
}

/// An event of the session's history as the log keeps it: a kind and a frame.
#[derive(Clone, Debug)]
pub struct Shown {
    /// Progress or complete.
    pub kind: Kind,
    /// The moment it shows.
    pub frame: Arc<Frame>,
}

impl Weighed for Shown {
    fn wire_bytes(&self) -> usize {
        self.frame.wire_bytes()
    }
}

/// An event of the session's history as a viewer reads it: a sequence number, a kind and a frame.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Per-session sequence number, increasing across resets.
    pub id: u64,
    /// Progress or complete.
    pub kind: Kind,
    /// The moment it shows.
    pub frame: Arc<Frame>,
}

/// Append one SSE event to `out`.
pub fn write_event(out: &mut String, id: Option<u64>, name: &str, data: &str) {
    if let Some(id) = id {
        let _ = writeln!(out, "id: {id}");
    }
    out.push_str("event: ");
    out.push_str(name);
    out.push_str("\ndata: ");
    out.push_str(data);
    out.push_str("\n\n");
}

/// The reconnection delay line every stream opens with.
pub const RETRY: &str = "retry: 2000\n\n";

/// A keep-alive comment line.
pub const KEEP_ALIVE: &str = ": keep-alive\n\n";
