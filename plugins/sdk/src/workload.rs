//! Workloads and their pod templates: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob and OpenShift's DeploymentConfig.

use std::cell::RefCell;

use serde::Deserialize;

use crate::manifests::{Labels, string_entries};
use crate::recent::Recent;
use crate::typed::{TextMap, object, objects, present_object, present_text, scalar, text, texts};
use crate::{Object, Pointer};

/// Where a kind keeps its pod template.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TemplateAt {
    /// A bare Pod: its own metadata and spec are the template.
    Root,
    /// `spec.template`.
    Spec,
    /// `spec.jobTemplate.spec.template` (CronJob).
    JobSpec,
}

impl TemplateAt {
    /// The pointer to the template.
    fn pointer(self) -> Pointer {
        let path: &[&str] = match self {
            Self::Root => &[],
            Self::Spec => &["spec", "template"],
            Self::JobSpec => &["spec", "jobTemplate", "spec", "template"],
        };
        Pointer::root().path(path)
    }
}

/// The kinds that run pods, with where their pod template is.
const WORKLOADS: &[(&str, TemplateAt)] = &[
    ("Pod", TemplateAt::Root),
    ("Deployment", TemplateAt::Spec),
    ("StatefulSet", TemplateAt::Spec),
    ("DaemonSet", TemplateAt::Spec),
    ("ReplicaSet", TemplateAt::Spec),
    ("ReplicationController", TemplateAt::Spec),
    ("Job", TemplateAt::Spec),
    ("DeploymentConfig", TemplateAt::Spec),
    ("CronJob", TemplateAt::JobSpec),
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

/// The pod template of a workload: where it is and what it says, its spec read as `S`
/// ([`PodSpec`] unless a rule reads fewer fields, see [`pod_template_with`]).
pub struct PodTemplate<'a, S = PodSpec<'a>> {
    /// Pointer to the template (the object root for a Pod).
    pub pointer: Pointer,
    /// The template's `metadata.labels`.
    pub labels: Labels<'a>,
    /// The template's `spec` (empty when absent or no object).
    pub spec: S,
}

/// A pod spec, the fields rules read (read leniently, see [`crate::typed`]).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodSpec<'a> {
    #[serde(deserialize_with = "scalar")]
    pub host_network: Option<bool>,
    /// `Some` when the field is there at all: then it alone names the ServiceAccount
    /// (even when it is no string), and the deprecated `serviceAccount` is not read.
    #[serde(borrow, deserialize_with = "present_text")]
    pub service_account_name: Option<Option<&'a str>>,
    #[serde(borrow, deserialize_with = "present_text")]
    pub service_account: Option<Option<&'a str>>,
    #[serde(deserialize_with = "scalar")]
    pub automount_service_account_token: Option<bool>,
    #[serde(borrow, deserialize_with = "objects")]
    pub init_containers: Option<Vec<ContainerSpec<'a>>>,
    #[serde(borrow, deserialize_with = "objects")]
    pub containers: Option<Vec<ContainerSpec<'a>>>,
    #[serde(borrow, deserialize_with = "objects")]
    pub ephemeral_containers: Option<Vec<ContainerSpec<'a>>>,
}

/// A container of a pod spec, the fields rules read.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ContainerSpec<'a> {
    #[serde(borrow, deserialize_with = "text")]
    pub name: Option<&'a str>,
    #[serde(borrow, deserialize_with = "texts")]
    pub command: Option<Vec<Option<&'a str>>>,
    #[serde(borrow, deserialize_with = "texts")]
    pub args: Option<Vec<Option<&'a str>>>,
    #[serde(borrow, deserialize_with = "objects")]
    pub env: Option<Vec<EnvVar<'a>>>,
    #[serde(deserialize_with = "object")]
    pub security_context: Option<SecurityContext>,
}

/// A container's `securityContext`, the fields rules read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SecurityContext {
    #[serde(deserialize_with = "scalar")]
    pub privileged: Option<bool>,
}

/// One `env` entry of a container: a literal `value` (a `valueFrom` reference is none).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnvVar<'a> {
    #[serde(borrow, deserialize_with = "text")]
    pub name: Option<&'a str>,
    #[serde(borrow, deserialize_with = "text")]
    pub value: Option<&'a str>,
}

