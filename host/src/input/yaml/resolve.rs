//! Scalar typing exactly as Kubernetes reads YAML: the resolver of go-yaml v2 (YAML 1.1)
//! behind `sigs.k8s.io/yaml`, followed by that library's conversion to JSON, which
//! Kubernetes then reads back.
//!
//! What this means, beyond YAML 1.2's core schema:
//! - `y`/`Y`/`yes`/`on`/`n`/`no`/`off` (and their capitalised forms) are booleans.
//! - Integers follow Go's `strconv.ParseInt(s, 0, 64)` once `_` are removed: `0x1F`,
//!   `0X1F`, `0o17`, `0b101` and `0777` (octal) are integers; `08` is not an integer but
//!   matches go-yaml's float pattern, so it is the float 8. Integers past 64 bits are
//!   floats, as Kubernetes reads the JSON number.
//! - `1e3` is a float (YAML 1.2 style); a float with an integral value is read back by
//!   Kubernetes as an integer, so it is one here. `.inf` and `.nan` have no JSON form:
//!   Kubernetes refuses them, and so do we.
//! - Timestamps stay strings (go-yaml keeps their text for untyped values).
//! - Quoted and block scalars are strings unless a core tag (`!!int`, ...) says otherwise;
//!   custom tags (`!foo`) are ignored and the text is a string.
//! - Keys are resolved too, then written back as text: the key `y` is `"true"`, `010` is
//!   `"8"`, `1.5` is `"1.5"`; a null key is an error.

use base64::Engine as _;
use serde_json::{Number, Value};

/// The core tag prefix (`!!int` is `tag:yaml.org,2002:int`).
const CORE_TAG: &str = "tag:yaml.org,2002:";

/// A resolved scalar, before it becomes a JSON value or a mapping key.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
}

impl Scalar {
    /// The JSON value Kubernetes reads for this scalar.
    pub(super) fn into_value(self) -> Result<Value, String> {
        Ok(match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(b),
            Self::Int(i) => Value::from(i),
            Self::UInt(u) => Value::from(u),
            Self::Float(f) => float_value(f)?,
            Self::Str(s) => Value::String(s),
        })
    }

    /// The JSON object key `sigs.k8s.io/yaml` writes for this scalar used as a key.
    pub(super) fn into_key(self) -> Result<String, String> {
        Ok(match self {
            Self::Null => return Err("a mapping key is null; Kubernetes refuses it".into()),
            Self::Bool(b) => b.to_string(),
            Self::Int(i) => i.to_string(),
            Self::UInt(u) => u.to_string(),
            Self::Float(f) => go_float_key(f),
            Self::Str(s) => s,
        })
    }
}

/// Resolves a scalar written as `text`; `plain` when it was neither quoted nor a block
/// scalar; `tag` as the parser gives it (`tag:yaml.org,2002:int`, `!foo`, `!`).
pub(super) fn resolve(text: &str, plain: bool, tag: Option<&str>) -> Result<Scalar, String> {
    let Some(tag) = tag else {
        return Ok(if plain {
            resolve_plain(text)
        } else {
            Scalar::Str(text.into())
        });
    };
    let Some(kind) = tag.strip_prefix(CORE_TAG) else {
        // `!` and custom tags: go-yaml keeps the text.
        return Ok(Scalar::Str(text.into()));
    };
    let resolved = resolve_plain(text);
    let fits = match kind {
        "binary" => return decode_binary(text),
        "int" => matches!(resolved, Scalar::Int(_) | Scalar::UInt(_)),
        "float" => return as_float(resolved, text),
        "bool" => matches!(resolved, Scalar::Bool(_)),
        "null" => resolved == Scalar::Null,
        _ => return Ok(Scalar::Str(text.into())),
    };
    if fits {
        Ok(resolved)
    } else {
        Err(format!("{text:?} is not a valid !!{kind}"))
    }
}

/// The plain scalar `text` resolved as go-yaml v2 does.
pub(super) fn resolve_plain(text: &str) -> Scalar {
    if let Some(known) = keyword(text) {
        return known;
    }
    match text.as_bytes().first() {
        Some(b'.') => decimal_float(text).map_or_else(|| Scalar::Str(text.into()), Scalar::Float),
        Some(b'0'..=b'9' | b'-' | b'+') => number(text).unwrap_or_else(|| Scalar::Str(text.into())),
        _ => Scalar::Str(text.into()),
    }
}

