//! `dockerfile`: properties of every Dockerfile, read with the tolerant
//! reader in [`crate::dockerfile`] (stages, `FROM`, `USER`, `HEALTHCHECK`).

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, Spanned, Validator};
use crate::dockerfile::{Dockerfile, ImageRef, is_root_user};
use crate::model::Finding;
use crate::scan::{Evidence, KeptFile, PlanBuilder, SelectorId, SelectorSpec};
use schemars::JsonSchema;
use serde::Deserialize;

/// Where Dockerfiles are found when a rule gives no `paths`.
pub const DEFAULT_PATHS: &[&str] = crate::repo::artefacts::DOCKERFILES;

/// Dockerfiles for development, tests and examples are not what ships; the
/// default selection leaves them out.
pub const DEFAULT_EXCLUDE: &[&str] = crate::repo::artefacts::DOCKERFILES_NOT_SHIPPED;

/// Asserts one property of every Dockerfile; each file that lacks it is a
/// finding at the offending line. Passes when there is no Dockerfile (use
/// `when` to make the check not applicable then).
///
/// ```yaml
/// dockerfile:
///   assert: non_root_user   # multi_stage | non_root_user | healthcheck
///                           # | pinned_base_images | digest_pinned_base_images
///                           # | no_whole_context_copy | minimal_runtime_image
///   # paths / exclude default to every Dockerfile and Containerfile outside
///   # tests, examples and `Dockerfile.dev`-style development files.
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DockerfileSpec {
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    pub assert: DockerAssertion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DockerAssertion {
    /// At least two `FROM`s: build tools stay out of the runtime image.
    MultiStage,
    /// The final stage runs as a user other than root / 0 (its own `USER`,
    /// one inherited from an earlier stage, or a `nonroot` base image).
    NonRootUser,
    /// The final stage has a `HEALTHCHECK` (and not `HEALTHCHECK NONE`).
    Healthcheck,
    /// No external `FROM` uses `latest` or omits the tag.
    PinnedBaseImages,
    /// Every external `FROM` names a digest (`@sha256:…`).
    DigestPinnedBaseImages,
    /// No `COPY`/`ADD` sends the whole build context (`COPY . .`) into the
    /// image, where a stray `.env` or key would be baked into a layer.
    NoWholeContextCopy,
    /// The final stage runs on a minimal base: `scratch`, distroless,
    /// Chainguard, Alpine, BusyBox, a `-slim` / `-minimal` / `-micro` variant.
    MinimalRuntimeImage,
}

impl DockerfileSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> DockerfileRule {
        let spec = if self.paths.is_empty() {
            let mut exclude: Vec<&str> = DEFAULT_EXCLUDE.to_vec();
            exclude.extend_from_slice(crate::repo::artefacts::NOT_DOCKERFILES);
            let extra: Vec<&str> = self.exclude.iter().map(|g| g.value.as_str()).collect();
            exclude.extend(extra);
            SelectorSpec::from_strs(DEFAULT_PATHS, &exclude)
        } else {
            SelectorSpec::new(&self.paths, &self.exclude, false)
        };
        // Entrypoint scripts, where an image that starts as root may drop
        // to another user (`exec gosu app …`).
        let scripts = (self.assert == DockerAssertion::NonRootUser).then(|| {
            plan.keep_contents(SelectorSpec::from_strs(
                &["**/*.sh", "**/*entrypoint*", "**/entry*"],
                &["**/node_modules/**", "**/vendor/**"],
            ))
        });
        DockerfileRule {
            selector: plan.keep_contents(spec),
            scripts,
            runtime_only: self.paths.is_empty(),
            assertion: self.assert,
            describe: if self.paths.is_empty() {
                "Dockerfile".to_string()
            } else {
                describe_globs(&self.paths)
            },
        }
    }
}

