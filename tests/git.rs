//! Git-aware audits on repositories built with gitoxide in temporary
//! folders: tags and releases, the working tree, tracked-but-ignored files,
//! shallow clones, the project's last commit, and metadata readyctl refuses
//! to follow.

mod common;

use gix::ObjectId;
use readyctl::model::Status;
use readyctl::repo::git::{self, Git, Worktree};
use readyctl::{AuditOptions, Catalog, Config, audit};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A repository being built: the files of its next commit, with helpers to
/// commit, tag, and check the result out so the working tree is clean.
struct TestRepo {
    dir: tempfile::TempDir,
    repo: gix::Repository,
    files: BTreeMap<String, String>,
    head: Option<ObjectId>,
}

/// 2025-06-01 and one day more per `day`.
fn time(day: i64) -> String {
    format!("{} +0000", 1_748_736_000 + day * 86_400)
}

impl TestRepo {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let repo = gix::init(dir.path()).unwrap();
        TestRepo {
            dir,
            repo,
            files: BTreeMap::new(),
            head: None,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Applies `changes` (`None` deletes), commits them on `main` on `day`,
    /// and checks the tree out (files and index).
    fn commit(&mut self, day: i64, message: &str, changes: &[(&str, Option<&str>)]) -> ObjectId {
        for (path, content) in changes {
            match content {
                Some(text) => self.files.insert(path.to_string(), text.to_string()),
                None => self.files.remove(*path),
            };
        }
        let mut editor = self
            .repo
            .edit_tree(ObjectId::empty_tree(gix::hash::Kind::Sha1))
            .unwrap();
        for (path, text) in &self.files {
            let blob = self.repo.write_blob(text.as_bytes()).unwrap().detach();
            editor
                .upsert(path.as_str(), gix::object::tree::EntryKind::Blob, blob)
                .unwrap();
        }
        let tree = editor.write().unwrap().detach();
        let when = time(day);
        let signature = gix::actor::SignatureRef {
            name: "Dev".into(),
            email: "dev@example.com".into(),
            time: &when,
        };
        let id = self
            .repo
            .commit_as(signature, signature, "HEAD", message, tree, self.head)
            .unwrap()
            .detach();
        self.head = Some(id);
        self.checkout(tree);
        id
    }

    fn checkout(&self, tree: ObjectId) {
        for entry in std::fs::read_dir(self.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
        for (path, text) in &self.files {
            self.write(path, text);
        }
        let mut index = self.repo.index_from_tree(&tree).unwrap();
        index.write(Default::default(), Default::default()).unwrap();
    }

    /// Writes a file into the working tree only.
    fn write(&self, path: &str, text: &str) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    fn lightweight_tag(&self, name: &str) {
        self.repo
            .tag_reference(
                name,
                self.head.unwrap(),
                gix::refs::transaction::PreviousValue::MustNotExist,
            )
            .unwrap();
    }

    fn annotated_tag(&self, name: &str, day: i64) {
        let when = time(day);
        let tagger = gix::actor::SignatureRef {
            name: "Dev".into(),
            email: "dev@example.com".into(),
            time: &when,
        };
        self.repo
            .tag(
                name,
                self.head.unwrap(),
                gix::object::Kind::Commit,
                Some(tagger),
                name,
                gix::refs::transaction::PreviousValue::MustNotExist,
            )
            .unwrap();
    }

    fn facts(&self) -> git::GitFacts {
        match git::gather(self.path()) {
            Git::Repository(facts) => *facts,
            other => panic!("expected a readable repository, got {other:?}"),
        }
    }
}

/// The audit's clock: 2026-01-01.
fn audit_at(root: &Path, in_ci: bool) -> readyctl::report::Report {
    let catalog = Catalog::builtin().unwrap();
    let config = Config::default();
    let mut options = AuditOptions::new(root.display().to_string());
    options.now = "2026-01-01T00:00:00Z".parse().unwrap();
    options.in_ci = in_ci;
    audit(root, &catalog, &config, &options).unwrap()
}

fn status_of(report: &readyctl::report::Report, id: &str) -> (Status, String) {
    let check = report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    (check.status, check.message.clone())
}

#[test]
fn facts_name_head_branches_tags_and_the_last_commit() {
    let mut repo = TestRepo::new();
    repo.commit(0, "first", &[("README.md", Some("# demo\n"))]);
    repo.lightweight_tag("v0.1.0");
    repo.commit(10, "second", &[("src/main.rs", Some("fn main() {}\n"))]);
    repo.annotated_tag("v0.2.0", 12);
    let facts = repo.facts();
    assert_eq!(facts.branch.as_deref(), Some("main"));
    assert_eq!(facts.branches, vec!["main".to_string()]);
    assert_eq!(facts.default_branch.as_deref(), Some("main"));
    assert_eq!(
        facts.head.as_deref(),
        Some(repo.head.unwrap().to_string().as_str())
    );
    assert_eq!(
        facts.last_commit.unwrap().to_string(),
        "2025-06-11T00:00:00Z"
    );
    // Newest first; the annotated tag is dated by its tagger, the
    // lightweight one by its commit.
    let tags: Vec<(String, String)> = facts
        .tags
        .iter()
        .map(|t| (t.name.clone(), t.date.unwrap().to_string()))
        .collect();
    assert_eq!(
        tags,
        vec![
            ("v0.2.0".to_string(), "2025-06-13T00:00:00Z".to_string()),
            ("v0.1.0".to_string(), "2025-06-01T00:00:00Z".to_string()),
        ]
    );
    assert_eq!(facts.shallow_depth, None);
    assert_eq!(
        facts.worktree,
        Worktree::Checked {
            changed: vec![],
            untracked: vec![]
        }
    );
}

#[test]
fn a_dirty_tree_lists_changed_and_untracked_files_and_ci_skips_the_check() {
    let mut repo = TestRepo::new();
    repo.commit(
        0,
        "first",
        &[
            ("README.md", Some("# demo\n")),
            ("app.py", Some("print(1)\n")),
        ],
    );
    let report = audit_at(repo.path(), false);
    assert_eq!(
        status_of(&report, "code_quality.clean-worktree").0,
        Status::Pass
    );

    repo.write("app.py", "print(2)\n");
    repo.write("notes.txt", "todo\n");
    let facts = repo.facts();
    assert_eq!(
        facts.worktree,
        Worktree::Checked {
            changed: vec!["app.py".to_string()],
            untracked: vec!["notes.txt".to_string()]
        }
    );
    let report = audit_at(repo.path(), false);
    let (status, message) = status_of(&report, "code_quality.clean-worktree");
    assert_eq!(status, Status::Fail, "{message}");
    assert!(message.contains("1 changed and 1 untracked"), "{message}");
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "code_quality.clean-worktree")
        .unwrap();
    let paths: Vec<_> = check
        .findings
        .iter()
        .filter_map(|f| f.path.as_deref())
        .collect();
    assert_eq!(paths, ["app.py", "notes.txt"]);

    let (status, message) = status_of(&audit_at(repo.path(), true), "code_quality.clean-worktree");
    assert_eq!(status, Status::Skip);
    assert!(message.contains("CI"), "{message}");

    // In a commit hook the change being committed is uncommitted by
    // definition: failing on it would block every commit.
    let catalog = Catalog::builtin().unwrap();
    let mut options = AuditOptions::new(repo.path().display().to_string());
    options.now = "2026-01-01T00:00:00Z".parse().unwrap();
    options.in_commit_hook = true;
    let report = audit(repo.path(), &catalog, &Config::default(), &options).unwrap();
    let (status, message) = status_of(&report, "code_quality.clean-worktree");
    assert_eq!(status, Status::Skip);
    assert!(message.contains("commit hook"), "{message}");
}

#[test]
fn tracked_files_that_gitignore_now_ignores_are_found() {
    let mut repo = TestRepo::new();
    repo.commit(
        0,
        "first",
        &[
            ("README.md", Some("# demo\n")),
            ("dist/bundle.js", Some("x\n")),
            (".env", Some("MODE=dev\n")),
            ("src/app.js", Some("x\n")),
        ],
    );
    let report = audit_at(repo.path(), false);
    assert_eq!(
        status_of(&report, "code_quality.tracked-ignored").0,
        Status::Pass
    );
    repo.commit(1, "ignore", &[(".gitignore", Some("dist/\n.env\n"))]);
    assert_eq!(repo.facts().tracked_ignored, vec![".env", "dist/bundle.js"]);
    let (status, message) = status_of(
        &audit_at(repo.path(), false),
        "code_quality.tracked-ignored",
    );
    assert_eq!(status, Status::Fail);
    assert!(message.starts_with("2 tracked file(s)"), "{message}");
}

/// A lockfile committed although `.gitignore` lists it is the project's
/// lockfile: the walk reads committed files whatever the ignore rules say.
/// The same file on disk but never committed stays ignored.
#[test]
fn committed_files_that_gitignore_lists_are_read_by_the_checks() {
    let mut repo = TestRepo::new();
    repo.commit(
        0,
        "first",
        &[
            ("README.md", Some("# demo\n")),
            ("web/package.json", Some("{\"name\": \"web\"}\n")),
            (".gitignore", Some("web/yarn.lock\n")),
        ],
    );
    // On disk, not committed: ignored, so not the project's lockfile.
    repo.write("web/yarn.lock", "# yarn lockfile v1\n");
    let (status, message) = status_of(&audit_at(repo.path(), false), "security.lockfile-node");
    assert_eq!(status, Status::Fail, "{message}");

    repo.commit(
        1,
        "lock",
        &[("web/yarn.lock", Some("# yarn lockfile v1\n"))],
    );
    let (status, message) = status_of(&audit_at(repo.path(), false), "security.lockfile-node");
    assert_eq!(status, Status::Pass, "{message}");
    assert!(message.contains("web/yarn.lock"), "{message}");
}

#[test]
fn releases_need_semver_tags_and_the_changelog_names_the_latest() {
    let mut repo = TestRepo::new();
    repo.commit(
        0,
        "first",
        &[
            ("README.md", Some("# demo\n")),
            ("CHANGELOG.md", Some("# Changes\n\n## 1.0.0\n")),
        ],
    );
    let report = audit_at(repo.path(), false);
    assert_eq!(
        status_of(&report, "ci.release-tags"),
        (Status::Fail, "no tag: releases are not tagged".to_string())
    );
    assert_eq!(
        status_of(&report, "docs.changelog-latest-tag").0,
        Status::Skip
    );

    repo.lightweight_tag("staging");
    let (status, message) = status_of(&audit_at(repo.path(), false), "ci.release-tags");
    assert_eq!(status, Status::Fail);
    assert!(message.contains("none a semantic version"), "{message}");

    repo.lightweight_tag("v1.0.0");
    repo.commit(5, "more", &[("a.txt", Some("a\n"))]);
    repo.annotated_tag("v1.1.0", 5);
    repo.lightweight_tag("v1.2.0-rc.1");
    let report = audit_at(repo.path(), false);
    let (status, message) = status_of(&report, "ci.release-tags");
    assert_eq!(status, Status::Pass);
    assert!(message.contains("latest `v1.1.0`"), "{message}");
    let (status, message) = status_of(&report, "docs.changelog-latest-tag");
    assert_eq!(status, Status::Fail, "{message}");
    assert!(message.contains("v1.1.0"), "{message}");

    repo.commit(
        6,
        "changelog",
        &[(
            "CHANGELOG.md",
            Some("# Changes\n\n## [1.1.0] - 2025-06-06\n\n## 1.0.0\n"),
        )],
    );
    let (status, message) = status_of(&audit_at(repo.path(), false), "docs.changelog-latest-tag");
    assert_eq!(status, Status::Pass, "{message}");
}

#[test]
fn a_shallow_clone_says_so_and_tag_questions_are_skipped() {
    let mut repo = TestRepo::new();
    repo.commit(0, "first", &[("README.md", Some("# demo\n"))]);
    repo.commit(1, "second", &[("a.txt", Some("a\n"))]);
    let third = repo.commit(2, "third", &[("b.txt", Some("b\n"))]);
    // What `git clone --depth 1` leaves: the boundary commit in
    // `.git/shallow` (its parents are not in the clone).
    std::fs::write(repo.path().join(".git/shallow"), format!("{third}\n")).unwrap();
    let facts = repo.facts();
    assert_eq!(facts.shallow_depth, Some(1));
    assert_eq!(
        facts.history_unavailable().as_deref(),
        Some("history not available: shallow clone of depth 1")
    );
    let (status, message) = status_of(&audit_at(repo.path(), true), "ci.release-tags");
    assert_eq!(status, Status::Skip);
    assert!(message.contains("shallow clone of depth 1"), "{message}");
}

#[test]
fn a_project_without_a_commit_for_a_year_or_with_a_sunset_notice_is_reported() {
    let mut repo = TestRepo::new();
    // 2025-06-01: seven months before the audit.
    repo.commit(0, "first", &[("README.md", Some("# demo\n\nA tool.\n"))]);
    assert_eq!(
        status_of(&audit_at(repo.path(), false), "docs.project-status").0,
        Status::Pass
    );
    repo.commit(
        1,
        "sunset",
        &[(
            "README.md",
            Some("# demo\n\n> This project is no longer maintained.\n"),
        )],
    );
    let (status, message) = status_of(&audit_at(repo.path(), false), "docs.project-status");
    assert_eq!(status, Status::Fail, "{message}");

    let mut old = TestRepo::new();
    old.commit(-400, "first", &[("README.md", Some("# demo\n"))]);
    let (status, message) = status_of(&audit_at(old.path(), false), "docs.project-status");
    assert_eq!(status, Status::Fail);
    assert!(
        message.contains("no commit for 614 days (last on 2024-04-27)"),
        "{message}"
    );
}

#[test]
fn git_metadata_outside_the_audited_folder_is_not_followed() {
    let mut elsewhere = TestRepo::new();
    elsewhere.commit(0, "first", &[("README.md", Some("# demo\n"))]);

    // A `.git` file (a linked worktree or submodule) points elsewhere.
    let linked = tempfile::tempdir().unwrap();
    std::fs::write(
        linked.path().join(".git"),
        format!("gitdir: {}\n", elsewhere.path().join(".git").display()),
    )
    .unwrap();
    assert!(matches!(git::gather(linked.path()), Git::Unreadable { .. }));

    // Alternates borrow objects from another repository.
    let mut borrowing = TestRepo::new();
    borrowing.commit(0, "first", &[("README.md", Some("# demo\n"))]);
    std::fs::write(
        borrowing.path().join(".git/objects/info/alternates"),
        format!("{}\n", elsewhere.path().join(".git/objects").display()),
    )
    .unwrap();
    let Git::Unreadable { reason } = git::gather(borrowing.path()) else {
        panic!("alternates outside the root were followed");
    };
    assert!(reason.contains("alternates"), "{reason}");

    // `core.worktree` names another folder.
    let mut moved = TestRepo::new();
    moved.commit(0, "first", &[("README.md", Some("# demo\n"))]);
    let config = moved.path().join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "[core]\n\tworktree = {}\n",
        elsewhere.path().display()
    ));
    std::fs::write(&config, text).unwrap();
    elsewhere.write("other.txt", "not in the audited folder\n");
    match git::gather(moved.path()) {
        Git::Unreadable { reason } => assert!(reason.contains("core.worktree"), "{reason}"),
        // Reduced trust ignores the setting: the audited folder is the tree.
        Git::Repository(facts) => assert_eq!(
            facts.worktree,
            Worktree::Checked {
                changed: vec![],
                untracked: vec![]
            }
        ),
        other => panic!("{other:?}"),
    }

    // Git checks are skipped, never passed, when git data was not read.
    let report = audit_at(linked.path(), false);
    assert_eq!(status_of(&report, "ci.release-tags").0, Status::Skip);
}

