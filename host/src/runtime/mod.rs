//! The sandboxed plugin runtime: one wasmtime [`Engine`] with an epoch ticker, components
//! compiled once (and cached on disk, with their `info()`), and a fresh, capability-free
//! store for every call (one for all the calls of a manifest check). A plugin whose info is
//! cached is loaded lazily: its component is read only when the run first calls it, so a
//! run pays only for the rules it runs.
//!
//! A plugin failure (trap, timeout, memory exhaustion, malformed result, reported error)
//! is a [`RuleError`] of that plugin alone; the caller decides what it means for the run.

mod bindings;
mod builtin;
mod cache;
mod contract;
mod inspect;
mod limits;
mod lowered;
mod sandbox;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Instance, Linker};
use wasmtime::{Config, Engine, Trap};

pub use bindings::{
    CheckError, CheckInfo, Control, Coverage, File, FileLocation, Finding, InputKind, Location,
    ObjectLocation, RuleInfo, SettingsError, Severity, Verdict,
};
pub use cache::ComponentCache;
pub(crate) use contract::is_kebab_case;
pub use inspect::{Import, Inspection};
pub use limits::Limits;
pub use lowered::DocumentRef;
pub use sandbox::Access;

use bindings::RulePre;
use limits::MemoryBudget;
use lowered::{DOCUMENT_BATCH, ManifestSetRef};
use sandbox::State;

use crate::vocab::hex;

/// The contract this host speaks: the WIT package of `wit/`.
pub const CONTRACT: &str = "tollgate:policy@0.4.0";

/// Where a plugin came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PluginSource {
    /// Built from `plugins/rules/<name>` and embedded in this binary.
    Builtin(&'static str),
    /// Loaded with `--plugin FILE.wasm`.
    File(PathBuf),
    /// Listed in the config file's `plugins:` with the SHA-256 it must have.
    Pinned(PathBuf),
}

impl std::fmt::Display for PluginSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Builtin(name) => write!(f, "builtin plugin {name}"),
            Self::File(path) => write!(f, "plugin {}", path.display()),
            Self::Pinned(path) => write!(f, "pinned plugin {}", path.display()),
        }
    }
}

/// A plugin file the config pins: loaded only when its bytes have this SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinnedPlugin {
    /// The file, relative to the working directory (the config gives it relative to itself).
    pub path: PathBuf,
    /// Lower-case hex.
    pub sha256: String,
}

/// Why a plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "pinned plugin {path} has SHA-256 {actual}, but the config pins {expected}: not loading it"
    )]
    DigestMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{source_name} is not a WebAssembly component wasmtime can compile: {error:#}")]
    Compile {
        source_name: PluginSource,
        error: wasmtime::Error,
    },
    #[error(
        "{source_name} was built for {speaks}; this tollgate speaks {CONTRACT}: rebuild the \
         plugin against the wit/ of this release"
    )]
    OtherContract {
        source_name: PluginSource,
        speaks: String,
    },
    #[error("{source_name} does not implement the {CONTRACT} rule world: {error:#}")]
    Link {
        source_name: PluginSource,
        error: wasmtime::Error,
    },
    #[error("{source_name} failed in info(): {error}")]
    Info {
        source_name: PluginSource,
        error: RuleError,
    },
    #[error("{source_name} has an invalid info(): {reason}")]
    InvalidInfo {
        source_name: PluginSource,
        reason: String,
    },
    #[error("{first} and {second} both claim rule id {id:?}")]
    DuplicateRule {
        id: String,
        first: PluginSource,
        second: PluginSource,
    },
}