/// go-yaml v2's table of words: booleans, nulls, infinities and NaN.
fn keyword(text: &str) -> Option<Scalar> {
    Some(match text {
        "" | "~" | "null" | "Null" | "NULL" => Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Scalar::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Scalar::Float(f64::NAN),
        _ => return None,
    })
}

/// A scalar starting with a digit or sign: an integer, else a float, else nothing.
fn number(text: &str) -> Option<Scalar> {
    let plain = text.replace('_', "");
    match go_parse_int(&plain) {
        Integer::Value(scalar) => Some(scalar),
        Integer::TooLarge(approximate) => Some(Scalar::Float(approximate)),
        Integer::Invalid => yaml_style_float(&plain)
            .then(|| plain.parse::<f64>().ok())
            .flatten()
            .filter(|f| f.is_finite())
            .map(Scalar::Float),
    }
}

enum Integer {
    Value(Scalar),
    /// Valid digits past 64 bits: Kubernetes reads the JSON number as a float.
    TooLarge(f64),
    Invalid,
}

/// Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint`: a sign, then a `0x`,
/// `0o`, `0b` or `0` (octal) prefix, then digits of that base.
fn go_parse_int(text: &str) -> Integer {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &unsigned[2..]),
        Some("0o") => (8, &unsigned[2..]),
        Some("0b") => (2, &unsigned[2..]),
        _ if unsigned.len() > 1 && unsigned.starts_with('0') => (8, &unsigned[1..]),
        _ => (10, unsigned),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Integer::Invalid;
    }
    let Ok(magnitude) = u64::from_str_radix(digits, radix) else {
        let approximate = approximate(digits, radix);
        return Integer::TooLarge(if negative { -approximate } else { approximate });
    };
    if !negative {
        return Integer::Value(match i64::try_from(magnitude) {
            Ok(i) => Scalar::Int(i),
            Err(_) => Scalar::UInt(magnitude),
        });
    }
    match 0i64.checked_sub_unsigned(magnitude) {
        Some(i) => Integer::Value(Scalar::Int(i)),
        None => Integer::TooLarge(-(magnitude as f64)),
    }
}

/// Digits too large for 64 bits, as the nearest float.
fn approximate(digits: &str, radix: u32) -> f64 {
    if radix == 10 {
        return digits.parse().unwrap_or(f64::INFINITY);
    }
    match u128::from_str_radix(digits, radix) {
        Ok(wide) => wide as f64,
        Err(_) => digits.chars().fold(0f64, |sum, c| {
            sum * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
        }),
    }
}

/// go-yaml v2's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// Go's `strconv.ParseFloat` on a scalar starting with `.` (`.5`, `.5e3`, `.5_5`).
fn decimal_float(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let underscores_ok = bytes
        .iter()
        .enumerate()
        .all(|(i, b)| *b != b'_' || (i > 0 && digit_at(i - 1) && digit_at(i + 1)));
    let plain = text.replace('_', "");
    (underscores_ok && yaml_style_float(&plain))
        .then(|| plain.parse::<f64>().ok())
        .flatten()
        .filter(|f| f.is_finite())
}

/// `!!float`: a float, or an integer made a float.
fn as_float(resolved: Scalar, text: &str) -> Result<Scalar, String> {
    match resolved {
        Scalar::Float(f) => Ok(Scalar::Float(f)),
        Scalar::Int(i) => Ok(Scalar::Float(i as f64)),
        Scalar::UInt(u) => Ok(Scalar::Float(u as f64)),
        _ => Err(format!("{text:?} is not a valid !!float")),
    }
}

/// `!!binary`: base64 (line breaks ignored) decoded to text, as go-yaml does.
fn decode_binary(text: &str) -> Result<Scalar, String> {
    let compact: String = text.chars().filter(|c| !matches!(c, '\n' | '\r')).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| "a !!binary value is not valid base64".to_owned())?;
    Ok(Scalar::Str(String::from_utf8_lossy(&bytes).into_owned()))
}

/// A float as Kubernetes reads it back from JSON: an integer when it is integral and fits
/// 64 bits; infinities and NaN are refused (JSON cannot hold them).
fn float_value(f: f64) -> Result<Value, String> {
    const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && (-TWO_TO_63..TWO_TO_63).contains(&f) {
        return Ok(Value::from(f as i64));
    }
    Number::from_f64(f).map(Value::Number).ok_or_else(|| {
        "infinity or NaN has no JSON form; Kubernetes refuses it (quote it for a string)".to_owned()
    })
}

