//! The kinds the rule reads in manifests, as typed views holding only the fields it
//! reads (read leniently, see [`tollgate_sdk::typed`]).

use serde::Deserialize;
use tollgate_sdk::typed::{TextMap, present, text_map};

/// A `v1` Secret: its plaintext maps, and whether SOPS encrypted it (a top-level `sops`
/// block, whatever it holds).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Secret<'a> {
    #[serde(deserialize_with = "present")]
    pub sops: bool,
    #[serde(borrow, deserialize_with = "text_map")]
    pub data: TextMap<'a>,
    #[serde(borrow, deserialize_with = "text_map")]
    pub string_data: TextMap<'a>,
}

/// A ConfigMap's `data`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfigMap<'a> {
    #[serde(borrow, deserialize_with = "text_map")]
    pub data: TextMap<'a>,
}