/// Why a rule produced no trustworthy result for one call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("exceeded its time limit of {0:?} and was stopped")]
    Timeout(Duration),
    #[error("exceeded its memory limit of {0} MiB and was stopped")]
    OutOfMemory(usize),
    #[error("creates more than {limit} {what} (a rule needs fewer) and was refused")]
    TooManyObjects { what: &'static str, limit: usize },
    #[error("trapped: {0}")]
    Trap(String),
    #[error("wrote more than {0} KiB to stderr and was stopped")]
    StderrFull(usize),
    #[error("could not read its input: {0}")]
    InvalidInput(String),
    #[error("failed: {0}")]
    Internal(String),
    #[error("returned a malformed result: {0}")]
    Malformed(String),
    #[error("could not be loaded: {0}")]
    Unloadable(String),
}

/// A loaded plugin: validated metadata, and a component ready to instantiate once the run
/// first calls it.
pub struct Plugin {
    pub info: RuleInfo,
    pub source: PluginSource,
    /// SHA-256 (hex) of the component bytes.
    pub sha256: String,
    /// Where the plugin's randomness comes from: the component's SHA-256, so that the same
    /// plugin draws the same numbers on every run.
    seed: [u8; 32],
    /// The component's bytes, compiled (or read from the cache) on first call.
    bytes: Cow<'static, [u8]>,
    /// The linked component, or why it could not be had.
    pre: OnceLock<Result<RulePre<State>, String>>,
}

impl Plugin {
    /// An external plugin's accepted findings, credited only when the operator's settings
    /// for the rule hold the reason, which then names the setting; builtin rules (ours,
    /// which may also honour inline allow comments) are believed as they are.
    fn credit_acceptances(
        &self,
        mut verdict: Verdict,
        settings: &str,
    ) -> Result<Verdict, RuleError> {
        if matches!(self.source, PluginSource::Builtin(_)) {
            return Ok(verdict);
        }
        for finding in &mut verdict.findings {
            if let Some(reason) = &finding.accepted {
                let setting = contract::setting_giving(settings, reason).map_err(|why| {
                    RuleError::Malformed(format!("finding {:?} {why}", finding.check))
                })?;
                finding.accepted = Some(format!("{reason} (setting {setting})"));
            }
        }
        Ok(verdict)
    }
}

/// The engine, the WASI linker, the limits and the epoch ticker; shared by all plugins.
pub struct Runtime {
    engine: Engine,
    linker: Linker<State>,
    limits: Limits,
    budget: MemoryBudget,
    cache: ComponentCache,
    _ticker: EpochTicker,
}

