//! Roles files get from what uses them, known only once the walk has read
//! their users. Conventions give a path its role, but some files sit where
//! production files sit and only tests or development use them:
//!
//! - a configuration file a test script names
//!   (`CONFIG=./docker/federation/alpha.hjson` in `api_tests/run.sh`) is
//!   test configuration;
//! - a script a development script sources or runs (`source ./db-init.sh`
//!   in a script that runs the project with `cargo run`) is development
//!   tooling;
//! - a compose file with a service that mounts a test or development
//!   configuration (`./lemmy.hjson:/config/config.hjson`, where that file
//!   says it is for the development branch) runs that setup, and has its
//!   role;
//! - a listing a test or development script writes from the program
//!   (`cargo run … > config/defaults.hjson`) is generated;
//! - a file that only test runs or development setups mount
//!   (`./test-nginx.conf` in `docker-compose.ci-test.yml`) is theirs.
//!
//! Only production paths change role; a file the conventions gave another
//! role keeps it.

use crate::document::{Documents, Format, Node, Value};
use crate::model::{Role, RoleSet};
use crate::repo::artefacts::compose_use;
use crate::scan::{DerivedRoles, DocumentsId, Evidence, PlanBuilder, SelectorId, SelectorSpec};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

const SCRIPTS: &[&str] = &["**/*.sh", "**/*.bash", "**/*.zsh"];
/// The files a script or a compose file may name: configuration and
/// scripts (their paths only, to know which named files exist).
const NAMEABLE: &[&str] =
    &["**/*.{hjson,json,json5,yaml,yml,toml,conf,ini,env,properties,cfg,sh,bash,zsh}"];
const COMPOSE: &[&str] = &[
    "**/docker-compose*.yml",
    "**/docker-compose*.yaml",
    "**/compose*.yml",
    "**/compose*.yaml",
];

/// A configuration file's path as a script writes it.
static CONFIG_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9_./-]+\.(?:hjson|json5?|ya?ml|toml|conf|ini|env|properties|cfg)\b")
        .expect("valid regex")
});

/// A script sourced or run by another: `source ./x.sh`, `. ./x.sh`,
/// `bash scripts/x.sh`, `./x.sh`.
static SCRIPT_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(?:^|[;&|(]|\bthen|\bdo)\s*(?:(?:source|\.|bash|sh|zsh)\s+)?(?P<path>\.{0,2}/?[A-Za-z0-9_./-]+\.(?:sh|bash|zsh))\b")
        .expect("valid regex")
});

/// A command's output redirected into a file: `cmd > config/x.hjson`,
/// `cmd >"$dest"`. A shell variable's name is ASCII (`[A-Za-z_][A-Za-z0-9_]*`
/// in POSIX and bash): spelled so rather than `\w`, whose Unicode class
/// made these regexes cost ~3 M instructions each to compile, on one
/// thread after the walk.
static REDIRECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)(?:^|[^0-9&>])>{1,2}[ \t]*"?(?P<target>\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|[A-Za-z0-9_.][A-Za-z0-9_./-]*)"?"#)
        .expect("valid regex")
});
/// A script variable holding a path, with a default for a positional
/// argument: `dest=${1-config/x.hjson}`, `out="${1:-x.json}"`, `f=x.json`.
static PATH_VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(?P<name>[A-Za-z_][A-Za-z0-9_]*)="?(?:\$\{\d+:?-(?P<default>[^}"]+)\}|(?P<plain>[A-Za-z0-9_.][A-Za-z0-9_./-]*))"?[ \t]*$"#)
        .expect("valid regex")
});

/// Planned reading of the files whose use decides other files' roles.
#[derive(Debug)]
pub struct ReadersPlan {
    test_scripts: SelectorId,
    dev_scripts: SelectorId,
    compose: SelectorId,
    nameable: DocumentsId,
}

