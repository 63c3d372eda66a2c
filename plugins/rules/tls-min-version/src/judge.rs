//! The findings of one object: what every dialect family shares to read an object and
//! report on it. Each family module adds its own `impl Judge` block with the kinds it knows.

use std::borrow::Cow;
use std::cell::OnceCell;

use tollgate_sdk::{Check, Labels, Object, Pointer, Tally, lookup};

use crate::ciphers::{self, Suite};
use crate::protocol::Protocol;
use crate::{
    APISERVER_CIPHER_SUITES, KUBELET_CIPHER_SUITES, UNKNOWN_VALUE, WEAK_CIPHERS, WEAK_PROTOCOL,
};

/// What runs a TLS endpoint, for the CIS item that covers its cipher suites.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Component {
    ApiServer,
    Kubelet,
    Other,
}

impl Component {
    /// The component a container's program (its file name) runs.
    pub fn of_program(program: Option<&str>) -> Self {
        match program {
            Some("kube-apiserver") => Self::ApiServer,
            Some("kubelet") => Self::Kubelet,
            _ => Self::Other,
        }
    }

    /// The CIS check on this component's cipher suites, if it has one.
    pub fn cis_ciphers(self) -> Option<CisCiphers> {
        match self {
            Self::ApiServer => Some(CisCiphers {
                check: APISERVER_CIPHER_SUITES,
                item: "1.2.29",
                allowed: &ciphers::CIS_APISERVER_SUITES,
                summary: "TLS 1.3 suites, and ECDHE suites with AES-GCM or ChaCha20-Poly1305",
            }),
            Self::Kubelet => Some(CisCiphers {
                check: KUBELET_CIPHER_SUITES,
                item: "4.2.12",
                allowed: &ciphers::CIS_KUBELET_SUITES,
                summary: "ECDHE suites with AES-GCM or ChaCha20-Poly1305",
            }),
            Self::Other => None,
        }
    }
}

/// A CIS check on a component's cipher suites, its item and the allowlist it checks.
pub struct CisCiphers {
    pub check: Check,
    /// The CIS Kubernetes Benchmark item, for messages.
    pub item: &'static str,
    pub allowed: &'static [&'static str],
    /// What the allowlist holds, for the fix of a finding.
    pub summary: &'static str,
}

/// The findings of one object.
pub struct Judge<'a> {
    pub object: &'a Object,
    /// The rule's findings and coverage so far.
    pub tally: &'a mut Tally,
    /// The object's annotations, read on the first lookup: kinds judged by several
    /// annotations read the object once for all of them.
    annotations: OnceCell<Labels<'a>>,
}

impl<'a> Judge<'a> {
    pub fn new(object: &'a Object, tally: &'a mut Tally) -> Self {
        Self {
            object,
            tally,
            annotations: OnceCell::new(),
        }
    }

    /// `metadata.annotations[key]` when it is a string.
    pub fn annotation(&self, key: &str) -> Option<Cow<'a, str>> {
        let annotations = self.annotations.get_or_init(|| self.object.annotations());
        lookup(annotations, key).cloned()
    }

    /// Records that `checks` judged this object (it configures or serves what they read).
    pub fn judged(&mut self, checks: &[Check]) {
        for check in checks {
            self.tally.judged(check, self.object);
        }
    }

    /// A finding of `check` at `at`; the message starts with the object's name.
    pub fn report(&mut self, check: Check, at: Pointer, what: String) {
        let message = format!("{}: {what}", self.object.display_name());
        self.tally.found(check.at(self.object, at, message));
    }

    /// An `unknown-value` finding: `what` holds a value the rule cannot judge.
    pub fn unknown(&mut self, at: Pointer, what: &str, value: &str) {
        self.report(
            UNKNOWN_VALUE,
            at,
            format!("{what} has the unrecognised value {value:?}; it cannot be judged, so it is not passed"),
        );
    }

    /// A minimum version setting (`--tls-min-version`, `tlsMinVersion`, `minVersion`, ...).
    pub fn minimum(&mut self, at: Pointer, what: &str, value: &str, fix: &str) {
        match Protocol::parse(value) {
            None => self.unknown(at, what, value),
            Some(p) if p.is_weak() => self.report(
                WEAK_PROTOCOL,
                at,
                format!(
                    "{what} is {value} ({}), below TLS 1.2; set it to {fix}",
                    p.name()
                ),
            ),
            Some(_) => {}
        }
    }

    /// A list of IANA suite names at `at`, one entry at a time (entries that are no
    /// string are left out).
    pub fn suite_entries(
        &mut self,
        at: &Pointer,
        entries: &[Option<&str>],
        what: &str,
        component: Component,
    ) {
        for (i, entry) in entries.iter().enumerate() {
            if let Some(suite) = entry {
                self.suites(&at.at(i), what, &[suite], component);
            }
        }
    }

    /// Suite names configured at `at`: weak ones, unknown ones, and (for a component with
    /// a CIS check) every one outside its allowlist, one finding for each kind.
    pub fn suites(&mut self, at: &Pointer, what: &str, names: &[&str], component: Component) {
        let judged = |kind: Suite| -> Vec<&str> {
            let of_kind = names.iter().filter(|n| ciphers::classify_iana(n) == kind);
            of_kind.copied().collect()
        };
        let (weak, unknown) = (judged(Suite::Weak), judged(Suite::Unknown));
        if !weak.is_empty() {
            let message = format!(
                "{what} includes the weak suite{} {}; list only ECDHE AEAD suites",
                plural(weak.len()),
                weak.join(", ")
            );
            self.report(WEAK_CIPHERS, at.clone(), message);
        }
        if !unknown.is_empty() {
            self.unknown(at.clone(), what, &unknown.join(","));
        }
        let Some(cis) = component.cis_ciphers() else {
            return;
        };
        let outside: Vec<&str> = names
            .iter()
            .filter(|name| !cis.allowed.contains(name))
            .copied()
            .collect();
        if !outside.is_empty() {
            let message = format!(
                "{what} includes {}, outside the CIS {} allowlist; keep only suites of that list ({})",
                outside.join(", "),
                cis.item,
                cis.summary
            );
            self.report(cis.check, at.clone(), message);
        }
    }

    /// A component with a CIS item that lists no cipher suites (the setting is absent or
    /// empty): it serves Go's defaults, which the benchmark does not accept.
    pub fn suites_unset(&mut self, at: Pointer, what: &str, component: Component) {
        if let Some(cis) = component.cis_ciphers() {
            let message = format!(
                "{what} lists no suites, so Go's defaults are served, which CIS {} does not accept; set it to suites of the CIS list ({})",
                cis.item, cis.summary
            );
            self.report(cis.check, at, message);
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