impl Runtime {
    pub fn new(limits: Limits, cache: ComponentCache) -> wasmtime::Result<Self> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.wasm_component_model(true);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        sandbox::bound_clock_waits(&mut linker)?;
        let ticker = EpochTicker::start(engine.clone());
        Ok(Self {
            engine,
            linker,
            limits,
            budget: MemoryBudget::new(&limits),
            cache,
            _ticker: ticker,
        })
    }

    /// Loads the builtin plugins, the `pinned` plugin files (refusing one whose digest is
    /// not its pin, before compiling it) and the `extra` ones, in parallel, in that order.
    /// Two plugins claiming the same rule id are refused.
    pub fn load_all(
        &self,
        pinned: &[PinnedPlugin],
        extra: &[PathBuf],
    ) -> Result<Vec<Plugin>, LoadError> {
        use rayon::prelude::*;
        let builtin = builtin::BUILTIN_PLUGINS
            .par_iter()
            .map(|&(name, bytes, seed)| {
                self.load(PluginSource::Builtin(name), Cow::Borrowed(bytes), seed)
            });
        let pinned = pinned.par_iter().map(|pin| {
            let bytes = read_plugin(&pin.path)?;
            let seed: [u8; 32] = Sha256::digest(&bytes).into();
            let actual = hex(&seed);
            if actual != pin.sha256 {
                return Err(LoadError::DigestMismatch {
                    path: pin.path.clone(),
                    expected: pin.sha256.clone(),
                    actual,
                });
            }
            self.load(PluginSource::Pinned(pin.path.clone()), bytes.into(), seed)
        });
        let files = extra.par_iter().map(|path| {
            let bytes = read_plugin(path)?;
            let seed = Sha256::digest(&bytes).into();
            self.load(PluginSource::File(path.clone()), bytes.into(), seed)
        });
        let plugins: Vec<Plugin> = builtin
            .chain(pinned)
            .chain(files)
            .collect::<Result<_, _>>()?;
        for (i, plugin) in plugins.iter().enumerate() {
            if let Some(first) = plugins[..i].iter().find(|p| p.info.id == plugin.info.id) {
                return Err(LoadError::DuplicateRule {
                    id: plugin.info.id.clone(),
                    first: first.source.clone(),
                    second: plugin.source.clone(),
                });
            }
        }
        Ok(plugins)
    }

    /// One plugin whose bytes have the SHA-256 `seed`: described by its cached info when
    /// the cache holds it (the component is then read on first call), else compiled,
    /// linked and asked for its `info()`, which is refused when it breaks the contract.
    fn load(
        &self,
        source: PluginSource,
        bytes: Cow<'static, [u8]>,
        seed: [u8; 32],
    ) -> Result<Plugin, LoadError> {
        let digest = hex(&seed);
        let cached = self
            .cache
            .info(&self.engine, &digest)
            .filter(|info| contract::validate_info(info).is_ok());
        if let Some(info) = cached {
            return Ok(Plugin {
                info,
                source,
                sha256: digest,
                seed,
                bytes,
                pre: OnceLock::new(),
            });
        }
        let compiled = self.compile(&source, &bytes, &digest)?;
        let pre = self.link(&source, &compiled.component)?;
        let info = self.describe(&source, &pre, seed)?;
        if let Some(code) = &compiled.fresh {
            self.cache.store(&self.engine, &digest, &info, code);
        }
        Ok(Plugin {
            info,
            source,
            sha256: digest,
            seed,
            bytes,
            pre: OnceLock::from(Ok(pre)),
        })
    }

    /// The component of `bytes` (whose SHA-256 hex is `digest`), from the cache or compiled.
    fn compile(
        &self,
        source: &PluginSource,
        bytes: &[u8],
        digest: &str,
    ) -> Result<cache::Compiled, LoadError> {
        self.cache
            .component(&self.engine, bytes, digest)
            .map_err(|error| LoadError::Compile {
                source_name: source.clone(),
                error,
            })
    }

    /// Links a compiled component against the host's imports, saying which contract it
    /// speaks when that is not this host's.
    fn link(
        &self,
        source: &PluginSource,
        component: &Component,
    ) -> Result<RulePre<State>, LoadError> {
        self.linker
            .instantiate_pre(component)
            .and_then(RulePre::new)
            .map_err(|error| match self.contract_of(component) {
                Some(speaks) if speaks != CONTRACT => LoadError::OtherContract {
                    source_name: source.clone(),
                    speaks,
                },
                _ => LoadError::Link {
                    source_name: source.clone(),
                    error,
                },
            })
    }

    /// Asks a linked component for its `info()`, refusing it when that breaks the contract.
    fn describe(
        &self,
        source: &PluginSource,
        pre: &RulePre<State>,
        seed: [u8; 32],
    ) -> Result<RuleInfo, LoadError> {
        let info = self
            .call(pre, seed, |rule, store| rule.call_info(store))
            .map_err(|error| LoadError::Info {
                source_name: source.clone(),
                error,
            })?;
        contract::validate_info(&info).map_err(|reason| LoadError::InvalidInfo {
            source_name: source.clone(),
            reason,
        })?;
        Ok(info)
    }

    /// The linked component of a plugin, read from the cache (or compiled, and the entry
    /// rewritten) on first use.
    fn pre<'p>(&self, plugin: &'p Plugin) -> Result<&'p RulePre<State>, RuleError> {
        let linked = plugin.pre.get_or_init(|| {
            let compiled = self
                .compile(&plugin.source, &plugin.bytes, &plugin.sha256)
                .map_err(|e| e.to_string())?;
            let pre = self
                .link(&plugin.source, &compiled.component)
                .map_err(|e| e.to_string())?;
            if let Some(code) = &compiled.fresh {
                self.cache
                    .store(&self.engine, &plugin.sha256, &plugin.info, code);
            }
            Ok(pre)
        });
        linked
            .as_ref()
            .map_err(|why| RuleError::Unloadable(why.clone()))
    }

    /// Why cache entries were recompiled or the cache was not used, since last asked:
    /// components load on first call, so a run has notes after loading too.
    pub fn take_cache_notes(&self) -> Vec<String> {
        self.cache.take_notes()
    }

    /// Runs `validate-settings` on the JSON text of the rule's settings.
    pub fn validate_settings(
        &self,
        plugin: &Plugin,
        settings: &str,
    ) -> Result<Result<(), SettingsError>, RuleError> {
        self.call(self.pre(plugin)?, plugin.seed, |rule, store| {
            rule.call_validate_settings(store, settings)
        })
    }

    /// Checks the manifest set of `documents` in a fresh instance: `begin-manifests`, then
    /// `add-documents` batch after batch, then `check-manifests`. The documents' texts are
    /// borrowed: lowering copies them into the guest's memory, and nothing else does.
    pub fn check_manifests<'a>(
        &self,
        plugin: &Plugin,
        default_namespace: &str,
        mut documents: impl ExactSizeIterator<Item = DocumentRef<'a>>,
        settings: &str,
    ) -> Result<Verdict, RuleError> {
        type Done = (Result<(), CheckError>,);
        let count = documents.len();
        let set = ManifestSetRef {
            default_namespace,
            documents: u32::try_from(count).expect("positions in the set are u32"),
        };
        let verdict = self.call_instance(self.pre(plugin)?, plugin.seed, |instance, store| {
            let begin = instance.get_typed_func::<(&ManifestSetRef<'_>, &str), Done>(
                &mut *store,
                "begin-manifests",
            )?;
            let add = instance
                .get_typed_func::<(&[DocumentRef<'_>],), Done>(&mut *store, "add-documents")?;
            let check = instance.get_typed_func::<(), (Result<Verdict, CheckError>,)>(
                &mut *store,
                "check-manifests",
            )?;
            if let (Err(refused),) = begin.call(&mut *store, (&set, settings))? {
                return Ok(Err(refused));
            }
            let mut batch = Vec::with_capacity(count.min(DOCUMENT_BATCH));
            loop {
                batch.clear();
                batch.extend(documents.by_ref().take(DOCUMENT_BATCH));
                if batch.is_empty() {
                    break;
                }
                if let (Err(refused),) = add.call(&mut *store, (&batch,))? {
                    return Ok(Err(refused));
                }
            }
            Ok(check.call(store, ())?.0)
        })?;
        let verdict = verdict.map_err(contract::check_error)?;
        contract::validate_verdict(&plugin.info, &verdict, count, |location| match location {
            Location::Object(o) => (o.document as usize) < count,
            Location::File(_) => false,
        })?;
        plugin.credit_acceptances(verdict, settings)
    }

    /// Runs `check-files` over one batch in a fresh instance.
    pub fn check_files(
        &self,
        plugin: &Plugin,
        batch: &[File],
        settings: &str,
    ) -> Result<Verdict, RuleError> {
        let verdict = self.call(self.pre(plugin)?, plugin.seed, |rule, store| {
            rule.call_check_files(store, batch, settings)
        })?;
        let verdict = verdict.map_err(contract::check_error)?;
        contract::validate_verdict(&plugin.info, &verdict, 0, |location| match location {
            Location::File(f) => {
                f.line >= 1 && f.column >= 1 && batch.iter().any(|b| b.path == f.path)
            }
            Location::Object(_) => false,
        })?;
        plugin.credit_acceptances(verdict, settings)
    }

    /// Instantiates `pre` in a fresh store, once the memory budget has room for it, and
    /// runs `f`, turning every failure into a [`RuleError`] that says what happened. A
    /// result that comes back after the deadline is a timeout too.
    fn call<R>(
        &self,
        pre: &RulePre<State>,
        seed: [u8; 32],
        f: impl FnOnce(&bindings::Rule, &mut wasmtime::Store<State>) -> wasmtime::Result<R>,
    ) -> Result<R, RuleError> {
        self.call_instance(pre, seed, |instance, store| {
            let rule = bindings::Rule::new(&mut *store, instance)?;
            f(&rule, store)
        })
    }

    /// [`Self::call`] with the bare instance, for exports called with the host's own
    /// (borrowing) types rather than the generated ones.
    fn call_instance<R>(
        &self,
        pre: &RulePre<State>,
        seed: [u8; 32],
        f: impl FnOnce(&Instance, &mut wasmtime::Store<State>) -> wasmtime::Result<R>,
    ) -> Result<R, RuleError> {
        let _slot = self.budget.enter();
        let mut store = State::store(&self.engine, self.limits, seed);
        let result = pre
            .instance_pre()
            .instantiate(&mut store)
            .and_then(|instance| f(&instance, &mut store));
        match result {
            Ok(_) if store.data().out_of_time() => {
                Err(RuleError::Timeout(self.limits.call_timeout))
            }
            Ok(value) => Ok(value),
            Err(error) => Err(self.classify(&store, error)),
        }
    }

    fn classify(&self, store: &wasmtime::Store<State>, error: wasmtime::Error) -> RuleError {
        if store.data().memory_exceeded {
            return RuleError::OutOfMemory(self.limits.memory_bytes >> 20);
        }
        if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) || store.data().out_of_time() {
            return RuleError::Timeout(self.limits.call_timeout);
        }
        if let Some(refused) = self.too_many_objects(&error) {
            return refused;
        }
        if store.data().stderr_full(&error) {
            return RuleError::StderrFull(self.limits.stderr_bytes >> 10);
        }
        let trap = error
            .downcast_ref::<Trap>()
            .map_or_else(|| format!("{error:#}"), |t| t.to_string());
        RuleError::Trap(match store.data().stderr_tail() {
            Some(said) => format!("{trap} (plugin said: {said})"),
            None => trap,
        })
    }
}

