//! Which Dockerfiles the repository builds: those a pipeline, a script, a
//! Makefile or a Compose file names.
//!
//! A repository that builds its image from `docker/Dockerfile` in CI often
//! keeps other Dockerfiles beside it: a `Dockerfile.bun` left over from a
//! framework template, an optional `Dockerfile.chromium` add-on layered on
//! the published image. Nobody builds them, so holding them to runtime-image
//! rules judges files that never ship. Once something names a Dockerfile as
//! the one to build, a *tagged* Dockerfile (`Dockerfile.<tag>`,
//! `<tag>.Dockerfile`) that nothing names is left out, with the reason. A
//! plain `Dockerfile` is what `docker build .` reads without being named, so
//! it is always judged; so is a tagged one whose tag says production
//! (`Dockerfile.prod`).

use super::artefacts::{COMPOSE_FILES, DOCKERFILES, NOT_DOCKERFILES, dockerfile_tag};
use crate::scan::{Evidence, PlanBuilder, SelectorId, SelectorSpec};
use std::collections::BTreeSet;

/// Files that say which Dockerfile to build: pipelines, composite actions,
/// build scripts and task runners, Compose files and the build configs of
/// release tools and hosting platforms.
const REFERRERS: &[&str] = &[
    ".github/workflows/*.y*ml",
    ".github/actions/**/action.y*ml",
    "**/action.y*ml",
    ".gitlab-ci.y*ml",
    ".gitlab/**/*.y*ml",
    ".circleci/config.y*ml",
    "Jenkinsfile",
    "**/Jenkinsfile",
    "azure-pipelines.y*ml",
    ".azure-pipelines/*.y*ml",
    "bitbucket-pipelines.y*ml",
    ".travis.y*ml",
    ".buildkite/*.y*ml",
    ".drone.y*ml",
    ".woodpecker.y*ml",
    ".woodpecker/*.y*ml",
    "**/*.sh",
    "**/*.bash",
    "Makefile",
    "**/Makefile",
    "**/*.mk",
    "justfile",
    "**/justfile",
    "Taskfile.y*ml",
    "**/package.json",
    ".goreleaser.y*ml",
    "**/docker-bake.hcl",
    "**/docker-bake.json",
    "**/skaffold.y*ml",
    "**/fly.toml",
    "render.yaml",
    "heroku.yml",
    "railway.toml",
    "railway.json",
    "**/cloudbuild.y*ml",
    "scripts/*",
    "bin/*",
];

const NOT_THE_PROJECT: &[&str] = &["**/node_modules/**", "**/vendor/**"];

/// Tags that say a Dockerfile is the production image even when nothing in
/// the repository names it (a guide may tell users to build it).
const PRODUCTION_TAGS: &[&str] = &["prod", "production", "release", "deploy", "runtime"];

/// The Dockerfiles something in the repository builds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerfileBuilds {
    /// Paths of the Dockerfiles a referrer names.
    pub built: BTreeSet<String>,
}

impl DockerfileBuilds {
    /// From every Dockerfile path and the referrers' texts.
    pub fn from_texts<'a>(
        dockerfiles: impl IntoIterator<Item = &'a str>,
        referrers: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    ) -> DockerfileBuilds {
        let built = dockerfiles
            .into_iter()
            .filter(|dockerfile| {
                referrers
                    .clone()
                    .into_iter()
                    .any(|(path, text)| path != *dockerfile && names(text, dockerfile))
            })
            .map(str::to_string)
            .collect();
        DockerfileBuilds { built }
    }

    /// Why the Dockerfile at `path` is not built, or `None` when it is, may
    /// be, or nothing says which Dockerfile is built.
    pub fn not_built(&self, path: &str) -> Option<String> {
        let first = self.built.iter().next()?;
        if self.built.contains(path) {
            return None;
        }
        let tag = dockerfile_tag(path)?.to_ascii_lowercase();
        if tag
            .split(['.', '-', '_'])
            .any(|word| PRODUCTION_TAGS.contains(&word))
        {
            return None;
        }
        Some(format!(
            "nothing builds it: no pipeline, script or Compose file names it (`{first}` is built)"
        ))
    }
}