/// A pod template as written: present whatever it holds, its fields read when it is an
/// object.
#[derive(Default, Deserialize)]
#[serde(default, bound(deserialize = "S: Deserialize<'de> + Default"))]
struct Template<'a, S> {
    #[serde(borrow, deserialize_with = "object")]
    metadata: Option<TemplateMetadata<'a>>,
    #[serde(deserialize_with = "object")]
    spec: Option<S>,
}

/// A template's `metadata`, the labels pods get.
#[derive(Default, Deserialize)]
#[serde(default)]
struct TemplateMetadata<'a> {
    #[serde(borrow, deserialize_with = "crate::typed::text_map")]
    labels: TextMap<'a>,
}

/// A template read for its `spec` only, as `S`: what [`pod_spec`] reads.
#[derive(Default, Deserialize)]
#[serde(default, bound(deserialize = "S: Deserialize<'de> + Default"))]
struct SpecOnly<S> {
    #[serde(deserialize_with = "object")]
    spec: Option<S>,
}

/// A workload holding its template `T` at `spec.template`, or (a CronJob) at
/// `spec.jobTemplate.spec.template`: what leads there is read, nothing else.
#[derive(Default, Deserialize)]
#[serde(default, bound(deserialize = "T: Deserialize<'de> + Default"))]
struct Workload<T> {
    #[serde(deserialize_with = "object")]
    spec: Option<WorkloadSpec<T>>,
}

/// A workload's `spec`, the fields leading to its template.
#[derive(Default, Deserialize)]
#[serde(
    default,
    rename_all = "camelCase",
    bound(deserialize = "T: Deserialize<'de> + Default")
)]
struct WorkloadSpec<T> {
    #[serde(deserialize_with = "present_object")]
    template: Option<T>,
    #[serde(deserialize_with = "object")]
    job_template: Option<JobTemplate<T>>,
}

/// A CronJob's `spec.jobTemplate`.
#[derive(Default, Deserialize)]
#[serde(default, bound(deserialize = "T: Deserialize<'de> + Default"))]
struct JobTemplate<T> {
    #[serde(deserialize_with = "object")]
    spec: Option<JobSpec<T>>,
}

/// A CronJob's `spec.jobTemplate.spec`.
#[derive(Default, Deserialize)]
#[serde(default, bound(deserialize = "T: Deserialize<'de> + Default"))]
struct JobSpec<T> {
    #[serde(deserialize_with = "present_object")]
    template: Option<T>,
}

/// One container of a pod spec (`initContainers`, `containers`, `ephemeralContainers`):
/// what it says, and where it is.
pub struct Container<'a> {
    pub pointer: Pointer,
    pub spec: ContainerSpec<'a>,
}

/// The pod template of a workload, or `None` for any other kind.
pub fn pod_template(object: &Object) -> Option<PodTemplate<'_>> {
    pod_template_with(object)
}

/// The pod template of a workload, its spec read as `S` (a rule's few fields of a pod
/// spec, when it needs neither containers nor the rest of [`PodSpec`]), or `None` for
/// any other kind.
pub fn pod_template_with<'a, S>(object: &'a Object) -> Option<PodTemplate<'a, S>>
where
    S: Deserialize<'a> + Default,
{
    let (at, template) = read_template::<Template<S>>(object)?;
    Some(PodTemplate {
        pointer: at.pointer(),
        labels: string_entries(template.metadata.and_then(|m| m.labels)),
        spec: template.spec.unwrap_or_default(),
    })
}

/// The pointer to a workload's pod template and its `spec` read as `S` (empty when absent
/// or no object), or `None` for any other kind: for a rule that needs a few fields of the
/// spec (`S` holds only those), not the containers [`pod_template`] reads. `Some` exactly
/// when [`pod_template`] finds a template.
pub fn pod_spec<'a, S: Deserialize<'a> + Default>(object: &'a Object) -> Option<(Pointer, S)> {
    let (at, template) = read_template::<SpecOnly<S>>(object)?;
    Some((at.pointer(), template.spec.unwrap_or_default()))
}

/// Where a workload keeps its pod template, and the template read as `T`.
fn read_template<'a, T: Deserialize<'a> + Default>(object: &'a Object) -> Option<(TemplateAt, T)> {
    let at = template_at(object)?;
    let template = match at {
        TemplateAt::Root => object.read(),
        TemplateAt::Spec => object.read::<Workload<T>>().spec?.template?,
        TemplateAt::JobSpec => {
            let job = object.read::<Workload<T>>().spec?.job_template?;
            job.spec?.template?
        }
    };
    Some((at, template))
}

