//! The per-call store: a WASI context with no capabilities, frozen clocks, clock waits
//! that end at the call's deadline, captured stderr and a memory limiter that counts every
//! memory and table of the instance together and remembers when it said no.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};

use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime::{ResourceLimiter, Store, StoreContextMut};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::p2::{DynPollable, Pollable, subscribe};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::limits::{Limits, TABLE_ELEMENT_BYTES};

/// The WASI clock interface whose waits [`bound_clock_waits`] replaces (the version
/// wasmtime-wasi defines; guests importing any 0.2.x resolve to it).
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// What the sandbox gives a component that imports an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Linked and usable as WASI defines it.
    Granted,
    /// Linked, with what it returns fixed by the sandbox (frozen clocks, seeded
    /// randomness, an empty environment, closed or captured standard streams).
    Restricted,
    /// Linked, but every use fails: no directory is preopened, no network is allowed.
    Denied,
    /// Not linked: a component that imports it cannot be loaded.
    Missing,
}

impl Access {
    pub fn name(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Restricted => "restricted",
            Self::Denied => "denied",
            Self::Missing => "missing",
        }
    }
}

/// The WASI 0.2 interfaces `wasmtime_wasi::p2::add_to_linker_sync` links, by
/// `package/interface`, with what [`State::store`] makes of each.
const WASI_INTERFACES: &[(&str, Access, &str)] = &[
    ("wasi:io/error", Access::Granted, "stream errors"),
    ("wasi:io/poll", Access::Granted, "waiting on pollables"),
    ("wasi:io/streams", Access::Granted, "byte streams"),
    (
        "wasi:cli/exit",
        Access::Granted,
        "exiting ends the call as an error of the rule",
    ),
    (
        "wasi:cli/environment",
        Access::Restricted,
        "empty: no variables, no arguments",
    ),
    ("wasi:cli/stdin", Access::Restricted, "closed"),
    ("wasi:cli/stdout", Access::Restricted, "discarded"),
    (
        "wasi:cli/stderr",
        Access::Restricted,
        "captured, bounded; its last line is shown when the rule fails",
    ),
    ("wasi:cli/terminal-input", Access::Restricted, "no terminal"),
    (
        "wasi:cli/terminal-output",
        Access::Restricted,
        "no terminal",
    ),
    ("wasi:cli/terminal-stdin", Access::Restricted, "no terminal"),
    (
        "wasi:cli/terminal-stdout",
        Access::Restricted,
        "no terminal",
    ),
    (
        "wasi:cli/terminal-stderr",
        Access::Restricted,
        "no terminal",
    ),
    (
        "wasi:clocks/wall-clock",
        Access::Restricted,
        "frozen at zero",
    ),
    (
        "wasi:clocks/monotonic-clock",
        Access::Restricted,
        "frozen at zero; waits end at the call's time limit",
    ),
    (
        "wasi:random/random",
        Access::Restricted,
        "seeded from the plugin's SHA-256: the same numbers every run",
    ),
    (
        "wasi:random/insecure",
        Access::Restricted,
        "seeded from the plugin's SHA-256: the same numbers every run",
    ),
    (
        "wasi:random/insecure-seed",
        Access::Restricted,
        "seeded from the plugin's SHA-256: the same numbers every run",
    ),
    (
        "wasi:filesystem/types",
        Access::Denied,
        "no directory is preopened: no file can be opened",
    ),
    (
        "wasi:filesystem/preopens",
        Access::Denied,
        "no directory is preopened: no file can be opened",
    ),
    (
        "wasi:sockets/network",
        Access::Denied,
        "no network: sockets and name lookups are refused",
    ),
    (
        "wasi:sockets/instance-network",
        Access::Denied,
        "no network: sockets and name lookups are refused",
    ),
    (
        "wasi:sockets/tcp",
        Access::Denied,
        "no network: sockets and name lookups are refused",
    ),
    (
        "wasi:sockets/tcp-create-socket",
        Access::Denied,
        "no network: sockets and name lookups are refused",
    ),
    (
        "wasi:sockets/udp",
        Access::Denied,
        "no network: sockets and name lookups are refused",
    ),
    (
        "wasi:sockets/udp-create-socket",
        Access::Denied,
        "no network: sockets and name lookups are refused",
    ),
    (
        "wasi:sockets/ip-name-lookup",
        Access::Denied,
        "no network: sockets and name lookups are refused",
    ),
];

/// What the sandbox gives a component importing `name` (`wasi:cli/stdin@0.2.6`), and
/// why. Only WASI 0.2.x is linked (any 0.2 patch version resolves to the one wasmtime
/// provides).
pub fn access(name: &str) -> (Access, &'static str) {
    let (interface, version) = name.split_once('@').unwrap_or((name, ""));
    let linked_version = version
        .strip_prefix("0.2.")
        .is_some_and(|patch| patch.parse::<u32>().is_ok());
    WASI_INTERFACES
        .iter()
        .find(|(known, ..)| *known == interface)
        .filter(|_| linked_version)
        .map_or(
            (
                Access::Missing,
                "not provided by the host: the plugin cannot be loaded",
            ),
            |&(_, access, why)| (access, why),
        )
}