impl ReadersPlan {
    pub fn plan(plan: &mut PlanBuilder) -> ReadersPlan {
        let previous = plan.set_roles(RoleSet::of(&[Role::Test]));
        let test_scripts = plan.keep_contents(SelectorSpec::from_strs(SCRIPTS, &[]));
        // Production too: the walk makes a script that runs the checkout
        // dev tooling only once it has read it.
        plan.set_roles(RoleSet::of(&[Role::DevTooling, Role::Production]));
        let dev_scripts = plan.keep_contents(SelectorSpec::from_strs(SCRIPTS, &[]));
        plan.set_roles(RoleSet::of(&[Role::Production]));
        let compose = plan.keep_contents(SelectorSpec::from_strs(COMPOSE, &[]));
        plan.set_roles(RoleSet::ALL);
        let nameable = plan.selector(SelectorSpec::from_strs(NAMEABLE, &[]));
        let nameable = plan.documents(nameable, false);
        plan.set_roles(previous);
        ReadersPlan {
            test_scripts,
            dev_scripts,
            compose,
            nameable,
        }
    }

    pub fn build(&self, evidence: &Evidence) -> DerivedRoles {
        let texts = |selector, role: Role| {
            evidence
                .kept(selector)
                .filter(|f| evidence.role_of(&f.path) == role)
                .map(|f| (f.path.as_str(), f.text.as_str()))
                .collect::<Vec<_>>()
        };
        let files: BTreeSet<&str> = evidence
            .documents(self.nameable)
            .files
            .iter()
            .map(|d| d.path.as_str())
            .collect();
        derive(
            &texts(self.test_scripts, Role::Test),
            &texts(self.dev_scripts, Role::DevTooling),
            &texts(self.compose, Role::Production),
            &|path| files.contains(path).then(|| evidence.role_of(path)),
        )
    }
}

/// The derivation, on the texts of test scripts, development scripts and
/// production compose files, with the role the walk gave each file that
/// may be named (`None`: no such file).
pub fn derive(
    test_scripts: &[(&str, &str)],
    dev_scripts: &[(&str, &str)],
    compose: &[(&str, &str)],
    role_of: &dyn Fn(&str) -> Option<Role>,
) -> DerivedRoles {
    let mut derived: BTreeMap<String, Role> = BTreeMap::new();
    let give = |path: String, role: Role, derived: &mut BTreeMap<String, Role>| {
        if role_of(&path) == Some(Role::Production) {
            derived.entry(path).or_insert(role);
        }
    };
    for (script, text) in test_scripts {
        for named in CONFIG_PATH.find_iter(&uncommented(text)) {
            for path in resolved(script, named.as_str()) {
                give(path, Role::Test, &mut derived);
            }
        }
    }
    for (script, text) in dev_scripts {
        for call in SCRIPT_CALL.captures_iter(&uncommented(text)) {
            for path in resolved(script, &call["path"]) {
                give(path, Role::DevTooling, &mut derived);
            }
        }
    }
    // A listing a developer's or a test's script writes from the program
    // (`cargo run … > config/defaults.hjson`) is generated: the values in
    // it are the code's, judged where the code sets them.
    for (script, text) in test_scripts.iter().chain(dev_scripts) {
        for written in written_files(text) {
            for path in resolved(script, &written) {
                give(path, Role::Generated, &mut derived);
            }
        }
    }
    for (file, text) in compose {
        let mounted_role = mounts(text)
            .into_iter()
            .filter_map(|source| {
                let path = joined(folder(file), &source)?;
                let role = derived.get(&path).copied().or_else(|| role_of(&path))?;
                matches!(role, Role::Test | Role::DevTooling).then_some(role)
            })
            .min();
        if let Some(role) = mounted_role {
            give(file.to_string(), role, &mut derived);
        }
    }
    // The other way round: what only test runs and development setups
    // mount (`./test-nginx.conf` in `docker-compose.ci-test.yml`) is
    // theirs; a file a deployment also mounts stays production.
    let mut mounted: BTreeMap<String, Option<Role>> = BTreeMap::new();
    for (file, text) in compose {
        let role = derived
            .get(*file)
            .copied()
            .or_else(|| compose_use(file).map(|(role, _)| role));
        for source in mounts(text) {
            let Some(path) = joined(folder(file), &source) else {
                continue;
            };
            let entry = mounted.entry(path).or_insert(role);
            *entry = match (*entry, role) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            };
        }
    }
    for (path, role) in mounted {
        if let Some(role) = role {
            give(path, role, &mut derived);
        }
    }
    DerivedRoles(derived)
}

