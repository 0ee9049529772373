//! The repository model: facts about the audited repository, built once per
//! audit from the single walk, that every rule kind reads instead of
//! re-deriving them from paths and regexes.
//!
//! A reviewer's first question about any piece of evidence is "whose code is
//! this, and does it ship?". A password in a Cypress fixture, a `.env` inside
//! `vendor/`, a `Dockerfile` that builds a Debian package: none of these is
//! the project's production code, and a readiness audit that judges them as
//! such is wrong where users look first. This layer answers that question:
//!
//! - [`roles`]: every path has one [`Role`] (production, test, fixture,
//!   vendored...), from ecosystem conventions, `.gitattributes` and the
//!   `[roles]` table of `readyctl.toml`.
//!
//! - [`artefacts`]: which Dockerfiles build the runtime image and which
//!   Compose files, merged in Compose's order, describe the production
//!   deployment, each with the reason.
//! - [`kubernetes`]: which Kubernetes objects are deployed to production:
//!   plain manifests, the production kustomize overlay built with its
//!   bases and patches, Helm charts rendered statically with their values.
//! - [`builds`]: which Dockerfiles a pipeline, script or Compose file
//!   builds, so unbuilt leftovers are not judged as the runtime image.
//! - [`compose_build`]: what a Compose service built from one of them gets
//!   from its image (the `HEALTHCHECK` Docker runs).
//!
//! - [`deps`]: the direct part of a manifest (no `// indirect` entries), so
//!   the stack lists what the code uses.
//! - [`projects`]: every manifest is a project with its folder and
//!   ecosystem.
//! - [`ci`]: what the pipelines and commit hooks run (pipelines, jobs,
//!   triggers, each step's resolved and classified commands).
//! - [`tooling`]: per project, whether its linter, formatter and type
//!   checker are configured, and whether CI or a hook enforces them.
//! - [`settings`]: base settings a production settings module assigns
//!   again (Django's `settings/production.py` over `settings/base.py`).
//! - [`readers`]: roles files get from what uses them (a configuration
//!   only a test script names is test configuration).
//! - [`refused`]: placeholder values the application's own code refuses
//!   at start-up (`if value == "changethis": raise …`).
//! - [`facts`]: all of it in one walk, for `readyctl facts`.
//! - [`path`]: joining a path a file names onto its folder without leaving
//!   the repository.
//!
//! It sits between the scan and the rules: it may use `scan`, `config` and
//! `model`, and only rules and what is above them use it.

pub mod artefacts;
pub mod builds;
pub mod ci;
pub mod compose_build;
pub mod deps;
pub mod entrypoint;
pub mod facts;
pub mod git;
pub mod history;
pub mod kubernetes;
mod packs;
pub mod path;
pub mod projects;
pub mod readers;
pub mod refused;
pub mod roles;
pub mod settings;
pub mod tooling;

pub use crate::model::{Role, RoleSet};
pub use roles::RoleMap;
