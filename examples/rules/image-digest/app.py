"""`image-digest`: every container image is pinned by digest.

A tollgate rule plugin written in Python, built into a WebAssembly component with
componentize-py against tollgate's `wit/` (world `rule`, contract 0.4). It reads the
workloads of the manifest set and reports each container whose image is not referenced by
digest: `latest-tag` when the reference names no tag or `latest` (the image is whatever was
pushed last), `no-digest` when it names another tag (a tag can be moved to other content).
Coverage: both checks judged every workload with a pod template. Each workload is judged on
its own, so the rule judges the documents as their batches arrive and keeps only what it
found.
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports.types import (
    CheckError_Internal,
    CheckError_InvalidInput,
    CheckInfo,
    Control,
    Coverage,
    Finding,
    InputKind,
    Location_Object,
    ObjectLocation,
    RuleInfo,
    SettingsError,
    Severity,
    Verdict,
)

VERSION = "0.1.0"

# Mutable images break change management: what runs is not what was reviewed.
CONTROLS = [
    Control("soc2", "CC8.1"),
    Control("iso27001", "A.8.32"),
    Control("iso27001", "A.8.9"),
    Control("nist-800-53", "CM-6"),
]

LATEST_TAG = CheckInfo(
    id="latest-tag",
    title="A container image names no tag or the latest tag",
    severity=Severity.MEDIUM,
    rationale="An image without a tag is pulled as latest: each node may run whatever was "
    "pushed last, so what runs is neither reviewed nor reproducible.",
    remediation="Reference the image by digest (name@sha256:...), as the registry or your "
    "build reports it.",
    controls=CONTROLS,
)

NO_DIGEST = CheckInfo(
    id="no-digest",
    title="A container image is referenced by tag, not by digest",
    severity=Severity.LOW,
    rationale="A tag can be moved to other content at any time; only a digest names the "
    "exact image that was built and reviewed.",
    remediation="Append the digest to the reference (name:tag@sha256:...) or replace the "
    "tag with it.",
    controls=CONTROLS,
)

# Each workload kind and the path from the object to its pod spec.
POD_SPECS = {
    "Pod": ["spec"],
    "Deployment": ["spec", "template", "spec"],
    "StatefulSet": ["spec", "template", "spec"],
    "DaemonSet": ["spec", "template", "spec"],
    "ReplicaSet": ["spec", "template", "spec"],
    "ReplicationController": ["spec", "template", "spec"],
    "Job": ["spec", "template", "spec"],
    "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"]


class WitWorld(wit_world.WitWorld):
    """The exports of the `rule` world."""

    def info(self) -> RuleInfo:
        return RuleInfo(
            id="image-digest",
            version=VERSION,
            title="Pin every container image by digest",
            description="Tags are mutable: the same reference can name other content "
            "tomorrow. Every container, init and ephemeral container of every workload must "
            "reference its image by digest so that what runs is what was built and reviewed.",
            inputs=[InputKind.MANIFESTS],
            kinds=list(POD_SPECS),
            checks=[LATEST_TAG, NO_DIGEST],
        )

    def validate_settings(self, settings: str) -> None:
        parse_settings(settings)

    def begin_manifests(self, manifest_set, settings: str) -> None:
        global CHECK
        parse_settings_or_fail(settings)
        CHECK = ManifestCheck(manifest_set.default_namespace)

    def add_documents(self, documents) -> None:
        if CHECK is None:
            raise Err(CheckError_Internal("add-documents was called outside a manifest check"))
        for document in documents:
            CHECK.judge(document)

    def check_manifests(self) -> Verdict:
        global CHECK
        if CHECK is None:
            raise Err(CheckError_Internal("check-manifests was called outside a manifest check"))
        check, CHECK = CHECK, None
        judged = check.judged
        coverage = [Coverage(c.id, judged, 0) for c in (LATEST_TAG, NO_DIGEST)] if judged else []
        return Verdict(check.findings, coverage)

    def check_files(self, batch, settings: str) -> Verdict:
        return Verdict([], [])


class ManifestCheck:
    """A check of the manifest set under way: what it found and judged so far."""

    def __init__(self, default_namespace: str):
        self.default_namespace = default_namespace
        self.position = 0  # of the next document in the whole set
        self.findings = []
        self.judged = []

    def judge(self, document) -> None:
        """Judges the next document of the set."""
        position = self.position
        self.position += 1
        spec_path = POD_SPECS.get(document.kind)
        if spec_path is None:
            return
        try:
            value = json.loads(document.object)
        except ValueError as error:
            raise Err(CheckError_InvalidInput(f"{document.file}: document {position}: {error}"))
        spec = walk(value, spec_path)
        if spec is None:
            return
        self.judged.append(position)
        namespace = document.namespace or self.default_namespace
        for pointer, name, image in containers(spec, spec_path):
            finding = judge_image(image)
            if finding is None:
                continue
            check, why = finding
            self.findings.append(
                Finding(
                    check=check.id,
                    severity=check.severity,
                    message=f"Container {name} of {document.kind} {namespace}/"
                    f"{document.name} uses image {image}: {why}.",
                    location=Location_Object(ObjectLocation(position, pointer)),
                    evidence=None,
                    identity=pointer,
                    accepted=None,
                )
            )


# The manifest check under way in this instance (the host makes one check per instance).
CHECK = None


def parse_settings(text: str) -> dict:
    """The rule takes no settings: `{}` only; any key is an error at its pointer."""
    try:
        settings = json.loads(text)
    except ValueError as error:
        raise Err(SettingsError("", f"settings are not JSON: {error}"))
    if not isinstance(settings, dict):
        raise Err(SettingsError("", "settings must be a map"))
    for key in settings:
        raise Err(SettingsError("/" + escape(key), f"unknown setting {key!r}: this rule takes none"))
    return settings


def parse_settings_or_fail(text: str) -> dict:
    """Settings for a check call; the host validated them, so an error breaks the contract."""
    try:
        return parse_settings(text)
    except Err as error:
        raise Err(CheckError_InvalidInput(f"settings: {error.value.message}"))


def walk(value, path):
    """The map at `path` inside `value`, or None when any step is missing or not a map."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, dict) else None


def containers(spec: dict, spec_path: list):
    """(pointer to the image, container name, image) of every container with an image."""
    base = "/" + "/".join(spec_path)
    for field in CONTAINER_LISTS:
        items = spec.get(field)
        if not isinstance(items, list):
            continue
        for index, container in enumerate(items):
            if not isinstance(container, dict) or not isinstance(container.get("image"), str):
                continue
            name = container.get("name") if isinstance(container.get("name"), str) else "?"
            yield f"{base}/{field}/{index}/image", name, container["image"]


def judge_image(image: str):
    """The check an image reference breaks, with why; None when it is pinned by digest."""
    if "@" in image:
        return None
    last_segment = image.rsplit("/", 1)[-1]
    tag = last_segment.split(":", 1)[1] if ":" in last_segment else None
    if tag is None:
        return LATEST_TAG, "no tag, so it runs whatever was pushed as latest"
    if tag == "latest":
        return LATEST_TAG, "the latest tag names whatever was pushed last"
    return NO_DIGEST, f"tag {tag} is not a digest and can be moved"


def escape(key: str) -> str:
    """A key as an RFC 6901 pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")
