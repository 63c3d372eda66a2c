//! Workloads and their pod templates: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob and OpenShift's DeploymentConfig.

use serde_json::Value;

use crate::{Object, Pointer};

/// The kinds that run pods, with the path from the object to its pod template (`None` for
/// a bare Pod, whose own metadata and spec are the template).
const WORKLOADS: &[(&str, Option<&[&str]>)] = &[
    ("Pod", None),
    ("Deployment", Some(&["spec", "template"])),
    ("StatefulSet", Some(&["spec", "template"])),
    ("DaemonSet", Some(&["spec", "template"])),
    ("ReplicaSet", Some(&["spec", "template"])),
    ("ReplicationController", Some(&["spec", "template"])),
    ("Job", Some(&["spec", "template"])),
    ("DeploymentConfig", Some(&["spec", "template"])),
    (
        "CronJob",
        Some(&["spec", "jobTemplate", "spec", "template"]),
    ),
];

/// The kinds that run pods, for a rule's `kinds` when it reads workloads.
pub const KINDS: [&str; 9] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "DeploymentConfig",
    "CronJob",
];

/// The pod template of a workload: where it is and what it says.
pub struct PodTemplate<'a> {
    /// Pointer to the template (the object root for a Pod).
    pub pointer: Pointer,
    /// The template's `metadata.labels`.
    pub labels: Vec<(&'a str, &'a str)>,
    /// The template's `spec`, when present.
    pub spec: Option<&'a Value>,
}

/// One container of a pod spec (`initContainers`, `containers`, `ephemeralContainers`).
pub struct Container<'a> {
    pub name: &'a str,
    pub pointer: Pointer,
    pub value: &'a Value,
}

/// The pod template of a workload, or `None` for any other kind.
pub fn pod_template(object: &Object) -> Option<PodTemplate<'_>> {
    let (_, path) = WORKLOADS.iter().find(|(kind, _)| *kind == object.kind)?;
    let pointer = Pointer::root().path(path.unwrap_or(&[]).iter());
    let template = object.value().pointer(pointer.as_str())?;
    Some(PodTemplate {
        labels: crate::manifests::string_pairs(template.pointer("/metadata/labels")),
        spec: template.get("spec"),
        pointer,
    })
}

impl<'a> PodTemplate<'a> {
    /// Whether the pods use the node's network namespace (`hostNetwork: true`).
    pub fn host_network(&self) -> bool {
        self.spec
            .and_then(|s| s.get("hostNetwork"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// Every container of the pod spec, init and ephemeral ones included.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let Some(spec) = self.spec else {
            return Vec::new();
        };
        let spec_pointer = self.pointer.at("spec");
        ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .flat_map(|field| {
                let list = spec.get(field).and_then(Value::as_array);
                let pointer = spec_pointer.at(field);
                list.into_iter()
                    .flatten()
                    .enumerate()
                    .map(move |(i, value)| Container {
                        name: value.get("name").and_then(Value::as_str).unwrap_or(""),
                        pointer: pointer.at(i),
                        value,
                    })
            })
            .collect()
    }
}

impl<'a> Container<'a> {
    /// `command` then `args`, each string with its pointer.
    pub fn command_line(&self) -> Vec<(&'a str, Pointer)> {
        ["command", "args"]
            .into_iter()
            .flat_map(|field| {
                let list = self.value.get(field).and_then(Value::as_array);
                let pointer = self.pointer.at(field);
                list.into_iter()
                    .flatten()
                    .enumerate()
                    .filter_map(move |(i, v)| v.as_str().map(|s| (s, pointer.at(i))))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_are_the_workloads_with_a_pod_template() {
        let kinds: Vec<&str> = WORKLOADS.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(kinds, KINDS);
    }

    fn object(value: Value) -> Object {
        Object::new(0, "t.yaml".into(), value).unwrap()
    }

    #[test]
    fn cronjob_template_is_found() {
        let cron = object(json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {
                "metadata": {"labels": {"app": "backup"}},
                "spec": {"containers": [{"name": "b", "args": ["--x"]}]}
            }}}}
        }));
        let template = pod_template(&cron).unwrap();
        assert_eq!(template.labels, [("app", "backup")]);
        let containers = template.containers();
        assert_eq!(containers.len(), 1);
        assert_eq!(
            containers[0].command_line()[0].1.as_str(),
            "/spec/jobTemplate/spec/template/spec/containers/0/args/0"
        );
    }

    #[test]
    fn pod_is_its_own_template() {
        let pod = object(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}},
            "spec": {"initContainers": [{"name": "i"}], "containers": [{"name": "c"}]}
        }));
        let template = pod_template(&pod).unwrap();
        let names: Vec<_> = template.containers().iter().map(|c| c.name).collect();
        assert_eq!(names, ["i", "c"]);
        assert_eq!(
            template.containers()[1].pointer.as_str(),
            "/spec/containers/0"
        );
        assert!(pod_template(&object(json!({"kind": "Service"}))).is_none());
    }

    #[test]
    fn openshift_deployment_config_is_a_workload() {
        let config = object(json!({
            "apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": {"name": "d"},
            "spec": {"template": {"metadata": {"labels": {"app": "d"}},
                                  "spec": {"serviceAccountName": "d", "containers": [{"name": "c"}]}}}
        }));
        let template = pod_template(&config).unwrap();
        assert_eq!(template.labels, [("app", "d")]);
        assert_eq!(
            template.containers()[0].pointer.as_str(),
            "/spec/template/spec/containers/0"
        );
    }

    #[test]
    fn odd_templates_yield_no_containers() {
        for value in [
            json!({"kind": "Deployment", "spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}),
            json!({"kind": "Deployment", "spec": {"template": "text"}}),
            json!({"kind": "Deployment", "spec": {"template": {"spec": {"containers": {"name": "c"}}}}}),
            json!({"kind": "Pod", "metadata": "m", "spec": []}),
        ] {
            let workload = object(value);
            let containers = pod_template(&workload).map(|t| t.containers().len());
            assert_eq!(containers, Some(0), "{:?}", workload.value());
        }
        assert!(pod_template(&object(json!({"kind": "Deployment", "spec": 1}))).is_none());
    }
}
