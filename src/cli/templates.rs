//! The CI files `readyctl init --ci` writes. Every action they use is pinned
//! to a full commit SHA (readyctl's own `ci.actions-pinned` check demands
//! it), with the tag in a comment for people and for Dependabot. The pins
//! are the ones `action.yml` uses; `tests/adoption.rs` keeps the two equal.

/// `actions/checkout` v7.0.1.
pub const CHECKOUT: &str = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";

/// The commit this binary was built from (see `build.rs`): the readyctl
/// Action at that commit installs this very version.
pub const ACTION_COMMIT: Option<&str> = option_env!("READYCTL_COMMIT");

/// `owner/name` of readyctl's repository, from `Cargo.toml`.
pub fn action_repository() -> &'static str {
    env!("CARGO_PKG_REPOSITORY")
        .trim_start_matches("https://github.com/")
        .trim_end_matches('/')
}

/// `uses:` of the readyctl Action: pinned to this build's commit when known,
/// else to the version tag (and `init` says to pin it).
pub fn action_uses() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match ACTION_COMMIT {
        Some(commit) => format!("{}@{commit} # v{version}", action_repository()),
        None => format!("{}@v{version}", action_repository()),
    }
}

pub fn github_workflow(branch: &str) -> String {
    format!(
        r#"# Production-readiness gate: fails the build when readyctl's gate fails,
# writes the report to the job summary, and uploads the findings to GitHub
# code scanning (Security > Code scanning) even then, so they show on the
# pull request. The readyctl Action installs a released, checksum-verified
# binary (cached by version); nothing is compiled.
name: readyctl
on:
  push:
    branches: [{branch}]
  pull_request:

permissions:
  contents: read

jobs:
  readiness:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: {checkout}
        with:
          persist-credentials: false
      - uses: {action}
        with:
          upload-sarif: true
"#,
        checkout = CHECKOUT,
        action = action_uses(),
    )
}

pub fn gitlab_job() -> String {
    let version = env!("CARGO_PKG_VERSION");
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    format!(
        r#"# Production-readiness gate: include it from .gitlab-ci.yml with
#   include: [{{ local: .gitlab/readyctl.gitlab-ci.yml }}]
# Installs the released binary (checksum verified; nothing is compiled). The
# job fails when readyctl's gate fails; the JUnit report shows every check in
# the merge request, and the SARIF file is kept as an artifact.
readyctl:
  stage: test
  image: alpine:3
  variables:
    READYCTL_VERSION: "{version}"
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - apk add --no-cache curl
    - curl -fsSLO "{repository}/releases/download/v$READYCTL_VERSION/readyctl-x86_64-unknown-linux-musl.tar.xz"
    - curl -fsSLO "{repository}/releases/download/v$READYCTL_VERSION/readyctl-x86_64-unknown-linux-musl.tar.xz.sha256"
    - sha256sum -c readyctl-x86_64-unknown-linux-musl.tar.xz.sha256
    - tar -xJf readyctl-x86_64-unknown-linux-musl.tar.xz
    - install -m 0755 readyctl-x86_64-unknown-linux-musl/readyctl /usr/local/bin/readyctl
    - readyctl audit --report sarif=readyctl.sarif --report junit=readyctl-junit.xml
  artifacts:
    when: always
    paths: [readyctl.sarif]
    reports:
      junit: readyctl-junit.xml
"#
    )
}