#[test]
fn a_configured_filter_command_never_runs() {
    let mut repo = TestRepo::new();
    let marker: PathBuf = repo.path().join("filter-ran");
    repo.commit(
        0,
        "first",
        &[
            ("README.md", Some("# demo\n")),
            (".gitattributes", Some("*.txt filter=evil\n")),
            ("a.txt", Some("a\n")),
        ],
    );
    let config = repo.path().join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "[filter \"evil\"]\n\tclean = touch {}\n\tsmudge = touch {}\n",
        marker.display(),
        marker.display()
    ));
    std::fs::write(&config, text).unwrap();
    // A changed file is hashed for the comparison, through the filter if
    // readyctl honoured it.
    repo.write("a.txt", "changed\n");
    let facts = repo.facts();
    assert!(!marker.exists(), "a filter command from .git/config ran");
    assert!(matches!(facts.worktree, Worktree::Checked { .. }));
}

/// A GitHub token (the documented `ghp_` shape) that no filter takes for
/// a placeholder, built at run time so this file holds no credential.
fn token(seed: char) -> String {
    let body: String = "Zq8Lm3Rt7Vw2Xy5Bn9Kd4Hf6Js1Pa0Ce"
        .chars()
        .map(|c| if c == 'Z' { seed } else { c })
        .collect();
    format!("ghp_{body}{}", &body[..4])
}