/// Whether `text` names the Dockerfile at `path`: its whole path (`file:
/// ./docker/Dockerfile`), or, for a tagged Dockerfile, its file name
/// (`dockerfile: Dockerfile.alpine` beside a build context), as a word of
/// its own: `docker/Dockerfile` does not name `docker/Dockerfile.chromium`.
fn names(text: &str, path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut needles = vec![path];
    if dockerfile_tag(path).is_some() && name != path {
        needles.push(name);
    }
    needles.into_iter().any(|needle| {
        text.match_indices(needle).any(|(at, _)| {
            let before = &text[..at];
            let after = text[at + needle.len()..].chars().next();
            let starts_word = match before.chars().next_back() {
                None => true,
                // A path may start at the root (`./docker/Dockerfile`) or
                // at a variable (`$SCRIPT_DIR/Dockerfile.api`), not inside
                // another folder (`other/docker/Dockerfile`).
                Some('/') if needle == path => {
                    let folder = before[..before.len() - 1]
                        .rsplit(|c: char| !is_name_char(c) && !"${}()".contains(c))
                        .next()
                        .unwrap_or_default();
                    folder == "." || folder.contains(['$', '}', ')'])
                }
                Some(c) => !is_name_char(c),
            };
            starts_word && !after.is_some_and(|c| is_name_char(c) || c == '/')
        })
    })
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// Planned reading: the Dockerfiles and the files that may name them.
#[derive(Debug)]
pub struct BuildsPlan {
    dockerfiles: SelectorId,
    referrers: SelectorId,
}

impl BuildsPlan {
    pub fn plan(plan: &mut PlanBuilder) -> BuildsPlan {
        let mut referrers: Vec<&str> = REFERRERS.to_vec();
        referrers.extend_from_slice(COMPOSE_FILES);
        BuildsPlan {
            dockerfiles: plan.keep_contents(SelectorSpec::from_strs(DOCKERFILES, NOT_DOCKERFILES)),
            referrers: plan.keep_contents(SelectorSpec::from_strs(&referrers, NOT_THE_PROJECT)),
        }
    }

    pub fn build(&self, evidence: &Evidence) -> DockerfileBuilds {
        let referrers: Vec<(&str, &str)> = evidence
            .kept(self.referrers)
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        DockerfileBuilds::from_texts(
            evidence.kept(self.dockerfiles).map(|f| f.path.as_str()),
            referrers.iter().copied(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dockerfile_is_named_by_its_path_or_its_tagged_name() {
        assert!(names("file: ./docker/Dockerfile\n", "docker/Dockerfile"));
        assert!(names(
            "docker build -f ${{ github.workspace }}/deploy/Dockerfile .",
            "deploy/Dockerfile"
        ));
        assert!(names(
            "  dockerfile: Dockerfile.alpine",
            "Dockerfile.alpine"
        ));
        assert!(names(
            "docker build -f docker/Dockerfile.api .",
            "docker/Dockerfile.api"
        ));
        assert!(names("dockerfile: Dockerfile.api", "deploy/Dockerfile.api"));
        // The path of one Dockerfile is the start of another's.
        assert!(!names(
            "file: ./docker/Dockerfile\n",
            "docker/Dockerfile.chromium"
        ));
        assert!(!names(
            "-f Dockerfile.chromium-old",
            "docker/Dockerfile.chromium"
        ));
        assert!(!names(
            "file: other/docker/Dockerfile\n",
            "docker/Dockerfile"
        ));
    }

    #[test]
    fn unnamed_tagged_dockerfiles_are_not_built_once_something_is() {
        let dockerfiles = [
            "docker/Dockerfile",
            "docker/Dockerfile.chromium",
            "apps/web/Dockerfile.bun",
            "apps/api/Dockerfile",
            "Dockerfile.prod",
        ];
        let ci = (
            ".github/workflows/ci.yml",
            "      - uses: docker/build-push-action@v6\n        with:\n          file: ./docker/Dockerfile\n",
        );
        let builds = DockerfileBuilds::from_texts(dockerfiles, [ci]);
        assert_eq!(
            builds.built.iter().collect::<Vec<_>>(),
            ["docker/Dockerfile"]
        );
        assert!(builds.not_built("docker/Dockerfile").is_none());
        assert!(builds.not_built("docker/Dockerfile.chromium").is_some());
        assert!(builds.not_built("apps/web/Dockerfile.bun").is_some());
        // `docker build .` reads a plain Dockerfile without naming it.
        assert!(builds.not_built("apps/api/Dockerfile").is_none());
        assert!(builds.not_built("Dockerfile.prod").is_none());

        // When nothing names any Dockerfile, nothing is left out.
        let silent =
            DockerfileBuilds::from_texts(dockerfiles, [("Makefile", "build:\n\tgo build\n")]);
        assert!(silent.not_built("apps/web/Dockerfile.bun").is_none());
    }
}
