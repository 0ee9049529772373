//! What a Compose service built from a Dockerfile of the repository gets
//! from its image.
//!
//! Docker runs an image's `HEALTHCHECK` for every container of it unless the
//! service sets its own `healthcheck:`, so a service that builds
//! `docker/Dockerfile` (target `production`) whose stage declares one is
//! health-checked, though its Compose file says nothing. Judging the Compose
//! file alone fails it; judging the service as Docker runs it does not.

use crate::dockerfile::Dockerfile;
use crate::document::{Node, Value};

/// The repository path of the Dockerfile a service builds, and the stage
/// it targets: `build: ./app` or `build: { context, dockerfile, target }`,
/// relative to the Compose file's folder. `None` when the service builds
/// nothing, builds from a remote context, or points outside the repository.
pub fn built_dockerfile(compose_path: &str, service: &Node) -> Option<(String, Option<String>)> {
    let build = service.get("build")?;
    let (context, dockerfile, target) = match &build.value {
        Value::String(context) => (context.to_string(), None, None),
        Value::Map(_) => (
            build
                .get("context")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| ".".to_string()),
            build.get("dockerfile").and_then(Node::scalar_text),
            build.get("target").and_then(Node::scalar_text),
        ),
        _ => return None,
    };
    if context.contains("://") || context.starts_with("git@") || context.contains('$') {
        return None;
    }
    let folder = compose_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let context = join(folder, &context)?;
    let dockerfile = dockerfile.unwrap_or_else(|| "Dockerfile".to_string());
    if dockerfile.contains('$') || dockerfile.starts_with('/') {
        return None;
    }
    let path = join(&context, &dockerfile)?;
    Some((path, target.map(|t| t.to_ascii_lowercase())))
}

/// `base` joined with `path` inside the repository. Compose allows an
/// absolute context or Dockerfile; it is read from the root, since this
/// layer never looks outside it.
fn join(base: &str, path: &str) -> Option<String> {
    super::path::join(base, path.trim_start_matches('/'))
}

/// The `HEALTHCHECK` the image a service builds runs: the one of the target
/// stage (or the last), inherited through the stages it is built `FROM`.
/// `None` without one, or for `HEALTHCHECK NONE`.
pub fn image_healthcheck(dockerfile: &Dockerfile, target: Option<&str>) -> Option<(usize, String)> {
    let index = match target {
        Some(name) => dockerfile
            .stages
            .iter()
            .position(|s| s.name.as_deref() == Some(name))?,
        None => dockerfile.stages.len().checked_sub(1)?,
    };
    let check = dockerfile.effective(index, "HEALTHCHECK")?;
    (!check.args.trim().eq_ignore_ascii_case("none")).then(|| (check.line, check.args.clone()))
}

/// Gives every service of the Compose document `root` (from `compose_path`)
/// that builds one of `dockerfiles` and sets no `healthcheck:` of its own
/// the one its image runs, as `healthcheck: { test: …, from: "<path>:<line>" }`.
pub fn inherit_image_healthchecks(
    compose_path: &str,
    root: &mut Node,
    dockerfiles: &[(&str, &Dockerfile)],
) {
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    let Some((_, services)) = entries.iter_mut().find(|(k, _)| &**k == "services") else {
        return;
    };
    let Value::Map(services) = &mut services.value else {
        return;
    };
    for (_, service) in services.iter_mut() {
        if service.get("healthcheck").is_some() {
            continue;
        }
        let Some((path, target)) = built_dockerfile(compose_path, service) else {
            continue;
        };
        let Some((_, dockerfile)) = dockerfiles.iter().find(|(p, _)| *p == path) else {
            continue;
        };
        let Some((line, args)) = image_healthcheck(dockerfile, target.as_deref()) else {
            continue;
        };
        let Value::Map(fields) = &mut service.value else {
            continue;
        };
        let text = |s: String| Node {
            value: Value::String(s.into()),
            line: None,
        };
        fields.push((
            "healthcheck".into(),
            Node {
                value: Value::Map(vec![
                    ("test".into(), text(args)),
                    ("from".into(), text(format!("{path}:{line}"))),
                ]),
                line: service.line,
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Documents, Format};

    fn service(yaml: &str) -> Node {
        let docs = Documents::parse(Format::Yaml, yaml);
        docs.docs[0].clone()
    }

    #[test]
    fn the_built_dockerfile_is_found_from_the_compose_folder() {
        let mealie = service(
            "build:\n  context: ../\n  target: production\n  dockerfile: ./docker/Dockerfile\n",
        );
        assert_eq!(
            built_dockerfile("docker/docker-compose.yml", &mealie),
            Some(("docker/Dockerfile".into(), Some("production".into())))
        );
        let short = service("build: ./api\n");
        assert_eq!(
            built_dockerfile("compose.yaml", &short),
            Some(("api/Dockerfile".into(), None))
        );
        let outside = service("build: ../../elsewhere\n");
        assert_eq!(built_dockerfile("deploy/compose.yaml", &outside), None);
        let remote = service("build: https://github.com/x/y.git#main\n");
        assert_eq!(built_dockerfile("compose.yaml", &remote), None);
        assert_eq!(
            built_dockerfile("compose.yaml", &service("image: redis:7\n")),
            None
        );
    }

    #[test]
    fn a_service_gets_the_healthcheck_of_the_stage_it_builds() {
        let dockerfile = Dockerfile::parse(
            "FROM python:3.12-slim AS base\nHEALTHCHECK CMD python healthcheck.py\nFROM base AS production\nCMD [\"app\"]\nFROM base AS dev\nHEALTHCHECK NONE\n",
        );
        assert_eq!(
            image_healthcheck(&dockerfile, Some("production")),
            Some((2, "CMD python healthcheck.py".into()))
        );
        assert_eq!(image_healthcheck(&dockerfile, Some("dev")), None);
        assert_eq!(image_healthcheck(&dockerfile, None), None);
        assert_eq!(image_healthcheck(&dockerfile, Some("missing")), None);

        let mut compose = service(
            "services:\n  app:\n    build: { context: ., target: production }\n  db:\n    image: postgres:16\n  own:\n    build: .\n    healthcheck: { test: [\"CMD\", \"true\"] }\n",
        );
        inherit_image_healthchecks("compose.yaml", &mut compose, &[("Dockerfile", &dockerfile)]);
        let services = compose.get("services").unwrap();
        let inherited = services.get("app").unwrap().get("healthcheck").unwrap();
        assert_eq!(
            inherited.get("from").and_then(Node::scalar_text).as_deref(),
            Some("Dockerfile:2")
        );
        assert!(services.get("db").unwrap().get("healthcheck").is_none());
        let own = services.get("own").unwrap().get("healthcheck").unwrap();
        assert!(own.get("from").is_none());
    }
}