fn history_options() -> readyctl::repo::history::HistoryOptions {
    readyctl::repo::history::HistoryOptions {
        max_blob_size: 1024 * 1024,
        ..Default::default()
    }
}

fn audit_history(root: &Path, since: Option<&str>) -> readyctl::report::Report {
    let catalog = Catalog::builtin().unwrap();
    let config = Config::default();
    let mut options = AuditOptions::new(root.display().to_string());
    options.now = "2026-01-01T00:00:00Z".parse().unwrap();
    options.history = Some(readyctl::repo::history::HistoryOptions {
        since: since.map(readyctl::repo::history::Since::parse),
        ..history_options()
    });
    audit(root, &catalog, &config, &options).unwrap()
}

fn history_check(report: &readyctl::report::Report) -> &readyctl::report::CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.id == "secrets.history")
        .expect("the history check ran")
}

/// The paths of the history findings, in report order.
fn history_paths(report: &readyctl::report::Report) -> Vec<&str> {
    history_check(report)
        .findings
        .iter()
        .filter_map(|f| f.path.as_deref())
        .collect()
}

/// A repository whose second commit adds a token and whose third deletes
/// it, and a second token that is still in the working tree.
fn leaky_repo() -> (TestRepo, ObjectId, String, String) {
    let mut repo = TestRepo::new();
    repo.commit(
        0,
        "first",
        &[
            ("README.md", Some("# demo\n")),
            ("app.py", Some("print(1)\n")),
        ],
    );
    let removed = token('Q');
    let added = repo.commit(
        3,
        "config",
        &[(
            "deploy/settings.py",
            Some(&format!("import os\n\nGITHUB_TOKEN = \"{removed}\"\n")),
        )],
    );
    repo.commit(4, "oops", &[("deploy/settings.py", None)]);
    let kept = token('W');
    repo.commit(
        5,
        "still here",
        &[("app/publish.py", Some(&format!("TOKEN = \"{kept}\"\n")))],
    );
    (repo, added, removed, kept)
}

