//! Service containers a job starts itself, besides those its CI system
//! declares (`services:`): `docker compose up` of a Compose file in the
//! repository (or `docker compose run`, which starts the service's
//! `depends_on` first), `docker run -d IMAGE`, a datastore the runner
//! already has (`sudo systemctl start postgresql.service`) or an action that
//! installs one (`ankane/setup-mariadb`). A test step in that job runs
//! against a real database as much as one beside a GitHub `services:` block
//! does, so all of them end up in [`Job::services`]; a runner's own
//! datastore is named by what it is (`postgresql`), having no image.

use super::model::{Job, Pipeline};
use super::resolve::Files;
use super::vocabulary::program_name;
use crate::document::{Documents, Format, Node, Value};
use crate::repo::path::join;

/// Adds to each job the images of the containers its steps start.
pub fn started_by_steps(pipeline: &mut Pipeline, files: &Files<'_>) {
    for job in &mut pipeline.jobs {
        let mut started = Vec::new();
        for step in &job.steps {
            started.extend(step.uses.as_deref().and_then(setup_action));
            for command in &step.commands {
                for link in &command.chain {
                    let words: Vec<&str> = link.text.split_whitespace().collect();
                    started.extend(images_started(&words, &command.dir, files));
                }
            }
        }
        add(job, started);
    }
}

fn add(job: &mut Job, images: Vec<String>) {
    for image in images {
        if !job.services.contains(&image) {
            job.services.push(image);
        }
    }
}

/// The images a command line starts and leaves running.
fn images_started(words: &[&str], cwd: &str, files: &Files<'_>) -> Vec<String> {
    // As written in the file: `sudo` and variable assignments come first.
    let skip = words
        .iter()
        .take_while(|w| **w == "sudo" || **w == "-E" || w.contains('='))
        .count();
    let words = &words[skip..];
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let program = program_name(first);
    match (program.as_str(), words.get(1).copied()) {
        ("docker" | "podman", Some("compose")) => compose(&words[2..], cwd, files),
        ("docker-compose" | "podman-compose", _) => compose(&words[1..], cwd, files),
        ("docker" | "podman", Some("run")) => detached_run(&words[2..]),
        ("docker" | "podman", Some("container")) if words.get(2) == Some(&"run") => {
            detached_run(&words[3..])
        }
        // `systemctl start postgresql.service mysql`, `service redis-server
        // start`, `brew services start postgresql@16`.
        ("systemctl", Some("start" | "restart")) => datastores(&words[2..]),
        ("service", _) if words.get(2).is_some_and(|w| *w == "start") => datastores(&words[1..2]),
        ("brew", Some("services")) if words.get(2) == Some(&"start") => datastores(&words[3..]),
        _ => Vec::new(),
    }
}

/// Datastores and brokers a runner may start or an action may install, by
/// the start of their service or package name.
const DATASTORES: &[&str] = &[
    "postgres",
    "mysql",
    "mariadb",
    "redis",
    "valkey",
    "mongo",
    "memcached",
    "elasticsearch",
    "opensearch",
    "rabbitmq",
    "cassandra",
    "clickhouse",
];

fn datastore(name: &str) -> Option<String> {
    let name = name.trim_end_matches(".service");
    let name = name.split('@').next().unwrap_or(name).to_ascii_lowercase();
    DATASTORES
        .iter()
        .any(|d| name.starts_with(d))
        .then_some(name)
}

fn datastores(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter(|n| !n.starts_with('-'))
        .filter_map(|n| datastore(n))
        .collect()
}

/// An action that installs and starts a datastore on the runner
/// (`ankane/setup-postgres`, `supercharge/redis-github-action`,
/// `shogo82148/actions-setup-mysql`): the datastore, by name.
fn setup_action(uses: &str) -> Option<String> {
    let name = uses
        .split('@')
        .next()?
        .rsplit('/')
        .next()?
        .to_ascii_lowercase();
    if !name.contains("setup") && !name.contains("action") {
        return None;
    }
    name.split('-').find_map(datastore)
}

/// Options of `docker run` that take a value (`-p 5432:5432`).
const RUN_VALUE_OPTIONS: &[&str] = &[
    "--name",
    "--env",
    "--env-file",
    "--publish",
    "--volume",
    "--network",
    "--net",
    "--health-cmd",
    "--health-interval",
    "--health-timeout",
    "--health-retries",
    "--health-start-period",
    "--workdir",
    "--user",
    "--label",
    "--mount",
    "--restart",
    "--entrypoint",
    "--tmpfs",
    "--memory",
    "--cpus",
    "--platform",
    "--hostname",
    "--add-host",
    "--shm-size",
    "--ulimit",
    "--pull",
    "--cap-add",
    "--log-driver",
    "--log-opt",
];

