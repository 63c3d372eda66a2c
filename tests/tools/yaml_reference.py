"""Reads YAML files with PyYAML, adjusted to read them as Kubernetes does, and prints JSON.

The reference side of the differential YAML test (tests/e2e/yaml.rs). PyYAML's pure-Python
scanner, parser and composer are an implementation independent of ours (libyaml-safer);
what PyYAML does differently from Kubernetes (go-yaml v2 behind sigs.k8s.io/yaml) is
adjusted here, each adjustment named:

1. Plain scalars are typed by go-yaml v2's rules, not PyYAML's YAML 1.1 regexes: `y`/`n`
   are booleans, `0o17`/`0X1F`/`08` and `1e3` are numbers, `1:30` (sexagesimal) and
   timestamps are strings. Written from go-yaml's resolve.go, apart from the Rust side.
2. Timestamps, tagged `!!timestamp`, stay strings (go-yaml keeps their text).
3. Custom tags (`!foo`) are ignored: the node is read as if untagged (go-yaml keeps the
   text of a custom-tagged scalar as a string).
4. `!!binary` decodes to text (invalid UTF-8 replaced), as JSON holds it.
5. Duplicate keys are errors (Kubernetes' strict decoding); PyYAML keeps the last.
6. Keys are written back as sigs.k8s.io/yaml does: booleans as `true`/`false`, integers in
   decimal, floats as Go's FormatFloat(f, 'g', -1, 32); a null key is an error.
7. Numbers as Kubernetes reads them back from JSON: an integral float that fits 64 bits is
   an integer; infinity and NaN are errors (JSON cannot hold them).
8. The non-specific tag `!` makes a scalar a string (go-yaml); PyYAML resolves it as plain.

Usage: yaml_reference.py FILE...  -> one JSON object per line:
{"path": FILE, "documents": [...non-empty documents...], "error": true|false}
"""

import base64
import json
import math
import re
import struct
import sys

import yaml
from yaml.constructor import ConstructorError

CORE = "tag:yaml.org,2002:"
GO_BOOLS = {
    **dict.fromkeys("y Y yes Yes YES true True TRUE on On ON".split(), True),
    **dict.fromkeys("n N no No NO false False FALSE off Off OFF".split(), False),
}
GO_NULLS = {"", "~", "null", "Null", "NULL"}
GO_SPECIAL_FLOATS = {
    **dict.fromkeys(".inf .Inf .INF +.inf +.Inf +.INF".split(), math.inf),
    **dict.fromkeys("-.inf -.Inf -.INF".split(), -math.inf),
    **dict.fromkeys(".nan .NaN .NAN".split(), math.nan),
}
GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]+|[1-9][0-9]*|0)")
YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
DOT_FLOAT = re.compile(r"\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?")
INT64 = (-(2**63), 2**64 - 1)


class NoJsonForm(Exception):
    """A value Kubernetes cannot turn into JSON."""


def go_int(plain):
    """Go's strconv.ParseInt(plain, 0, 64) (then ParseUint); big values as a float."""
    if not GO_INT.fullmatch(plain):
        return None
    sign, body = (-1, plain[1:]) if plain[0] == "-" else (1, plain.lstrip("+"))
    if len(body) > 1 and body[0] == "0" and body[1] not in "xXoObB":
        body = "0o" + body[1:]
    value = sign * int(body, 0)
    return value if INT64[0] <= value <= INT64[1] else float(value)


def resolve_plain(text):
    """go-yaml v2's resolve() for an untagged plain scalar."""
    if text in GO_NULLS:
        return None
    if text in GO_BOOLS:
        return GO_BOOLS[text]
    if text in GO_SPECIAL_FLOATS:
        return GO_SPECIAL_FLOATS[text]
    if text.startswith("."):
        return float(text.replace("_", "")) if DOT_FLOAT.fullmatch(text) else text
    if text[:1] in tuple("0123456789+-"):
        plain = text.replace("_", "")
        number = go_int(plain)
        if number is not None:
            return number
        if YAML_STYLE_FLOAT.fullmatch(plain) and math.isfinite(float(plain)):
            return float(plain)
    return text