/// What a store holds for one plugin call (or the calls of one manifest check).
pub struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: Limits,
    stderr: MemoryOutputPipe,
    /// When the call's time is up: no host call waits past it.
    deadline: Instant,
    /// Bytes of all the instance's memories and tables together.
    memory_in_use: usize,
    /// Set when the guest asked for more memory than the limit allows.
    pub memory_exceeded: bool,
}

impl State {
    /// A store for one call (or one manifest check): no preopened directories, no
    /// environment, no arguments, no network, stdin closed, stdout discarded, stderr
    /// captured (bounded), clocks frozen at zero so that a rule cannot depend on time, and
    /// randomness drawn from `seed` so that a rule's results are reproducible.
    pub fn store(engine: &wasmtime::Engine, limits: Limits, seed: [u8; 32]) -> Store<State> {
        let stderr = MemoryOutputPipe::new(limits.stderr_bytes);
        let (secure, insecure, insecure_seed) = seeded_randomness(seed);
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .secure_random(secure)
            .insecure_random(insecure)
            .insecure_random_seed(insecure_seed)
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let state = State {
            wasi,
            table: ResourceTable::new(),
            limits,
            stderr,
            deadline: Instant::now() + limits.call_timeout,
            memory_in_use: 0,
            memory_exceeded: false,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|state| state);
        store.set_epoch_deadline(limits.deadline_ticks());
        store.epoch_deadline_trap();
        store
    }

    /// Whether the call's deadline has passed.
    pub fn out_of_time(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Accounts for one memory or table going from `current` to `desired` bytes, refusing
    /// when the instance's memories and tables together would pass the limit.
    fn grow(&mut self, current: usize, desired: usize) -> bool {
        let next = (self.memory_in_use - current.min(self.memory_in_use)).saturating_add(desired);
        let allowed = next <= self.limits.memory_bytes;
        if allowed {
            self.memory_in_use = next;
        }
        self.memory_exceeded |= !allowed;
        allowed
    }

    /// A pollable that is ready after `wait`, or at the call's deadline if that comes first.
    fn bounded_wait(&mut self, wait: Duration) -> wasmtime::Result<Resource<DynPollable>> {
        let until = Instant::now()
            .checked_add(wait)
            .map_or(self.deadline, |end| end.min(self.deadline));
        let sleep = self.table.push(WaitUntil(until.into()))?;
        subscribe(&mut self.table, sleep)
    }

    /// Whether the guest filled its stderr: the buffer is full, or wasmtime refused a write
    /// that did not fit (it says so in its message only).
    pub fn stderr_full(&self, error: &wasmtime::Error) -> bool {
        self.stderr.contents().len() >= self.limits.stderr_bytes
            || format!("{error:#}").contains("beyond capacity of MemoryOutputPipe")
    }

    /// The last line the guest wrote to stderr (e.g. its panic message; Rust's trailing
    /// `note:` hints are skipped), cleaned of control characters.
    pub fn stderr_tail(&self) -> Option<String> {
        let bytes = self.stderr.contents();
        let text = String::from_utf8_lossy(&bytes);
        let line = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with("note: "))?;
        Some(line.chars().filter(|c| !c.is_control()).take(500).collect())
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ResourceLimiter for State {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(current, desired))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(
            current.saturating_mul(TABLE_ELEMENT_BYTES),
            desired.saturating_mul(TABLE_ELEMENT_BYTES),
        ))
    }

    fn instances(&self) -> usize {
        self.limits.max_instances
    }

    fn tables(&self) -> usize {
        self.limits.max_tables
    }

    fn memories(&self) -> usize {
        self.limits.max_memories
    }
}

/// Replaces the monotonic clock's `subscribe-duration` and `subscribe-instant` with waits
/// that end at the call's deadline. They are the only WASI calls that can block a capability-
/// free store (stdin is closed, stdout and stderr never block, sockets are denied), and a
/// guest blocked in a host call is out of reach of epoch interruption: bounded here, the
/// guest resumes at the deadline and its next epoch check stops it.
pub fn bound_clock_waits(linker: &mut Linker<State>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    clock.func_wrap(
        "subscribe-duration",
        |mut store: StoreContextMut<'_, State>, (nanos,): (u64,)| {
            Ok((store.data_mut().bounded_wait(Duration::from_nanos(nanos))?,))
        },
    )?;
    // The guest's clock reads zero (frozen), so an instant is a wait from now.
    clock.func_wrap(
        "subscribe-instant",
        |mut store: StoreContextMut<'_, State>, (when,): (u64,)| {
            Ok((store.data_mut().bounded_wait(Duration::from_nanos(when))?,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// A clock wait: ready at its instant.
struct WaitUntil(tokio::time::Instant);

#[wasmtime_wasi::async_trait]
impl Pollable for WaitUntil {
    async fn ready(&mut self) {
        tokio::time::sleep_until(self.0).await;
    }
}

/// The three random sources WASI offers, each drawn from its own stream of `seed`.
fn seeded_randomness(seed: [u8; 32]) -> (StdRng, StdRng, u128) {
    let mut streams = StdRng::from_seed(seed);
    let secure = StdRng::from_rng(&mut streams);
    let insecure = StdRng::from_rng(&mut streams);
    (secure, insecure, streams.random())
}

/// A clock that always reads zero: plugins must not depend on time.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }

    fn now(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}