#[test]
fn history_finds_a_secret_added_then_removed_and_says_where_it_came_from() {
    let (repo, added, _, _) = leaky_repo();
    let report = audit_history(repo.path(), None);
    let check = history_check(&report);
    assert_eq!(check.status, Status::Fail, "{}", check.message);
    assert!(
        check
            .message
            .starts_with("2 credential(s) in history, 1 of them no longer in the working tree"),
        "{}",
        check.message
    );
    let removed = check
        .findings
        .iter()
        .find(|f| f.path.as_deref() == Some("deploy/settings.py"))
        .expect("the removed token is found");
    assert_eq!(removed.line, Some(3));
    let short = &added.to_string()[..12];
    assert!(
        removed
            .message
            .contains(&format!("added in commit {short} on 2025-06-04")),
        "{}",
        removed.message
    );
    assert!(
        removed.message.contains("removed, but still in history"),
        "{}",
        removed.message
    );
    assert_eq!(removed.measured["in_head"], serde_json::json!(false));
    assert_eq!(
        removed.measured["commit"],
        serde_json::json!(added.to_string())
    );
    let kept = check
        .findings
        .iter()
        .find(|f| f.path.as_deref() == Some("app/publish.py"))
        .expect("the token in the tree is found in history too");
    assert_eq!(kept.measured["in_head"], serde_json::json!(true));
    assert!(
        kept.message.contains("still in the working tree"),
        "{}",
        kept.message
    );

    // Without --history the check says how to run it.
    let (status, message) = status_of(&audit_at(repo.path(), false), "secrets.history");
    assert_eq!(status, Status::Skip);
    assert!(message.contains("--history"), "{message}");
}