class KubernetesLoader(yaml.SafeLoader):
    """SafeLoader reading YAML as Kubernetes does (adjustments 1-5 above)."""

    def compose_scalar_node(self, anchor):
        # Adjustment 8.
        event = self.peek_event()
        if event.tag == "!":
            event.tag = CORE + "str"
        return super().compose_scalar_node(anchor)

    def resolve(self, kind, value, implicit):
        # Adjustment 1: every plain scalar goes through go-yaml's rules; a plain `<<` is
        # still a merge key.
        if kind is yaml.ScalarNode and implicit[0]:
            return CORE + "merge" if value == "<<" else "!go-plain"
        return super().resolve(kind, value, implicit)

    def construct_go_plain(self, node):
        return resolve_plain(node.value)

    def construct_yaml_bool(self, node):
        value = self.construct_scalar(node)
        if value not in GO_BOOLS:
            raise ConstructorError(None, None, f"not a !!bool: {value!r}", node.start_mark)
        return GO_BOOLS[value]

    def construct_yaml_int(self, node):
        value = resolve_plain(self.construct_scalar(node))
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConstructorError(None, None, f"not a !!int: {node.value!r}", node.start_mark)
        return value

    def construct_yaml_float(self, node):
        value = resolve_plain(self.construct_scalar(node))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConstructorError(None, None, f"not a !!float: {node.value!r}", node.start_mark)
        return float(value)

    def construct_text(self, node):
        # Adjustment 2 (!!timestamp).
        return self.construct_scalar(node)

    def construct_binary_text(self, node):
        # Adjustment 4.
        data = base64.b64decode("".join(self.construct_scalar(node).split()), validate=True)
        return data.decode("utf-8", errors="replace")

    def construct_ignoring_tag(self, suffix, node):
        # Adjustment 3.
        if isinstance(node, yaml.ScalarNode):
            return self.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return self.construct_sequence(node, deep=True)
        return self.construct_mapping(node, deep=True)

    def flatten_mapping(self, node):
        # Adjustment 5, checked once per mapping on its own keys (before merging): a key
        # brought by `<<` may be overridden.
        if not getattr(node, "duplicates_checked", False):
            node.duplicates_checked = True
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == CORE + "merge":
                    continue
                key = json_key(self.construct_object(key_node))
                if key in seen:
                    raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
        super().flatten_mapping(node)


KubernetesLoader.add_constructor("!go-plain", KubernetesLoader.construct_go_plain)
KubernetesLoader.add_constructor(CORE + "bool", KubernetesLoader.construct_yaml_bool)
KubernetesLoader.add_constructor(CORE + "int", KubernetesLoader.construct_yaml_int)
KubernetesLoader.add_constructor(CORE + "float", KubernetesLoader.construct_yaml_float)
KubernetesLoader.add_constructor(CORE + "timestamp", KubernetesLoader.construct_text)
KubernetesLoader.add_constructor(CORE + "binary", KubernetesLoader.construct_binary_text)
KubernetesLoader.add_multi_constructor("!", KubernetesLoader.construct_ignoring_tag)
KubernetesLoader.add_multi_constructor("tag:", KubernetesLoader.construct_ignoring_tag)


def json_key(key):
    """Adjustment 6."""
    if key is None:
        raise NoJsonForm("a null mapping key")
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        return go_float_key(key)
    return str(key)


def as_float32(value):
    return struct.unpack("f", struct.pack("f", value))[0]


def go_float_key(value):
    """Go's strconv.FormatFloat(value, 'g', -1, 32), with go-yaml's names for the specials."""
    if math.isnan(value):
        return ".nan"
    try:
        single = as_float32(value)
    except OverflowError:
        single = math.copysign(math.inf, value)
    if math.isinf(single):
        return ".inf" if single > 0 else "-.inf"
    for precision in range(9):
        text = f"{single:.{precision}e}"
        if as_float32(float(text)) == single:
            break
    mantissa, exponent = text.split("e")
    exponent = int(exponent)
    digits = len(mantissa.replace("-", "").replace(".", ""))
    shortest = digits if 6 > digits >= exponent + 1 else 6
    if exponent < -4 or exponent >= shortest:
        return f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return f"{float(text):.{max(digits - exponent - 1, 0)}f}"


def as_json(value):
    """Adjustments 6 and 7, over a whole document."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NoJsonForm("infinity or NaN")
        return int(value) if value.is_integer() and -(2**63) <= value < 2**63 else value
    if isinstance(value, dict):
        return {json_key(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def read(path):
    documents = []
    try:
        with open(path, encoding="utf-8") as file:
            for document in yaml.load_all(file, Loader=KubernetesLoader):
                if document is not None:
                    documents.append(as_json(document))
    except (yaml.YAMLError, NoJsonForm, ValueError, RecursionError):
        return {"path": path, "documents": documents, "error": True}
    return {"path": path, "documents": documents, "error": False}


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(json.dumps(read(argument)))
