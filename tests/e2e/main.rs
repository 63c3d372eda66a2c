//! End-to-end tests: the real `tollgate` binary with its embedded plugins, on the fixtures
//! under `tests/fixtures/`, and hostile plugins from `plugins/testing/`.

mod authoring;
mod cache;
mod cli;
mod config;
mod controls;
mod estate;
mod generated;
mod git;
mod injection;
mod inputs;
mod properties;
mod reports;
mod rules;
mod sandbox;
mod secrets;
mod util;
mod waivers;
mod yaml;