/// Short options of `docker run` that take a value, last in a cluster
/// (`-dp 5432:5432`).
const RUN_VALUE_SHORT: &[char] = &['e', 'p', 'v', 'w', 'u', 'l', 'm', 'h'];

/// `docker run -d [options] IMAGE`: the image, when the container is left
/// running (a container run in the foreground is the job's own command).
fn detached_run(args: &[&str]) -> Vec<String> {
    let mut detached = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if *arg == "--detach" || *arg == "--detach=true" {
            detached = true;
        } else if arg.starts_with("--") {
            if !arg.contains('=') && RUN_VALUE_OPTIONS.contains(arg) {
                iter.next();
            }
        } else if let Some(cluster) = arg.strip_prefix('-') {
            detached |= cluster.contains('d');
            if cluster
                .chars()
                .last()
                .is_some_and(|c| RUN_VALUE_SHORT.contains(&c))
            {
                iter.next();
            }
        } else {
            return match detached {
                true => vec![arg.to_string()],
                false => Vec::new(),
            };
        }
    }
    Vec::new()
}

/// Options of `docker compose run` that take a value.
const COMPOSE_RUN_VALUE_OPTIONS: &[&str] = &[
    "-e",
    "--env",
    "-w",
    "--workdir",
    "-u",
    "--user",
    "--name",
    "--entrypoint",
    "-v",
    "--volume",
    "-p",
    "--publish",
    "-l",
    "--label",
];

/// Options of `docker compose up` that take a value.
const COMPOSE_UP_VALUE_OPTIONS: &[&str] = &[
    "--scale",
    "-t",
    "--timeout",
    "--wait-timeout",
    "--pull",
    "--exit-code-from",
    "--attach",
    "--no-attach",
];

/// `docker compose [-f file…] up|start|create [services]` starts the
/// services named (all of them when none is) and what they depend on;
/// `docker compose run SERVICE` starts what SERVICE depends on. Only
/// services with an `image:` are containers started beside the job: one
/// built from the repository is the project itself.
fn compose(args: &[&str], cwd: &str, files: &Files<'_>) -> Vec<String> {
    let mut compose_files = Vec::new();
    let mut directory = cwd.to_string();
    let mut iter = args.iter();
    let mut subcommand = None;
    while let Some(arg) = iter.next() {
        match *arg {
            "-f" | "--file" => compose_files.extend(iter.next().map(|f| f.to_string())),
            "--project-directory" => {
                if let Some(dir) = iter.next().and_then(|d| join(cwd, d)) {
                    directory = dir;
                }
            }
            "-p" | "--project-name" | "--env-file" | "--profile" | "--ansi" | "--progress" => {
                iter.next();
            }
            a if a.starts_with('-') => {}
            a => {
                subcommand = Some(a);
                break;
            }
        }
    }
    let rest: Vec<&str> = iter.copied().collect();
    let (named, own) = match subcommand {
        Some("up" | "start" | "create") => (positionals(&rest, COMPOSE_UP_VALUE_OPTIONS), true),
        Some("run") => (
            positionals(&rest, COMPOSE_RUN_VALUE_OPTIONS)
                .into_iter()
                .take(1)
                .collect(),
            false,
        ),
        _ => return Vec::new(),
    };
    if !own && named.is_empty() {
        return Vec::new();
    }
    let paths: Vec<String> = match compose_files.is_empty() {
        true => [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
        ]
        .iter()
        .filter_map(|n| join(&directory, n))
        .filter(|p| files.get(p).is_some())
        .take(1)
        .collect(),
        false => compose_files.iter().filter_map(|f| join(cwd, f)).collect(),
    };
    let services = merged_services(&paths, files);
    let mut wanted: Vec<String> = match (own, named.is_empty()) {
        (true, true) => services.iter().map(|s| s.name.clone()).collect(),
        (true, false) => named,
        // `run SERVICE` starts its dependencies, not SERVICE in the background.
        (false, _) => services
            .iter()
            .find(|s| s.name == named[0])
            .map(|s| s.depends_on.clone())
            .unwrap_or_default(),
    };
    let mut index = 0;
    while index < wanted.len() {
        if let Some(service) = services.iter().find(|s| s.name == wanted[index]) {
            for dependency in &service.depends_on {
                if !wanted.contains(dependency) {
                    wanted.push(dependency.clone());
                }
            }
        }
        index += 1;
    }
    wanted
        .iter()
        .filter_map(|name| services.iter().find(|s| &s.name == name))
        .filter_map(|s| s.image.clone())
        .collect()
}

