//! Every sandbox limit in one place, carried into each store at creation.

use std::time::Duration;

/// How often the engine's epoch advances; time limits are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Limits applied to every plugin call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory one instance may grow to, in bytes.
    pub memory_bytes: usize,
    /// Wall time one call may take, instantiation included.
    pub call_timeout: Duration,
    /// Bytes of a plugin's stderr kept for error messages (its panic message).
    pub stderr_bytes: usize,
    /// Tables, instances and memories one store may create.
    pub max_instances: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 1024 << 20,
            call_timeout: Duration::from_secs(30),
            stderr_bytes: 16 << 10,
            max_instances: 64,
        }
    }
}

impl Limits {
    /// The call timeout in epoch ticks (at least one).
    pub fn deadline_ticks(&self) -> u64 {
        (self.call_timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}