/// A float key as `sigs.k8s.io/yaml` writes it: Go's `FormatFloat(f, 'g', -1, 32)`, with
/// `.inf`/`-.inf`/`.nan` for the special values.
fn go_float_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let single = f as f32;
    // Shortest digits that give back the same f32, as `d.ddde±x`.
    let scientific = format!("{single:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digit_count = mantissa.bytes().filter(u8::is_ascii_digit).count() as i32;
    let point = exponent + 1;
    let precision = if 6 > digit_count && digit_count >= point {
        digit_count
    } else {
        6
    };
    if exponent < -4 || exponent >= precision {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        single.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Value {
        resolve_plain(text).into_value().unwrap()
    }

    #[test]
    fn plain_scalars_follow_go_yaml_v2() {
        let cases: &[(&str, Value)] = &[
            ("y", Value::Bool(true)),
            ("On", Value::Bool(true)),
            ("NO", Value::Bool(false)),
            ("yEs", Value::from("yEs")),
            ("~", Value::Null),
            ("0777", Value::from(511)),
            ("0o17", Value::from(15)),
            ("0X1F", Value::from(31)),
            ("-0b101", Value::from(-5)),
            ("1_000", Value::from(1000)),
            ("08", Value::from(8)),
            ("1e3", Value::from(1000)),
            ("1.5", Value::from(1.5)),
            (".5", Value::from(0.5)),
            ("-.5e1", Value::from(-5)),
            ("1.", Value::from(1)),
            ("18446744073709551615", Value::from(u64::MAX)),
            ("-9223372036854775808", Value::from(i64::MIN)),
            ("1e400", Value::from("1e400")),
            ("0x", Value::from("0x")),
            ("1:30", Value::from("1:30")),
            ("2001-12-14", Value::from("2001-12-14")),
            ("+", Value::from("+")),
            ("._5", Value::from("._5")),
        ];
        for (text, expected) in cases {
            assert_eq!(&plain(text), expected, "{text}");
        }
        let huge = plain("0x1FFFFFFFFFFFFFFFF").as_f64().unwrap();
        assert_eq!(huge, 36893488147419103231.0);
    }

    #[test]
    fn infinity_and_nan_are_refused_as_values_but_not_as_keys() {
        assert!(resolve_plain(".inf").into_value().is_err());
        assert!(resolve_plain(".NaN").into_value().is_err());
        assert_eq!(resolve_plain("-.inf").into_key().unwrap(), "-.inf");
    }

    #[test]
    fn keys_are_written_back_as_kubernetes_does() {
        let key = |text: &str| resolve_plain(text).into_key();
        assert_eq!(key("y").unwrap(), "true");
        assert_eq!(key("010").unwrap(), "8");
        assert_eq!(key("1.5").unwrap(), "1.5");
        assert_eq!(key("1e6").unwrap(), "1e+06");
        assert_eq!(key("123456789.0").unwrap(), "1.2345679e+08");
        assert_eq!(key("0.0001").unwrap(), "0.0001");
        assert_eq!(key("0.00001").unwrap(), "1e-05");
        assert_eq!(key("1e3").unwrap(), "1000");
        assert!(key("~").is_err());
    }

    #[test]
    fn tags_force_or_ignore_typing() {
        let tagged = |text: &str, tag: &str| resolve(text, false, Some(tag));
        assert_eq!(tagged("5", "tag:yaml.org,2002:int"), Ok(Scalar::Int(5)));
        assert_eq!(
            tagged("5", "tag:yaml.org,2002:float"),
            Ok(Scalar::Float(5.0))
        );
        assert_eq!(
            tagged("yes", "tag:yaml.org,2002:str"),
            Ok(Scalar::Str("yes".into()))
        );
        assert_eq!(
            tagged("aGk=", "tag:yaml.org,2002:binary"),
            Ok(Scalar::Str("hi".into()))
        );
        assert_eq!(tagged("5", "!custom"), Ok(Scalar::Str("5".into())));
        assert!(tagged("five", "tag:yaml.org,2002:int").is_err());
        assert_eq!(resolve("yes", true, None), Ok(Scalar::Bool(true)));
        assert_eq!(resolve("yes", false, None), Ok(Scalar::Str("yes".into())));
    }
}
