//! Environment: variables of any container that turn certificate verification off
//! (`NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `GIT_SSL_NO_VERIFY`) or name a
//! registry reached over plain HTTP.

use tollgate_sdk::workload;

use crate::VERIFICATION_DISABLED;
use crate::command::is_true;
use crate::judge::Judge;

impl Judge<'_> {
    /// Environment variables that turn verification off, and plain HTTP registries.
    pub fn verification_environment(&mut self, container: &workload::Container) {
        let name = container.name();
        for (entry, at) in container.literal_env() {
            let (Some(variable), Some(value)) = (entry.name, entry.value) else {
                continue;
            };
            let disables = match variable {
                "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => value == "0",
                "GIT_SSL_NO_VERIFY" => is_true(value),
                _ => false,
            };
            if disables {
                self.report(
                    VERIFICATION_DISABLED,
                    at,
                    format!("container {name} sets {variable}={value}: TLS certificates are not verified; remove it"),
                );
            } else if variable.to_ascii_lowercase().contains("registry")
                && value.to_ascii_lowercase().starts_with("http://")
            {
                self.report(
                    VERIFICATION_DISABLED,
                    at,
                    format!("container {name} uses the plain HTTP registry {value} ({variable}); use https://"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::disabled_in_first_container;
    use tollgate_sdk::serde_json::json;

    #[test]
    fn verification_switched_off_by_environment() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "m"},
            "spec": {"template": {"spec": {"containers": [{"name": "app",
                "env": [{"name": "NODE_TLS_REJECT_UNAUTHORIZED", "value": "0"},
                        {"name": "PYTHONHTTPSVERIFY", "value": "1"},
                        {"name": "GIT_SSL_NO_VERIFY", "value": "yes"},
                        {"name": "REGISTRY_MIRROR", "value": "http://mirror.local:5000"},
                        {"name": "REGISTRY", "value": "https://mirror.local"},
                        {"name": "NODE_TLS_REJECT_UNAUTHORIZED"}]}]}}}});
        assert_eq!(
            disabled_in_first_container(deployment),
            ["env/0/value", "env/2/value", "env/3/value"]
        );
    }
}