fn positionals(args: &[&str], value_options: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg.starts_with('-') {
            if !arg.contains('=') && value_options.contains(arg) {
                iter.next();
            }
        } else {
            found.push(arg.to_string());
        }
    }
    found
}

struct Service {
    name: String,
    image: Option<String>,
    depends_on: Vec<String>,
}

/// The services of Compose files merged in order: a later file's `image:`
/// replaces an earlier one's.
fn merged_services(paths: &[String], files: &Files<'_>) -> Vec<Service> {
    let mut services: Vec<Service> = Vec::new();
    for path in paths {
        let Some(text) = files.get(path) else {
            continue;
        };
        let docs = Documents::parse(Format::Yaml, text);
        let Some(Value::Map(entries)) = docs
            .docs
            .first()
            .and_then(|d| d.get("services"))
            .map(|s| &s.value)
        else {
            continue;
        };
        for (name, node) in entries {
            let image = node.get("image").and_then(Node::scalar_text);
            let depends_on = match node.get("depends_on").map(|d| &d.value) {
                Some(Value::Seq(items)) => items
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect::<Vec<String>>(),
                Some(Value::Map(items)) => items.iter().map(|(k, _)| k.to_string()).collect(),
                _ => Vec::new(),
            };
            match services.iter_mut().find(|s| *s.name == **name) {
                Some(existing) => {
                    if image.is_some() {
                        existing.image = image;
                    }
                    existing.depends_on.extend(depends_on);
                }
                None => services.push(Service {
                    name: name.to_string(),
                    image,
                    depends_on,
                }),
            }
        }
    }
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPOSE: &str = "services:\n  app:\n    build: .\n    depends_on: [db]\n  db:\n    image: postgres:16\n    depends_on:\n      cache:\n        condition: service_started\n  cache:\n    image: redis:7\n  mail:\n    image: mailhog/mailhog\n";

    fn started(command: &str) -> Vec<String> {
        let mut files = Files::default();
        files.insert("docker-compose.yml", COMPOSE);
        files.insert(
            "ci/compose.test.yml",
            "services:\n  db:\n    image: mysql:8\n",
        );
        let words: Vec<&str> = command.split_whitespace().collect();
        images_started(&words, "", &files)
    }

    #[test]
    fn compose_up_starts_the_named_services_and_their_dependencies() {
        assert_eq!(
            started("docker compose up -d db"),
            ["postgres:16", "redis:7"]
        );
        assert_eq!(
            started("docker-compose up --wait"),
            ["postgres:16", "redis:7", "mailhog/mailhog"]
        );
        assert_eq!(
            started("docker compose -f ci/compose.test.yml up -d db"),
            ["mysql:8"]
        );
        // `run app` starts app's dependencies; app itself is the project.
        assert_eq!(
            started("docker compose run --rm -e CI=1 app pytest"),
            ["postgres:16", "redis:7"]
        );
        assert!(started("docker compose build").is_empty());
        assert!(started("docker compose run --rm cache redis-cli ping").is_empty());
    }

    #[test]
    fn docker_run_counts_only_when_detached() {
        assert_eq!(
            started("docker run -d --name pg -p 5432:5432 -e POSTGRES_PASSWORD=x postgres:16"),
            ["postgres:16"]
        );
        assert_eq!(started("docker run -dp 6379:6379 redis:7"), ["redis:7"]);
        assert!(started("docker run --rm -v .:/src golang:1.22 go test ./...").is_empty());
    }

    #[test]
    fn datastores_the_runner_starts_or_an_action_installs() {
        assert_eq!(
            started("sudo systemctl start postgresql.service"),
            ["postgresql"]
        );
        assert_eq!(
            started("systemctl start postgresql.service mysql"),
            ["postgresql", "mysql"]
        );
        assert_eq!(started("service redis-server start"), ["redis-server"]);
        assert!(started("systemctl start docker").is_empty());
        assert_eq!(
            setup_action("ankane/setup-mariadb@v1").as_deref(),
            Some("mariadb")
        );
        assert_eq!(
            setup_action("supercharge/redis-github-action@1.8.0").as_deref(),
            Some("redis")
        );
        assert_eq!(setup_action("actions/setup-node@v4"), None);
    }
}