impl Runtime {
    /// The `tollgate:policy@VERSION` package a component's imports name, if any: a plugin
    /// built against another version of the contract imports its `types` interface.
    fn contract_of(&self, component: &wasmtime::component::Component) -> Option<String> {
        component
            .component_type()
            .imports(&self.engine)
            .find_map(|(name, _)| inspect::contract_version(name))
            .map(|version| format!("{}@{version}", inspect::CONTRACT_PACKAGE))
    }

    /// Wasmtime's refusal to create more memories or tables than the limiter allows (it
    /// says so in its message only: "resource limit exceeded: memory count too high").
    fn too_many_objects(&self, error: &wasmtime::Error) -> Option<RuleError> {
        let message = format!("{error:#}");
        let (what, limit) = if message.contains("memory count too high") {
            ("linear memories", self.limits.max_memories)
        } else if message.contains("table count too high") {
            ("tables", self.limits.max_tables)
        } else if message.contains("instance count too high") {
            ("instances", self.limits.max_instances)
        } else {
            return None;
        };
        Some(RuleError::TooManyObjects { what, limit })
    }
}

/// Advances the engine's epoch every [`limits::EPOCH_TICK`] until dropped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("tollgate-epoch".into())
            .spawn(move || {
                // Parked rather than asleep, so that dropping the ticker wakes it at once
                // (a short run must not wait out a tick on exit).
                let mut next = Instant::now() + limits::EPOCH_TICK;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::park_timeout(next.saturating_duration_since(Instant::now()));
                    if Instant::now() >= next {
                        engine.increment_epoch();
                        next = Instant::now() + limits::EPOCH_TICK;
                    }
                }
            })
            .expect("spawning the epoch thread");
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// The bytes of a plugin file.
fn read_plugin(path: &std::path::Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })
}