#[derive(Debug)]
pub struct DockerfileRule {
    selector: SelectorId,
    /// Kept scripts an entrypoint may be (for `non_root_user` only).
    scripts: Option<SelectorId>,
    /// Judge only Dockerfiles that may build the runtime image (see
    /// [`crate::repo::artefacts::dockerfile_not_runtime`] and
    /// [`crate::repo::builds`]); a rule that
    /// names its own `paths` judges exactly those.
    runtime_only: bool,
    assertion: DockerAssertion,
    describe: String,
}

/// A kept file read as a Dockerfile, parsed once whatever the number of
/// rules asking.
pub fn parsed(file: &KeptFile) -> std::sync::Arc<Dockerfile> {
    file.dockerfile()
}

impl DockerfileRule {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let mut findings = Vec::new();
        let mut checked = 0;
        let mut notes = Vec::new();
        let mut not_runtime = Vec::new();
        let scripts: Vec<(&str, &str)> = self
            .scripts
            .into_iter()
            .flat_map(|id| evidence.kept(id))
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        let builds = evidence.fact::<crate::repo::builds::DockerfileBuilds>();
        for file in evidence.kept(self.selector) {
            if self.runtime_only
                && let Some(reason) = crate::repo::artefacts::dockerfile_not_runtime(
                    &file.path,
                    evidence.role_of(&file.path),
                )
                .or_else(|| builds.and_then(|b| b.not_built(&file.path)))
            {
                not_runtime.push(format!("`{}` ({reason})", file.path));
                continue;
            }
            let dockerfile = parsed(file);
            if dockerfile.stages.is_empty() {
                notes.push(Finding::at(
                    file.path.clone(),
                    None,
                    "no FROM instruction: not checked",
                ));
                continue;
            }
            checked += 1;
            let problems = self.problems(&file.path, &dockerfile);
            // Root only until the entrypoint drops to another user: the
            // service itself does not run as root.
            let dropped = (self.assert_is_non_root() && !problems.is_empty())
                .then(|| {
                    crate::repo::entrypoint::privilege_drop(&dockerfile, scripts.iter().copied())
                })
                .flatten();
            match dropped {
                Some(drop) => notes.push(Finding::at(
                    drop.script.clone(),
                    Some(drop.line),
                    format!(
                        "`{}` starts as root and its entrypoint drops to another user with {}",
                        file.path, drop.tool
                    ),
                )),
                None => findings.extend(problems),
            }
        }
        if checked == 0 && !not_runtime.is_empty() {
            return Outcome::skip(format!(
                "no runtime Dockerfile; not judged: {}",
                not_runtime.join(", ")
            ));
        }
        if checked == 0 {
            let mut outcome = Outcome::nothing_to_judge(format!("no {}", self.describe));
            outcome.findings = notes;
            return outcome;
        }
        let aside = if not_runtime.is_empty() {
            String::new()
        } else {
            format!("; not judged: {}", not_runtime.join(", "))
        };
        let what = match self.assertion {
            DockerAssertion::MultiStage => "use a multi-stage build",
            DockerAssertion::NonRootUser => "run as a non-root user",
            DockerAssertion::Healthcheck => "declare a HEALTHCHECK",
            DockerAssertion::PinnedBaseImages => "pin base images to a version",
            DockerAssertion::DigestPinnedBaseImages => "pin base images by digest",
            DockerAssertion::NoWholeContextCopy => "copy only what the image needs",
            DockerAssertion::MinimalRuntimeImage => "run on a minimal base image",
        };
        let failing: std::collections::BTreeSet<&str> =
            findings.iter().filter_map(|f| f.path.as_deref()).collect();
        if failing.is_empty() {
            findings.extend(notes);
            return Outcome::pass(format!("{checked} Dockerfile(s) {what}{aside}"), findings);
        }
        let message = format!(
            "{} of {checked} Dockerfile(s) do not {what}{aside}",
            failing.len()
        );
        findings.extend(notes);
        Outcome::fail(message, findings)
    }

    fn assert_is_non_root(&self) -> bool {
        self.assertion == DockerAssertion::NonRootUser
    }

    fn problems(&self, path: &str, file: &Dockerfile) -> Vec<Finding> {
        let last = file.stages.len() - 1;
        let final_stage = &file.stages[last];
        let at = |line: usize, message: String| Finding::at(path, Some(line), message);
        match self.assertion {
            DockerAssertion::MultiStage => {
                // A single stage that builds nothing only copies in what
                // was built elsewhere (a release binary from goreleaser,
                // say) onto a base set up with system packages: no build
                // tool is there to leave out.
                let builds = final_stage
                    .instructions
                    .iter()
                    .any(|i| i.keyword == "RUN" && !only_sets_up_the_system(&i.args));
                if file.stages.len() >= 2 || !builds {
                    Vec::new()
                } else {
                    vec![at(
                        final_stage.line,
                        "single-stage build: build tools and sources ship in the runtime image"
                            .into(),
                    )]
                }
            }
            DockerAssertion::NonRootUser => match file.effective(last, "USER") {
                Some(user) if is_root_user(&user.args) => {
                    vec![at(
                        user.line,
                        format!("final stage runs as `{}`", user.args),
                    )]
                }
                Some(_) => Vec::new(),
                None => {
                    let base = file.base_image(last).unwrap_or_default();
                    // Images that set a non-root user themselves:
                    // distroless `:nonroot`, Chainguard (except `-dev`
                    // variants), Bitnami (uid 1001).
                    let chainguard =
                        base.starts_with("cgr.dev/chainguard/") && !base.contains("-dev");
                    if base.contains("nonroot")
                        || base.contains("non-root")
                        || chainguard
                        || base.starts_with("bitnami/")
                        || base.contains("/bitnami/")
                    {
                        Vec::new()
                    } else {
                        vec![at(
                            final_stage.line,
                            "final stage has no USER: the container runs as root".into(),
                        )]
                    }
                }
            },
            DockerAssertion::Healthcheck => match file.effective(last, "HEALTHCHECK") {
                Some(check) if check.args.trim().eq_ignore_ascii_case("none") => {
                    vec![at(
                        check.line,
                        "HEALTHCHECK NONE disables health checking".into(),
                    )]
                }
                Some(_) => Vec::new(),
                None => vec![at(
                    final_stage.line,
                    "final stage has no HEALTHCHECK".into(),
                )],
            },
            DockerAssertion::NoWholeContextCopy => file
                .stages
                .iter()
                .flat_map(|stage| &stage.instructions)
                .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && copies_context(&i.args))
                .map(|i| {
                    at(
                        i.line,
                        format!("`{} {}` copies the whole build context", i.keyword, i.args),
                    )
                })
                .collect(),
            DockerAssertion::MinimalRuntimeImage => {
                let base = match file.image_ref(last) {
                    ImageRef::Stage(_) => file.base_image(last).map(str::to_string),
                    ImageRef::Unknown => None,
                    _ => final_stage.resolved.clone(),
                };
                match base {
                    // A variable without a default cannot be judged.
                    None => Vec::new(),
                    Some(image) if is_minimal_image(&image) => Vec::new(),
                    Some(image) => vec![at(
                        final_stage.line,
                        format!(
                            "final stage runs on `{image}`, a full distribution with a shell, \
                             package manager and compilers"
                        ),
                    )],
                }
            }
            DockerAssertion::PinnedBaseImages | DockerAssertion::DigestPinnedBaseImages => {
                let digest = self.assertion == DockerAssertion::DigestPinnedBaseImages;
                (0..file.stages.len())
                    .filter_map(|i| {
                        let image = file.image_ref(i);
                        let stage = &file.stages[i];
                        let shown = stage.resolved.as_deref().unwrap_or(&stage.image);
                        match &image {
                            ImageRef::External { tag, .. } if !image.is_pinned() => Some(at(
                                stage.line,
                                match tag {
                                    Some(_) => format!("`{shown}` uses the `latest` tag"),
                                    None => format!("`{shown}` has no tag (means `latest`)"),
                                },
                            )),
                            ImageRef::External { .. } if digest && !image.has_digest() => {
                                Some(at(stage.line, format!("`{shown}` is not pinned by digest")))
                            }
                            _ => None,
                        }
                    })
                    .collect()
            }
        }
    }
}

