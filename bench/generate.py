#!/usr/bin/env python3
"""Writes a synthetic Kubernetes estate for benchmarks: N objects in files of ~100 objects.

Each namespace gets a mix of what real clusters hold (Deployments, Services, ConfigMaps,
ServiceAccounts, Roles, RoleBindings, Ingresses, Secrets, NetworkPolicies, CronJobs), with
known violations planted at fixed rates so that every rule has work to do.

usage: generate.py OBJECTS OUT_DIR
"""

import os
import sys


def namespace_objects(ns, i):
    """About 30 objects for namespace `ns`; violations are planted by `i`."""
    objs = []
    objs.append(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n")
    if i % 4 != 0:  # one namespace in four has no policy at all
        objs.append(
            f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: {ns}\n"
            "spec:\n  podSelector:\n    matchExpressions:\n    - {key: tier, operator: In, values: [web, worker]}\n"
            "  policyTypes: [Ingress, Egress]\n"
        )
    for app in range(6):
        name = f"app-{app}"
        tier = "web" if app % 3 else "batch"
        objs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{app: {name}}}\n"
            f"spec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n"
            f"      labels: {{app: {name}, tier: {tier}}}\n    spec:\n      serviceAccountName: {name}\n      containers:\n"
            f"      - name: {name}\n        image: registry.example.com/{ns}/{name}:1.{app}.0\n"
            f"        args: [--port=8080, --log-level=info]\n        ports:\n        - containerPort: 8080\n"
            f"        resources:\n          limits: {{cpu: 500m, memory: 256Mi}}\n"
        )
        objs.append(
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n"
            f"  selector: {{app: {name}}}\n  ports:\n  - port: 80\n    targetPort: 8080\n"
        )
        objs.append(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {ns}\n"
            f"data:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: \"a,b,c\"\n  settings.yaml: |\n    cache: 128\n    workers: 4\n"
        )
        objs.append(f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n")
    verbs = '["*"]' if i % 5 == 0 else '["get", "list"]'
    objs.append(
        f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app\n  namespace: {ns}\nrules:\n"
        f"- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get]\n"
        f"- apiGroups: [apps]\n  resources: [deployments]\n  verbs: {verbs}\n"
    )
    objs.append(
        f"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app\n  namespace: {ns}\n"
        f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: app\nsubjects:\n"
        f"- kind: ServiceAccount\n  name: app-0\n  namespace: {ns}\n"
    )
    protocols = "TLSv1 TLSv1.2" if i % 7 == 0 else "TLSv1.2 TLSv1.3"
    objs.append(
        f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: {ns}\n  annotations:\n"
        f"    nginx.ingress.kubernetes.io/ssl-protocols: \"{protocols}\"\nspec:\n  tls:\n  - hosts: [{ns}.example.com]\n"
        f"    secretName: {ns}-tls\n  rules:\n  - host: {ns}.example.com\n"
    )
    if i % 10 == 0:
        objs.append(
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: {ns}\ntype: Opaque\n"
            f"data:\n  password: c2VjcmV0LXZhbHVlLWZvci1iZW5jaA==\n"
        )
    objs.append(
        f"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cleanup\n  namespace: {ns}\nspec:\n  schedule: \"0 4 * * *\"\n"
        f"  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {{tier: worker}}\n"
        f"        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: cleanup\n"
        f"            image: registry.example.com/tools/cleanup:3.1\n"
    )
    return objs


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    total, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    objects, i = [], 0
    while len(objects) < total:
        objects.extend(namespace_objects(f"team-{i:05d}", i))
        i += 1
    objects = objects[:total]
    per_file = 100
    for start in range(0, len(objects), per_file):
        with open(os.path.join(out, f"manifests-{start // per_file:05d}.yaml"), "w") as f:
            f.write("---\n".join(objects[start:start + per_file]))
    size = sum(len(o) for o in objects)
    print(f"{len(objects)} objects, {size / 1e6:.1f} MB in {(len(objects) + per_file - 1) // per_file} files under {out}")


if __name__ == "__main__":
    main()
