//! The shape of what CI runs: pipelines → jobs → steps → commands, with the
//! events that start each pipeline. Every reader produces this shape, so a
//! check asks one question whatever the CI system.

use serde::Serialize;

/// Every pipeline and hook configuration found, in path order.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CiModel {
    /// CI systems with at least one pipeline file (ids as in the stack).
    pub systems: Vec<String>,
    pub pipelines: Vec<Pipeline>,
    /// Files that could not be read as what they claim to be, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// Where a pipeline runs: on the CI server, or on a developer's machine
/// before a commit (pre-commit, prek, lefthook, husky).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Ci,
    Hook,
}

/// One configuration file's pipeline (a GitHub workflow, `.gitlab-ci.yml`
/// with its includes, a hook configuration).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pipeline {
    /// CI system id (`github-actions`, `gitlab-ci`, …) or hook tool
    /// (`pre-commit`, `lefthook`, `husky`).
    pub system: String,
    pub place: Place,
    pub path: String,
    pub name: String,
    pub triggers: Vec<Trigger>,
    pub jobs: Vec<Job>,
    /// Only runs when another pipeline calls it (a reusable workflow); its
    /// jobs are counted where it is called.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub called_only: bool,
    /// Names of other pipelines whose successful run starts this one
    /// (`workflow_run`): they gate every job here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after_pipelines: Vec<String>,
}

/// What starts a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Push,
    PullRequest,
    Schedule,
    Tag,
    Manual,
    /// Started by another pipeline (`workflow_call`, `workflow_run`).
    Pipeline,
    /// A hook: before a commit or push on a developer's machine.
    Commit,
}

impl Event {
    pub const ALL: [Event; 7] = [
        Event::Push,
        Event::PullRequest,
        Event::Schedule,
        Event::Tag,
        Event::Manual,
        Event::Pipeline,
        Event::Commit,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Event::Push => "push",
            Event::PullRequest => "pull_request",
            Event::Schedule => "schedule",
            Event::Tag => "tag",
            Event::Manual => "manual",
            Event::Pipeline => "pipeline",
            Event::Commit => "commit",
        }
    }

    pub fn from_id(id: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.id() == id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trigger {
    pub event: Event,
    /// Branch (or tag) filters; empty means all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<String>,
    /// The schedule, for `schedule` (a cron expression when the file has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
}

impl Trigger {
    pub fn on(event: Event) -> Self {
        Trigger {
            event,
            branches: Vec::new(),
            cron: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: String,
    pub path: String,
    pub line: usize,
    /// When the job has triggers of its own (GitLab `rules:`, Woodpecker
    /// `when:`), they replace the pipeline's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triggers: Option<Vec<Trigger>>,
    /// Jobs (ids in the same pipeline) that must succeed before this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// Deployment environment (`environment:`), or what the job's name
    /// says it deploys to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Service containers, by image: those the CI system starts
    /// (`services:`, CircleCI's secondary `docker:` images) and those a
    /// step starts itself (`docker compose up`, `docker run -d`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// A failure does not fail the pipeline (`continue-on-error`,
    /// `allow_failure`, `soft_fail`, `failure: ignore`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_failure: bool,
    /// Never runs (`if: false`, `when: never`, a GitLab hidden `.job`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    pub steps: Vec<Step>,
}

impl Job {
    pub fn new(id: impl Into<String>, path: &str, line: usize) -> Self {
        Job {
            id: id.into(),
            path: path.to_string(),
            line,
            triggers: None,
            needs: Vec::new(),
            environment: None,
            services: Vec::new(),
            allow_failure: false,
            disabled: false,
            steps: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub path: String,
    pub line: usize,
    /// An action or orb command the step uses (`actions/checkout@v4`,
    /// `node/test`), as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_failure: bool,
    /// Every command the step runs, directly or through what it calls.
    pub commands: Vec<Command>,
    /// What the step was found to do: the union of its commands' classes.
    pub classes: Vec<String>,
}

impl Step {
    /// Sets [`Step::classes`] from the step's commands, after they were
    /// read or changed.
    pub fn classify(&mut self) {
        let mut classes: Vec<String> = self
            .commands
            .iter()
            .flat_map(|c| c.classes.iter().cloned())
            .collect();
        classes.sort();
        classes.dedup();
        self.classes = classes;
    }
}

/// A command reached from a step, with how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Command {
    /// From the step to this command: each link is where one command was
    /// written (`ci.yml:23 make richtest`, `Makefile:2 richgo test ./...`).
    pub chain: Vec<Link>,
    /// Vocabulary classes (`test`, `lint`, `sast`, …) of the last link.
    pub classes: Vec<String>,
    /// Ecosystems the matching vocabulary entries belong to (`go`, `node`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ecosystems: Vec<String>,
    /// The directory the command runs in (`web` after `cd web`, a
    /// `working-directory:`, a package script of `web/package.json`); empty
    /// for the repository's root. A linter run in `web/` checks the `web`
    /// project, not the Go service at the root.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub dir: String,
    /// Folders it does not run on, though they are under `dir` (a
    /// pre-commit hook's `exclude: ^web/`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub path: String,
    pub line: usize,
    pub text: String,
}

impl Command {
    /// `ci.yml:23 make richtest → Makefile:2 richgo test ./...`
    pub fn describe(&self) -> String {
        self.chain
            .iter()
            .map(|l| format!("{}:{} {}", short(&l.path), l.line, l.text))
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// The file name alone reads better in a chain; the first link's full path is
/// also the finding's path.
fn short(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl CiModel {
    /// Pipelines that run on the CI server, not as hooks.
    pub fn ci_pipelines(&self) -> impl Iterator<Item = &Pipeline> {
        self.pipelines.iter().filter(|p| p.place == Place::Ci)
    }
}

impl Pipeline {
    /// The events a job runs on: its own triggers, else the pipeline's.
    pub fn job_triggers<'a>(&'a self, job: &'a Job) -> &'a [Trigger] {
        job.triggers.as_deref().unwrap_or(&self.triggers)
    }
}
