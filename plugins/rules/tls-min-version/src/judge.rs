//! The findings of one object: what every dialect family shares to read an object and
//! report on it. Each family module adds its own `impl Judge` block with the kinds it knows.

use tollgate_sdk::{Check, Finding, Object, Pointer, Value};

use crate::ciphers::{self, Suite};
use crate::protocol::Protocol;
use crate::{
    APISERVER_TLS_ITEM, KUBELET_TLS_ITEM, Seen, UNKNOWN_VALUE, WEAK_CIPHERS, WEAK_PROTOCOL,
};

/// What runs a TLS endpoint, for the CIS item that covers it.
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

    /// Adds the CIS item of this component, if any, to a finding about its TLS settings.
    pub fn mark(self, finding: Finding) -> Finding {
        match self {
            Self::ApiServer => finding.with_control(APISERVER_TLS_ITEM),
            Self::Kubelet => finding.with_control(KUBELET_TLS_ITEM),
            Self::Other => finding,
        }
    }
}

/// The findings of one object.
pub struct Judge<'a> {
    pub object: &'a Object,
    pub findings: &'a mut Vec<Finding>,
    pub seen: &'a mut Seen,
}

impl<'a> Judge<'a> {
    /// The node at `pointer`, if the object has it.
    pub fn value(&self, pointer: &str) -> Option<&'a Value> {
        self.object.value().pointer(pointer)
    }

    /// The string at `pointer`, if it is one.
    pub fn text(&self, pointer: &str) -> Option<&'a str> {
        self.value(pointer).and_then(Value::as_str)
    }

    /// The array at `pointer`, empty when it is absent or not an array.
    pub fn list(&self, pointer: &str) -> &'a [Value] {
        self.value(pointer)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The pointer of the deepest node of `pointer` that exists in the object: findings
    /// about something missing point at its nearest existing parent.
    pub fn nearest(&self, pointer: &str) -> Pointer {
        let mut at = pointer;
        while !at.is_empty() && self.value(at).is_none() {
            at = at.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
        Pointer::parse(at)
    }

    /// A finding of `check` at `at`; the message starts with the object's name.
    pub fn report(&mut self, check: Check, at: Pointer, what: String) {
        self.push(check, at, what, Component::Other);
    }

    /// A finding about the TLS settings of `component`, marked with its CIS item.
    pub fn push(&mut self, check: Check, at: Pointer, what: String, component: Component) {
        let message = format!("{}: {what}", self.object.display_name());
        let finding = component.mark(check.at(self.object, at, message));
        self.findings.push(finding);
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
    pub fn minimum(
        &mut self,
        at: Pointer,
        what: &str,
        value: &str,
        fix: &str,
        component: Component,
    ) {
        match Protocol::parse(value) {
            None => self.unknown(at, what, value),
            Some(p) if p.is_weak() => self.push(
                WEAK_PROTOCOL,
                at,
                format!(
                    "{what} is {value} ({}), below TLS 1.2; set it to {fix}",
                    p.name()
                ),
                component,
            ),
            Some(_) => {}
        }
    }

    /// The minimum version set at `pointer`, if it is set.
    pub fn minimum_field(&mut self, pointer: &str, what: &str, fix: &str, component: Component) {
        if let Some(value) = self.text(pointer) {
            self.minimum(Pointer::parse(pointer), what, value, fix, component);
        }
    }

    /// Each weak or unknown suite of the list of IANA suite names at `pointer`.
    pub fn cipher_suites(&mut self, pointer: &str, what: &str, component: Component) {
        for (i, entry) in self.list(pointer).iter().enumerate() {
            let Some(suite) = entry.as_str() else {
                continue;
            };
            let at = Pointer::parse(pointer).at(i);
            match ciphers::classify_iana(suite) {
                Suite::Strong => {}
                Suite::Weak => self.push(
                    WEAK_CIPHERS,
                    at,
                    format!("{what} includes the weak suite {suite}; list only ECDHE AEAD suites"),
                    component,
                ),
                Suite::Unknown => self.unknown(at, what, suite),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::serde_json::json;

    #[test]
    fn nearest_climbs_to_the_deepest_existing_node() {
        let object = Object::new(
            0,
            "t.yaml".into(),
            json!({"kind": "Route", "spec": {"to": {"name": "web"}}}),
        )
        .unwrap();
        let (mut findings, mut seen) = (Vec::new(), Seen::default());
        let judge = Judge {
            object: &object,
            findings: &mut findings,
            seen: &mut seen,
        };
        assert_eq!(judge.nearest("/spec/tls/termination").as_str(), "/spec");
        assert_eq!(judge.nearest("/spec/to/name").as_str(), "/spec/to/name");
        assert_eq!(judge.nearest("/metadata/annotations").as_str(), "");
    }
}