/// Where a workload keeps its pod template, or `None` for any other kind.
fn template_at(object: &Object) -> Option<TemplateAt> {
    let workload = WORKLOADS.iter().find(|(kind, _)| *kind == object.kind);
    workload.map(|&(_, at)| at)
}

/// Where a workload keeps its pod template (whether or not it holds one), or `None` for
/// any other kind.
pub fn template_pointer(object: &Object) -> Option<Pointer> {
    template_at(object).map(TemplateAt::pointer)
}

/// Of a workload, the object [keeping](Object::keeping) only the nodes at `paths` below
/// its pod template (each a list of keys, e.g. `["spec", "serviceAccountName"]`); any
/// other kind as it is. For a rule's [`Rule::keep`](crate::Rule::keep) of thousands of
/// workloads: the nodes' pointers are made once per place a kind keeps its template, not
/// once per object.
pub fn keeping_in_template(object: Object, paths: &[&[&str]]) -> Object {
    let Some(at) = template_at(&object) else {
        return object;
    };
    TEMPLATE_NODES.with_borrow_mut(|nodes| object.keeping(nodes.of(at, paths)))
}

thread_local! {
    /// The pointers of the template nodes kept lately (see [`keeping_in_template`]).
    static TEMPLATE_NODES: RefCell<TemplateNodes> = RefCell::default();
}

/// The pointers of a few lists of template nodes, by where the template is: a rule keeps
/// one or two lists at the three places a template may be.
#[derive(Default)]
struct TemplateNodes(Recent<(TemplateAt, Vec<Vec<String>>), Vec<Pointer>, 8>);

impl TemplateNodes {
    /// The pointers to `paths` below the template at `at`, made on first use.
    fn of(&mut self, at: TemplateAt, paths: &[&[&str]]) -> &[Pointer] {
        let is_key = |(place, list): &(TemplateAt, Vec<Vec<String>>)| {
            *place == at && list.len() == paths.len() && list.iter().zip(paths).all(|(a, b)| a == b)
        };
        let make = || {
            let template = at.pointer();
            let pointers = paths.iter().map(|path| template.path(*path)).collect();
            let list = paths
                .iter()
                .map(|path| path.iter().map(|key| key.to_string()).collect())
                .collect();
            ((at, list), pointers)
        };
        self.0.get_or_make(is_key, make)
    }
}

/// Whether [`pod_template`] finds a template, without reading it.
pub fn has_pod_template(object: &Object) -> bool {
    template_pointer(object).is_some_and(|at| object.contains(&at))
}

impl<'a> PodTemplate<'a> {
    /// Whether the pods use the node's network namespace (`hostNetwork: true`).
    pub fn host_network(&self) -> bool {
        self.spec.host_network.unwrap_or(false)
    }

    /// Every container of the pod spec, init and ephemeral ones included, in that
    /// order: `initContainers`, `containers`, `ephemeralContainers`.
    pub fn containers(self) -> Vec<Container<'a>> {
        let spec_pointer = self.pointer.at("spec");
        let PodSpec {
            init_containers,
            containers,
            ephemeral_containers,
            ..
        } = self.spec;
        [
            ("initContainers", init_containers),
            ("containers", containers),
            ("ephemeralContainers", ephemeral_containers),
        ]
        .into_iter()
        .flat_map(|(field, list)| {
            let pointer = spec_pointer.at(field);
            list.into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, spec)| Container {
                    pointer: pointer.at(i),
                    spec,
                })
        })
        .collect()
    }
}