/// Selecting the history check alone (a CI job that runs only it) finds
/// what the whole audit finds: the history is searched with every secrets
/// check's patterns, and the working tree too, to say which values are
/// still there, though those checks are reported as not selected.
#[test]
fn history_selected_alone_finds_what_the_whole_audit_finds() {
    let (repo, _, _, _) = leaky_repo();
    let whole = audit_history(repo.path(), None);
    let catalog = Catalog::builtin().unwrap();
    let mut options = AuditOptions::new(repo.path().display().to_string());
    options.now = "2026-01-01T00:00:00Z".parse().unwrap();
    options.history = Some(history_options());
    options.only = vec!["secrets.history".to_string()];
    let alone = audit(repo.path(), &catalog, &Config::default(), &options).unwrap();
    let (expected, found) = (history_check(&whole), history_check(&alone));
    assert_eq!(found.status, Status::Fail, "{}", found.message);
    assert_eq!(found.message, expected.message);
    let shown = |check: &readyctl::report::CheckResult| -> Vec<String> {
        check
            .findings
            .iter()
            .map(|f| format!("{:?} {:?} {} {:?}", f.path, f.line, f.message, f.measured))
            .collect()
    };
    assert_eq!(shown(found), shown(expected));
    let tree_check = alone
        .checks
        .iter()
        .find(|c| c.id == "secrets.vcs-tokens")
        .unwrap();
    assert_eq!(tree_check.status, Status::Skip);
    assert_eq!(tree_check.message, "not selected (--only)");
    // Selected away, the history is not searched for anything.
    options.only = vec!["docs.*".to_string()];
    let without = audit(repo.path(), &catalog, &Config::default(), &options).unwrap();
    assert_eq!(history_check(&without).message, "not selected (--only)");
}