/// Whether an image reference names a minimal runtime image. Judged on the
/// repository and tag, the way a reviewer reads `FROM`: the image families
/// built to be small (distroless, Chainguard, Alpine, BusyBox, `scratch`,
/// UBI minimal/micro) and the `slim` / `minimal` / `alpine` tag variants of
/// the language images.
pub fn is_minimal_image(image: &str) -> bool {
    let image = image.to_ascii_lowercase();
    let without_digest = image.split('@').next().unwrap_or_default();
    let last = without_digest.rsplit('/').next().unwrap_or_default();
    let (name, tag) = last.split_once(':').unwrap_or((last, ""));
    if without_digest == "scratch"
        || without_digest.contains("distroless")
        || without_digest.starts_with("cgr.dev/chainguard/")
        || matches!(
            name,
            "alpine" | "busybox" | "ubi-minimal" | "ubi-micro" | "static"
        )
        || name.ends_with("-minimal")
        || name.ends_with("-micro")
    {
        return true;
    }
    // `22-alpine3.22`: the Alpine release rides on the word.
    tag.split(['-', '_']).any(|word| {
        word.starts_with("alpine") || matches!(word, "slim" | "minimal" | "distroless" | "chiseled")
    })
}

/// Commands that prepare an image's system without building anything: its
/// package manager, file and user administration.
const SYSTEM_SETUP: &[&str] = &[
    "apk",
    "apt-get",
    "apt",
    "yum",
    "dnf",
    "microdnf",
    "zypper",
    "chmod",
    "chown",
    "chgrp",
    "rm",
    "mkdir",
    "ln",
    "cp",
    "mv",
    "touch",
    "adduser",
    "addgroup",
    "useradd",
    "groupadd",
    "usermod",
    "update-ca-certificates",
    "echo",
    "true",
    "set",
    "cd",
    "export",
    "setcap",
];