impl<'a> Container<'a> {
    /// The container's `name` (empty when it has none).
    pub fn name(&self) -> &'a str {
        self.spec.name.unwrap_or("")
    }

    /// `command` then `args`, each string with its pointer.
    pub fn command_line(&self) -> Vec<(&'a str, Pointer)> {
        [("command", &self.spec.command), ("args", &self.spec.args)]
            .into_iter()
            .flat_map(|(field, list)| {
                let pointer = self.pointer.at(field);
                list.iter()
                    .flatten()
                    .enumerate()
                    .filter_map(move |(i, word)| word.map(|word| (word, pointer.at(i))))
            })
            .collect()
    }

    /// `env` entries with a literal value: `(entry, pointer to its value)`.
    pub fn literal_env(&self) -> impl Iterator<Item = (&EnvVar<'a>, Pointer)> {
        let pointer = self.pointer.at("env");
        let entries = self.spec.env.iter().flatten().enumerate();
        entries
            .filter(|(_, variable)| variable.value.is_some())
            .map(move |(i, variable)| (variable, pointer.at(i).at("value")))
    }

    /// Where a flag missing from the container belongs: its `args`, else its `command`
    /// (when a list), else the container itself.
    pub fn flags_pointer(&self) -> Pointer {
        let lists = [("args", &self.spec.args), ("command", &self.spec.command)];
        lists
            .into_iter()
            .find(|(_, list)| list.is_some())
            .map_or_else(|| self.pointer.clone(), |(field, _)| self.pointer.at(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn kinds_are_the_workloads_with_a_pod_template() {
        let kinds: Vec<&str> = WORKLOADS.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(kinds, KINDS);
    }

    #[test]
    fn a_template_is_found_when_its_path_exists_whatever_it_holds() {
        let cases = [
            (json!({"kind": "Pod"}), true),
            (
                json!({"kind": "Deployment", "spec": {"template": null}}),
                true,
            ),
            (
                json!({"kind": "Deployment", "spec": {"template": "x"}}),
                true,
            ),
            (
                json!({"kind": "Deployment", "spec": {"replicas": 1}}),
                false,
            ),
            (
                json!({"kind": "Deployment", "spec": [{"template": {}}]}),
                false,
            ),
            (
                json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {}}}}}),
                true,
            ),
            (json!({"kind": "CronJob", "spec": {"template": {}}}), false),
            (json!({"kind": "Service", "spec": {"template": {}}}), false),
        ];
        for (value, found) in cases {
            let workload = object(value);
            assert_eq!(
                pod_template(&workload).is_some(),
                found,
                "{:?}",
                workload.value()
            );
            assert_eq!(has_pod_template(&workload), found, "{:?}", workload.value());
            let spec = pod_spec::<Mounts>(&workload);
            assert_eq!(spec.is_some(), found, "{:?}", workload.value());
        }
    }

    /// A rule's few fields of a pod spec, for [`pod_spec`].
    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Mounts {
        #[serde(deserialize_with = "scalar")]
        automount_service_account_token: Option<bool>,
    }

    #[test]
    fn a_pod_spec_reads_only_the_fields_asked_for_with_its_template_pointer() {
        let cron = object(json!({
            "kind": "CronJob",
            "spec": {"jobTemplate": {"spec": {"template": {
                "spec": {"automountServiceAccountToken": false, "containers": [{"name": "b"}]}
            }}}}
        }));
        let (pointer, spec) = pod_spec::<Mounts>(&cron).unwrap();
        assert_eq!(pointer.as_str(), "/spec/jobTemplate/spec/template");
        assert_eq!(spec.automount_service_account_token, Some(false));
        let deployment = object(json!({"kind": "Deployment", "spec": {"template": {
            "metadata": {"labels": {"app": "web"}}, "spec": {"automountServiceAccountToken": true}
        }}}));
        let template = pod_template_with::<Mounts>(&deployment).unwrap();
        assert_eq!(template.pointer.as_str(), "/spec/template");
        assert_eq!(crate::manifests::pairs(&template.labels), [("app", "web")]);
        assert_eq!(template.spec.automount_service_account_token, Some(true));
        let odd = object(json!({"kind": "Deployment", "spec": {"template": {"spec": [true]}}}));
        let (pointer, spec) = pod_spec::<Mounts>(&odd).unwrap();
        assert_eq!(
            (pointer.as_str(), spec),
            ("/spec/template", Mounts::default())
        );
        let pod = object(json!({"kind": "Pod", "spec": {"automountServiceAccountToken": true}}));
        let (pointer, spec) = pod_spec::<Mounts>(&pod).unwrap();
        assert_eq!(pointer.as_str(), "");
        assert_eq!(spec.automount_service_account_token, Some(true));
    }

    fn object(value: Value) -> Object {
        Object::new(0, "t.yaml".into(), value).unwrap()
    }

    #[test]
    fn keeping_in_template_keeps_the_nodes_wherever_a_kind_keeps_its_template() {
        let paths: &[&[&str]] = &[&["metadata", "labels"], &["spec", "hostNetwork"]];
        let labels = json!({"app": "web"});
        let spec = json!({"hostNetwork": true, "containers": [{"name": "a"}]});
        let template = json!({"metadata": {"labels": labels, "name": "x"}, "spec": spec});
        let kept_template = json!({"metadata": {"labels": labels}, "spec": {"hostNetwork": true}});
        let cases = [
            (
                json!({"kind": "Deployment", "spec": {"replicas": 2, "template": template}}),
                json!({"spec": {"template": kept_template}}),
            ),
            (
                json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}),
                json!({"spec": {"jobTemplate": {"spec": {"template": kept_template}}}}),
            ),
            (
                json!({"kind": "Pod", "metadata": {"labels": labels, "name": "x"}, "spec": spec}),
                json!({"metadata": {"labels": labels}, "spec": {"hostNetwork": true}}),
            ),
            // Only the nodes kept (`kind` is the object's, not its text's); not a
            // workload: kept whole.
            (
                json!({"kind": "Service", "spec": {"ports": [{"port": 80}]}}),
                json!({"kind": "Service", "spec": {"ports": [{"port": 80}]}}),
            ),
        ];
        // Twice over: the second round reads the pointers made in the first.
        for _ in 0..2 {
            for (whole, kept) in &cases {
                let cut = keeping_in_template(object(whole.clone()), paths);
                assert_eq!(cut.value(), kept);
            }
        }
        // Another list at the same place is another list.
        let deployment = object(cases[0].0.clone());
        let cut = keeping_in_template(deployment, &[&["spec", "hostNetwork"]]);
        let only_network = json!({"template": {"spec": {"hostNetwork": true}}});
        assert_eq!(cut.value(), &json!({"spec": only_network}));
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
        assert_eq!(
            crate::manifests::pairs(&template.labels),
            [("app", "backup")]
        );
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
        let containers = pod_template(&pod).unwrap().containers();
        let names: Vec<_> = containers.iter().map(Container::name).collect();
        assert_eq!(names, ["i", "c"]);
        assert_eq!(containers[1].pointer.as_str(), "/spec/containers/0");
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
        assert_eq!(crate::manifests::pairs(&template.labels), [("app", "d")]);
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

    #[test]
    fn container_fields_read_leniently_and_keep_their_pointers() {
        let pod = object(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"hostNetwork": true, "serviceAccountName": 1, "containers": [
                {"name": "a", "command": ["sh", 1, "-c"], "args": "x", "securityContext": {"privileged": true},
                 "env": [{"name": "A", "value": "1"}, null, {"name": "B", "valueFrom": {}}, {"name": "C", "value": ""}]},
                "odd",
                {"name": ["b"], "command": {"x": 1}, "securityContext": {"privileged": "true"}}
            ]}
        }));
        let template = pod_template(&pod).unwrap();
        assert!(template.host_network());
        assert_eq!(template.spec.service_account_name, Some(None));
        assert_eq!(template.spec.service_account, None);
        let containers = template.containers();
        let [first, odd, unnamed] = &containers[..] else {
            panic!("three containers expected");
        };
        let words: Vec<_> = first
            .command_line()
            .into_iter()
            .map(|(w, at)| (w, at.to_string()))
            .collect();
        assert_eq!(
            words,
            [
                ("sh", "/spec/containers/0/command/0".to_owned()),
                ("-c", "/spec/containers/0/command/2".to_owned())
            ]
        );
        let env: Vec<_> = first
            .literal_env()
            .map(|(v, at)| (v.name, v.value, at.to_string()))
            .collect();
        assert_eq!(
            env,
            [
                (
                    Some("A"),
                    Some("1"),
                    "/spec/containers/0/env/0/value".to_owned()
                ),
                (
                    Some("C"),
                    Some(""),
                    "/spec/containers/0/env/3/value".to_owned()
                )
            ]
        );
        assert_eq!(first.flags_pointer().as_str(), "/spec/containers/0/command");
        assert_eq!(
            (odd.name(), odd.pointer.as_str()),
            ("", "/spec/containers/1")
        );
        assert_eq!(odd.flags_pointer().as_str(), "/spec/containers/1");
        let privileged = |c: &Container| c.spec.security_context.as_ref().map(|s| s.privileged);
        assert_eq!(privileged(first), Some(Some(true)));
        assert_eq!(privileged(odd), None);
        assert_eq!(privileged(unnamed), Some(None));
        assert_eq!(unnamed.name(), "");
        assert!(unnamed.command_line().is_empty());
    }
}