#[test]
fn history_since_a_revision_or_a_date_limits_the_search() {
    let (repo, added, _, _) = leaky_repo();
    // After the commit that added it: only the later token is new.
    let report = audit_history(repo.path(), Some(&added.to_string()));
    let message = &history_check(&report).message;
    assert_eq!(history_paths(&report), ["app/publish.py"], "{message}");
    let report = audit_history(repo.path(), Some("2025-06-05"));
    let message = &history_check(&report).message;
    assert_eq!(history_paths(&report), ["app/publish.py"], "{message}");
    let report = audit_history(repo.path(), Some("2025-06-01"));
    let message = &history_check(&report).message;
    assert_eq!(history_paths(&report).len(), 2, "{message}");
}

#[test]
fn history_searches_the_lines_each_version_adds_at_their_line_numbers() {
    let mut repo = TestRepo::new();
    let body: String = (0..40)
        .map(|i| format!("def f{i}():\n    return {i}\n"))
        .collect();
    repo.commit(0, "first", &[("app/service.py", Some(&body))]);
    // The second version adds a token in the middle (line 41), the third
    // changes a line near the top and adds another at the end (line 82),
    // the fourth removes both.
    let (first, second) = (token('R'), token('S'));
    let (top, bottom) = body.split_at(body.find("def f20").unwrap());
    let v2 = format!("{top}GITHUB_TOKEN = \"{first}\"\n{bottom}");
    let with_first = repo.commit(1, "add", &[("app/service.py", Some(&v2))]);
    let v3 = format!(
        "{}GH_TOKEN = \"{second}\"\n",
        v2.replace("return 3\n", "return 33\n")
    );
    let with_second = repo.commit(2, "more", &[("app/service.py", Some(&v3))]);
    repo.commit(3, "clean", &[("app/service.py", Some(&body))]);

    let report = audit_history(repo.path(), None);
    let check = history_check(&report);
    let found: Vec<_> = check
        .findings
        .iter()
        .map(|f| (f.line, f.measured["commit"].clone()))
        .collect();
    assert_eq!(
        found,
        [
            (Some(41), serde_json::json!(with_first.to_string())),
            (Some(82), serde_json::json!(with_second.to_string())),
        ],
        "{}",
        check.message
    );
}