/// The configuration files a script redirects a command's output into,
/// with `$var` resolved from the script's own path variables.
fn written_files(text: &str) -> Vec<String> {
    let text = uncommented(text);
    let variables: BTreeMap<&str, &str> = PATH_VARIABLE
        .captures_iter(&text)
        .filter_map(|c| {
            let value = c.name("default").or_else(|| c.name("plain"))?;
            Some((c.name("name")?.as_str(), value.as_str()))
        })
        .collect();
    REDIRECT
        .captures_iter(&text)
        .filter_map(|c| {
            let target = &c["target"];
            let target = match target.strip_prefix('$') {
                Some(name) => *variables.get(name.trim_matches(['{', '}']))?,
                None => target,
            };
            CONFIG_PATH
                .find(target)
                .filter(|m| m.as_str() == target)
                .map(|m| m.as_str().to_string())
        })
        .collect()
}

/// The host paths the services of a Compose file bind-mount.
fn mounts(text: &str) -> Vec<String> {
    let documents = Documents::parse(Format::Yaml, text);
    let Some(Value::Map(services)) = documents
        .docs
        .first()
        .and_then(|d| d.get("services"))
        .map(|s| &s.value)
    else {
        return Vec::new();
    };
    services
        .iter()
        .flat_map(|(_, service)| bind_sources(service))
        .collect()
}

/// The host paths a service bind-mounts (`./x.hjson:/config/x.hjson:Z`,
/// `{type: bind, source: ./x}`), as written.
fn bind_sources(service: &Node) -> Vec<String> {
    let Some(Value::Seq(volumes)) = service.get("volumes").map(|v| &v.value) else {
        return Vec::new();
    };
    volumes
        .iter()
        .filter_map(|volume| match &volume.value {
            Value::String(short) => short.split(':').next().map(str::to_string),
            Value::Map(_) => volume.get("source").and_then(Node::scalar_text),
            _ => None,
        })
        .filter(|source| source.starts_with("./") || source.starts_with("../"))
        .collect()
}

