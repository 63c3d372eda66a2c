//! Every sandbox limit in one place, carried into each store at creation, and the budget
//! that bounds the memory of the plugin calls running at the same time.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How often the engine's epoch advances; time limits are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Bytes a table element is counted for against the memory limit (a function reference is
/// one pointer in the host).
pub const TABLE_ELEMENT_BYTES: usize = size_of::<usize>();

/// Findings one call may return; a rule over a large estate stays far below it.
pub const MAX_FINDINGS: usize = 65_536;

/// Bytes of free text a plugin may return in one field: a message, an acceptance reason,
/// its error text, or its metadata (title, description, remediation).
pub const MAX_TEXT_BYTES: usize = 64 << 10;

/// Bytes of a finding's evidence, JSON pointer or identity.
pub const MAX_DETAIL_BYTES: usize = 4 << 10;

/// Limits applied to every plugin call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Memory one instance may use, in bytes: all its linear memories and tables together.
    pub memory_bytes: usize,
    /// Memory all plugin calls running at the same time may use together, in bytes: calls
    /// wait for room, so at most `memory_total_bytes / memory_bytes` run at once.
    pub memory_total_bytes: usize,
    /// Wall time one call may take (a manifest check's calls together, on their one
    /// instance), instantiation and every host call included.
    pub call_timeout: Duration,
    /// Bytes of a plugin's stderr kept for error messages (its panic message).
    pub stderr_bytes: usize,
    /// Component and core instances one store may create.
    pub max_instances: usize,
    /// Linear memories one instance may create: a Rust rule needs one.
    pub max_memories: usize,
    /// Tables one instance may create: a Rust rule needs one, the component glue a few.
    pub max_tables: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 1024 << 20,
            memory_total_bytes: 2048 << 20,
            call_timeout: Duration::from_secs(30),
            stderr_bytes: 16 << 10,
            max_instances: 64,
            max_memories: 2,
            max_tables: 4,
        }
    }
}

impl Limits {
    /// The call timeout in epoch ticks (at least one).
    pub fn deadline_ticks(&self) -> u64 {
        (self.call_timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }

    /// How many plugin calls may run at the same time within the total memory budget (at
    /// least one).
    pub fn concurrent_calls(&self) -> usize {
        (self.memory_total_bytes / self.memory_bytes.max(1)).max(1)
    }
}

/// A counting semaphore over [`Limits::concurrent_calls`]: a call holds a [`CallSlot`]
/// while its store lives, so the memory of all live stores stays within the total budget.
#[derive(Debug)]
pub struct MemoryBudget {
    free: Mutex<usize>,
    freed: Condvar,
}

impl MemoryBudget {
    pub fn new(limits: &Limits) -> Self {
        Self {
            free: Mutex::new(limits.concurrent_calls()),
            freed: Condvar::new(),
        }
    }

    /// Waits until a call may start, and holds its room until the slot is dropped.
    pub fn enter(&self) -> CallSlot<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        CallSlot { budget: self }
    }
}

/// Room for one call in the [`MemoryBudget`], given back when dropped.
pub struct CallSlot<'a> {
    budget: &'a MemoryBudget,
}

impl Drop for CallSlot<'_> {
    fn drop(&mut self) {
        let mut free = self.budget.free.lock().unwrap_or_else(|e| e.into_inner());
        *free += 1;
        self.budget.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_calls_fit_the_total_budget() {
        let limits = |each: usize, total: usize| Limits {
            memory_bytes: each << 20,
            memory_total_bytes: total << 20,
            ..Limits::default()
        };
        assert_eq!(limits(1024, 2048).concurrent_calls(), 2);
        assert_eq!(limits(64, 200).concurrent_calls(), 3);
        assert_eq!(limits(1024, 512).concurrent_calls(), 1);
    }

    #[test]
    fn a_slot_is_given_back_when_dropped() {
        let budget = MemoryBudget::new(&Limits::default());
        let first = budget.enter();
        let second = budget.enter();
        assert_eq!(*budget.free.lock().unwrap(), 0);
        drop(first);
        drop(second);
        assert_eq!(*budget.free.lock().unwrap(), 2);
    }
}