#[test]
fn history_of_a_clean_repository_passes_and_a_shallow_one_is_skipped() {
    let mut repo = TestRepo::new();
    repo.commit(0, "first", &[("README.md", Some("# demo\n"))]);
    let head = repo.commit(
        1,
        "second",
        &[("a.py", Some("TOKEN = os.environ[\"TOKEN\"]\n"))],
    );
    let (status, message) = status_of(&audit_history(repo.path(), None), "secrets.history");
    assert_eq!(status, Status::Pass, "{message}");
    assert!(message.contains("2 commit(s)"), "{message}");
    std::fs::write(repo.path().join(".git/shallow"), format!("{head}\n")).unwrap();
    let (status, message) = status_of(&audit_history(repo.path(), None), "secrets.history");
    assert_eq!(status, Status::Skip);
    assert!(
        message.contains("history not available: shallow clone of depth 1"),
        "{message}"
    );
}

#[test]
fn history_values_are_printed_in_no_format() {
    let (repo, _, removed, kept) = leaky_repo();
    for format in [
        "table", "json", "markdown", "sarif", "junit", "github", "gitlab", "html",
    ] {
        let output = common::readyctl()
            .arg("audit")
            .arg(repo.path())
            .args(["--history", "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.stdout.is_empty(),
            "{format}: no output; stderr: {stderr}"
        );
        for value in [&removed, &kept] {
            assert!(!stdout.contains(value.as_str()), "{format} prints a value");
            assert!(
                !stderr.contains(value.as_str()),
                "{format} prints a value on stderr"
            );
            // Nor a recognisable part of one.
            assert!(
                !stdout.contains(&value[4..20]),
                "{format} prints part of a value"
            );
        }
    }
}

#[test]
fn history_findings_can_be_baselined_and_waived() {
    let (repo, _, _, _) = leaky_repo();
    let baseline = repo.path().join("baseline.json");
    let run = |args: &[&str]| {
        common::readyctl()
            .arg("audit")
            .arg(repo.path())
            .args(["--history", "--format", "json", "--exit-zero"])
            .args(args)
            .output()
            .unwrap()
    };
    let written = run(&["--write-baseline", baseline.to_str().unwrap()]);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let output = run(&["--baseline", baseline.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "secrets.history")
        .unwrap();
    let findings = check["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert!(findings.iter().all(|f| f["baselined"] == true), "{check}");

    std::fs::write(
        repo.path().join("readyctl.toml"),
        "[[waivers]]\ncheck = \"secrets.history\"\npaths = [\"deploy/**\", \"app/**\"]\nreason = \"rotated on 2025-06-05\"\nexpires = \"2099-01-01\"\n",
    )
    .unwrap();
    let output = run(&[]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "secrets.history")
        .unwrap();
    assert_eq!(check["status"], "waived", "{check}");
}