/// A script's text without its comment lines.
fn uncommented(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Where a path a script names may be: from the root (scripts are often
/// run from there) and from the script's folder.
fn resolved(script: &str, named: &str) -> Vec<String> {
    let mut paths: Vec<String> = [joined("", named), joined(folder(script), named)]
        .into_iter()
        .flatten()
        .collect();
    paths.dedup();
    paths
}

/// `base/relative`, normalised (`./`, `..`); `None` when it leaves the root
/// or is absolute.
fn joined(base: &str, relative: &str) -> Option<String> {
    if relative.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files of the examples, with their conventional roles.
    const FILES: &[&str] = &[
        "api_tests/prepare.sh",
        "docker/federation/alpha.hjson",
        "docker/old.hjson",
        "docker/app.hjson",
        "docker/docker-compose.yml",
        "scripts/install.sh",
        "scripts/db-init.sh",
        "scripts/seed.sh",
        "docs/example.yaml",
        "tests/fixtures/app.yaml",
    ];

    fn role_of(path: &str) -> Option<Role> {
        FILES
            .contains(&path)
            .then(|| crate::repo::roles::conventional_role(path))
    }

    #[test]
    fn configs_a_test_script_names_are_test_configuration() {
        let derived = derive(
            &[(
                "api_tests/prepare.sh",
                "# uses ./docker/old.hjson no more\nCONFIG=./docker/federation/alpha.hjson \\\n  target/debug/server &\n",
            )],
            &[],
            &[],
            &role_of,
        );
        assert_eq!(
            derived.0,
            BTreeMap::from([("docker/federation/alpha.hjson".to_string(), Role::Test)])
        );
    }

    #[test]
    fn scripts_a_dev_script_sources_are_dev_tooling() {
        let derived = derive(
            &[],
            &[(
                "scripts/install.sh",
                "if [ x ]; then\n  source ./db-init.sh\nfi\nbash scripts/seed.sh\n",
            )],
            &[],
            &role_of,
        );
        assert_eq!(
            derived.0.keys().collect::<Vec<_>>(),
            ["scripts/db-init.sh", "scripts/seed.sh"]
        );
    }

    #[test]
    fn a_compose_mounting_a_test_or_dev_config_has_its_role() {
        let compose = "services:\n  app:\n    build: ../\n    volumes:\n      - ./app.hjson:/config/app.hjson:Z\n      - ./volumes/db:/var/lib/db\n";
        let dev = |path: &str| {
            if path == "docker/app.hjson" {
                Some(Role::DevTooling)
            } else {
                role_of(path)
            }
        };
        let derived = derive(&[], &[], &[("docker/docker-compose.yml", compose)], &dev);
        assert_eq!(
            derived.0,
            BTreeMap::from([("docker/docker-compose.yml".to_string(), Role::DevTooling)])
        );
        // Mounting production configuration says nothing.
        let derived = derive(
            &[],
            &[],
            &[("docker/docker-compose.yml", compose)],
            &role_of,
        );
        assert!(derived.0.is_empty());
        // A test script naming the config makes both test files.
        let derived = derive(
            &[("tests/run.sh", "CONFIG=docker/app.hjson ./server\n")],
            &[],
            &[("docker/docker-compose.yml", compose)],
            &role_of,
        );
        assert_eq!(
            derived.0.get("docker/docker-compose.yml"),
            Some(&Role::Test)
        );
    }

    #[test]
    fn a_listing_a_dev_script_writes_is_generated() {
        let files = |path: &str| {
            matches!(path, "config/defaults.hjson" | "config/other.json")
                .then_some(Role::Production)
        };
        let script = "#!/bin/bash\nset -e\n\ndest=${1-config/defaults.hjson}\n\ncargo run -p utils >\"$dest\" 2>&1\necho done > /dev/null\n";
        let derived = derive(&[], &[("scripts/update.sh", script)], &[], &files);
        assert_eq!(
            derived.0,
            BTreeMap::from([("config/defaults.hjson".to_string(), Role::Generated)])
        );
        let derived = derive(
            &[],
            &[("scripts/dump.sh", "node dump.js > config/other.json\n")],
            &[],
            &files,
        );
        assert_eq!(derived.0.get("config/other.json"), Some(&Role::Generated));
        // Read, not written.
        let derived = derive(
            &[],
            &[("scripts/load.sh", "psql < config/other.json\n")],
            &[],
            &files,
        );
        assert!(derived.0.is_empty(), "{:?}", derived.0);
        // A shell variable's name is ASCII: `d\u{e9}st=` assigns nothing
        // the redirect can name.
        let script = "d\u{e9}st=${1-config/defaults.hjson}\ncargo run >\"$d\u{e9}st\"\n";
        let derived = derive(&[], &[("scripts/update.sh", script)], &[], &files);
        assert!(derived.0.is_empty(), "{:?}", derived.0);
    }

    #[test]
    fn what_only_a_test_compose_mounts_is_test_configuration() {
        let test = "services:\n  web:\n    image: nginx\n    volumes:\n      - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro\n";
        let files = |path: &str| (path == "docker/nginx.conf").then_some(Role::Production);
        let derived = derive(
            &[],
            &[],
            &[("docker/docker-compose.ci-test.yml", test)],
            &files,
        );
        assert_eq!(
            derived.0,
            BTreeMap::from([("docker/nginx.conf".to_string(), Role::Test)])
        );
        // A deployment mounting it too keeps it production.
        let derived = derive(
            &[],
            &[],
            &[
                ("docker/docker-compose.ci-test.yml", test),
                ("docker/docker-compose.yml", test),
            ],
            &files,
        );
        assert!(derived.0.is_empty(), "{:?}", derived.0);
    }

    #[test]
    fn files_with_a_role_of_their_own_keep_it() {
        let derived = derive(
            &[(
                "tests/run.sh",
                "cp docs/example.yaml tests/fixtures/app.yaml\n",
            )],
            &[],
            &[],
            &role_of,
        );
        assert!(derived.0.is_empty(), "{:?}", derived.0);
    }

    #[test]
    fn paths_are_joined_inside_the_root() {
        assert_eq!(
            joined("docker", "./a.hjson").as_deref(),
            Some("docker/a.hjson")
        );
        assert_eq!(joined("docker/x", "../../a.sh").as_deref(), Some("a.sh"));
        assert_eq!(joined("docker", "../../a.sh"), None);
        assert_eq!(joined("", "/etc/app.conf"), None);
    }
}