/// System packages that are a build toolchain: installing one is building.
static TOOLCHAIN_PACKAGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"^(?:build-base|build-essential|gcc|g\+\+|clang|llvm|make|cmake|go|golang(?:-.*)?|rust|rustc|cargo|npm|yarn|maven|gradle|git|musl-dev|.*-dev|.*-devel|openjdk.*-jdk.*|.*-jdk)$",
    )
    .expect("valid regex")
});

/// Whether a `RUN` only prepares the system (`apk add --no-cache
/// ca-certificates tzdata && chmod +x /usr/bin/app`): every command is a
/// package manager, file or user command, and no package it installs is a
/// compiler or a language toolchain.
fn only_sets_up_the_system(args: &str) -> bool {
    if args.trim_start().starts_with('[') || args.contains("<<") {
        // Exec form or a heredoc script: not read further.
        return false;
    }
    args.split(['&', ';', '|', '\n'])
        .map(str::trim)
        .filter(|command| !command.is_empty())
        .all(|command| {
            let mut words = command.split_whitespace();
            let Some(program) = words.next() else {
                return true;
            };
            if !SYSTEM_SETUP.contains(&program) {
                return false;
            }
            let installs = matches!(
                program,
                "apk" | "apt-get" | "apt" | "yum" | "dnf" | "microdnf" | "zypper"
            );
            !installs
                || words.filter(|w| !w.starts_with('-')).all(|package| {
                    !TOOLCHAIN_PACKAGE.is_match(package.split(['=', '~']).next().unwrap_or(package))
                })
        })
}

