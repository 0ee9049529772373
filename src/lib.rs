//! readyctl: a production-readiness auditor.
//!
//! The library is the whole engine; the `readyctl` binary only parses
//! arguments and prints. The flow of an audit:
//!
//! 1. [`pack`] loads declarative checks (YAML) into a [`Catalog`], reporting
//!    every problem with its file, line and column;
//! 2. [`engine::audit`] plans every enabled check's [`rules`] into one
//!    [`scan`] of the repository, evaluates them and scores the results
//!    ([`score`]);
//! 3. the resulting [`Report`] is rendered by one of [`render`]'s formats and
//!    judged by the CI [`gate`].
//!
//! ```no_run
//! use readyctl::{audit, AuditOptions, Catalog, Config};
//! let catalog = Catalog::builtin().unwrap();
//! let report = audit(std::path::Path::new("."), &catalog, &Config::default(), &AuditOptions::new(".")).unwrap();
//! println!("{} ({:?})", report.summary.verdict, report.summary.score);
//! ```

pub mod application;
pub mod baseline;
pub mod check;
pub mod compare;
pub mod config;
pub mod defer;
pub mod diagnostic;
pub mod diff;
pub mod dockerfile;
pub mod document;
pub mod effort;
pub mod engine;
pub mod escape;
pub mod gate;
pub mod grade;
pub mod live;
pub mod model;
pub mod pack;
pub mod parallel;
pub mod redact;
pub mod reference;
pub mod render;
pub mod repo;
pub mod report;
pub mod rules;
pub mod scan;
pub mod schema;
pub mod score;
pub mod select;
pub mod stack;
pub mod tool_reports;
pub mod user_file;
pub mod waiver;

pub use config::Config;
pub use engine::{AuditError, AuditOptions, audit};
pub use gate::Gate;
pub use pack::{Catalog, LoadError, PackLoader};
pub use report::Report;
