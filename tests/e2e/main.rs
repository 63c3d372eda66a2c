//! End-to-end tests: the real `tollgate` binary with its embedded plugins, on the fixtures
//! under `tests/fixtures/`, and hostile plugins from `plugins/testing/`.

mod authoring;
mod builds;
mod cache;
mod ci;
mod cli;
mod config;
mod controls;
mod diff;
mod estate;
mod expectations;
mod generated;
mod git;
mod history;
mod injection;
mod inputs;
mod layers;
mod plugins;
mod properties;
mod reports;
mod rules;
mod sandbox;
mod secrets;
mod setup;
mod signing;
mod util;
mod waivers;
mod yaml;