/// Whether `COPY`/`ADD` arguments name the build context root as a source
/// (`. .`, `./ /app`, `["." , "."]`); `--from=` copies from a stage instead.
fn copies_context(args: &str) -> bool {
    let words: Vec<String> = if args.trim_start().starts_with('[') {
        args.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(|w| w.trim().trim_matches('"').to_string())
            .collect()
    } else {
        args.split_whitespace().map(str::to_string).collect()
    };
    if words.iter().any(|w| w.starts_with("--from")) {
        return false;
    }
    let paths: Vec<&String> = words.iter().filter(|w| !w.starts_with("--")).collect();
    let Some((_, sources)) = paths.split_last() else {
        return false;
    };
    sources
        .iter()
        .any(|s| matches!(s.as_str(), "." | "./" | "*" | "./*"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn multi_stage_problems(text: &str) -> usize {
        let rule = DockerfileRule {
            selector: SelectorId(0),
            scripts: None,
            runtime_only: true,
            assertion: DockerAssertion::MultiStage,
            describe: String::new(),
        };
        rule.problems("Dockerfile", &Dockerfile::parse(text)).len()
    }

    #[test]
    fn a_single_stage_that_builds_nothing_needs_no_second_stage() {
        let release = "FROM alpine:3.20\nCOPY shiori /usr/bin/shiori\nENTRYPOINT [\"shiori\"]\n";
        assert_eq!(multi_stage_problems(release), 0);
        let build = "FROM golang:1.22\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n";
        assert_eq!(multi_stage_problems(build), 1);
        // System packages and file modes set up around a prebuilt binary.
        let goreleaser = "FROM alpine:3.19\nCOPY dist/app_linux_amd64/app /usr/bin/app\nRUN apk add --no-cache ca-certificates tzdata && \\\n    chmod +x /usr/bin/app && \\\n    rm -rf /tmp/* && \\\n    apk cache clean\nENTRYPOINT [\"/usr/bin/app\"]\n";
        assert_eq!(multi_stage_problems(goreleaser), 0);
        // A toolchain installed, or dependencies built, in the one stage.
        let toolchain =
            "FROM alpine:3.19\nCOPY . /src\nRUN apk add --no-cache go && cd /src && go build\n";
        assert_eq!(multi_stage_problems(toolchain), 1);
        let compiler = "FROM debian:12\nRUN apt-get update && apt-get install -y build-essential\n";
        assert_eq!(multi_stage_problems(compiler), 1);
        let python = "FROM python:3.12\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n";
        assert_eq!(multi_stage_problems(python), 1);
    }

    #[test]
    fn minimal_images() {
        for image in [
            "scratch",
            "gcr.io/distroless/static-debian12:nonroot",
            "cgr.dev/chainguard/go:latest",
            "alpine:3.20",
            "python:3.12-slim",
            "docker.io/library/debian:bookworm-slim",
            "node:22-alpine3.22",
            "mcr.microsoft.com/dotnet/runtime:8.0-jammy-chiseled",
            "registry.access.redhat.com/ubi9/ubi-minimal:9.4",
            "busybox:1.36@sha256:abc",
        ] {
            assert!(is_minimal_image(image), "{image}");
        }
        for image in [
            "python:3.12",
            "node:22",
            "ubuntu:24.04",
            "golang:1.23",
            "debian:bookworm",
            "rust:1.80-bookworm",
        ] {
            assert!(!is_minimal_image(image), "{image}");
        }
    }

    #[test]
    fn whole_context_copies() {
        assert!(copies_context(". ."));
        assert!(copies_context("--chown=app:app ./ /app"));
        assert!(copies_context("[\".\", \"/app\"]"));
        assert!(!copies_context("--from=build /app ."));
        assert!(!copies_context("go.mod go.sum ./"));
        assert!(!copies_context("src ./src"));
    }
}
