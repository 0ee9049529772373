//! Git facts about the audited folder, read with gitoxide (never by running
//! `git`): HEAD, branches, tags with dates, the default branch, the last
//! commit, whether the clone is shallow, the state of the working tree and
//! the files tracked although `.gitignore` now ignores them.
//!
//! The repository is hostile input like every file in it. It is opened with
//! reduced trust and only its own configuration (no global or system files,
//! no environment, no `include.path`), so nothing it configures makes us run
//! a program (filters, hooks, fsmonitor) or read a path it names. Git
//! metadata that lives outside the audited folder (a `.git` file or symlink
//! pointing elsewhere, alternates, a `commondir`, `core.worktree`) is refused
//! rather than followed.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// The git facts with what rules need to know about the run itself.
#[derive(Debug, Clone)]
pub struct GitContext {
    pub git: Git,
    /// The audit runs in CI, where the checkout is fresh and the working
    /// tree says nothing about the developer's habits.
    pub in_ci: bool,
    /// The audit runs inside a commit hook (pre-commit, husky): the commit
    /// being made is uncommitted by definition.
    pub in_commit_hook: bool,
    /// The history search, when `--history` asked for it: what it found,
    /// or why there was no history to search.
    pub history: Option<Result<super::history::History, String>>,
}

/// What readyctl knows about the audited folder as a git repository.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Git {
    /// The folder has no `.git`: git checks do not apply.
    NotARepository,
    /// A repository readyctl would not or could not read, and why.
    Unreadable {
        reason: String,
    },
    Repository(Box<GitFacts>),
}

impl Git {
    pub fn facts(&self) -> Option<&GitFacts> {
        match self {
            Git::Repository(facts) => Some(facts),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GitFacts {
    /// The checked-out branch; `None` on a detached HEAD or an unborn one.
    pub branch: Option<String>,
    /// The commit HEAD points to (hex); `None` before the first commit.
    pub head: Option<String>,
    /// Local branch names.
    pub branches: Vec<String>,
    /// What `origin/HEAD` names, or the one of `main`/`master` that exists.
    pub default_branch: Option<String>,
    /// Tags, newest first.
    pub tags: Vec<Tag>,
    /// When HEAD was committed.
    #[serde(serialize_with = "as_text")]
    pub last_commit: Option<jiff::Timestamp>,
    /// The number of commits reachable from HEAD when the clone is
    /// shallow; `None` for a full clone.
    pub shallow_depth: Option<usize>,
    /// Changes not committed, or why they were not looked for.
    pub worktree: Worktree,
    /// Tracked files that the `.gitignore` files now ignore.
    pub tracked_ignored: Vec<String>,
}

impl GitFacts {
    /// Why history-based facts cannot be trusted, when they cannot.
    pub fn history_unavailable(&self) -> Option<String> {
        self.shallow_depth
            .map(|depth| format!("history not available: shallow clone of depth {depth}"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub name: String,
    /// The tagger's date for an annotated tag, else the commit's.
    #[serde(serialize_with = "as_text")]
    pub date: Option<jiff::Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Worktree {
    #[default]
    Bare,
    /// Not looked at, and why.
    Unchecked { reason: String },
    Checked {
        /// Tracked paths changed, staged, deleted or in conflict.
        changed: Vec<String>,
        untracked: Vec<String>,
    },
}

/// RFC 3339, as every date of the report.
fn as_text<S: serde::Serializer>(
    timestamp: &Option<jiff::Timestamp>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match timestamp {
        Some(t) => serializer.collect_str(t),
        None => serializer.serialize_none(),
    }
}

/// How many paths of each list are kept: the facts are for messages and
/// counts, not a `git status` replacement.
pub const PATH_LIMIT: usize = 200;

/// Reads the git facts of `root`, which must itself be the top of the
/// working tree (a `.git` directory inside it).
pub fn gather(root: &Path) -> Git {
    gather_knowing(root, None, true)
}

/// [`gather`], with the tracked-but-ignored files already read by
/// [`tracked_ignored_files`] (the walk needs them before the other facts),
/// and the working tree compared with the index only when `worktree` (it
/// hashes every file whose stat data changed: the largest part of the
/// facts, which only the clean-worktree check reads).
pub fn gather_knowing(root: &Path, tracked_ignored: Option<Vec<String>>, worktree: bool) -> Git {
    if std::fs::symlink_metadata(root.join(".git")).is_err() {
        return Git::NotARepository;
    }
    match open_checked(root).and_then(|repo| read_facts(&repo, root, tracked_ignored, worktree)) {
        Ok(facts) => Git::Repository(Box::new(facts)),
        Err(reason) => Git::Unreadable { reason },
    }
}

/// Files the index tracks although a `.gitignore` now ignores them (at most
/// [`PATH_LIMIT`]), or `None` when `root` is not a readable working tree.
/// They are committed, so the walk reads them: a lockfile listed in
/// `.gitignore` but committed is still the project's lockfile.
pub fn tracked_ignored_files(root: &Path) -> Option<Vec<String>> {
    if std::fs::symlink_metadata(root.join(".git")).is_err() {
        return None;
    }
    let repo = open_checked(root).ok()?;
    repo.workdir()?;
    Some(tracked_ignored(&repo).unwrap_or_default())
}

/// Opens the repository whose working tree is `root`, refusing git data
/// that lives outside it.
pub fn open_checked(root: &Path) -> Result<gix::Repository, String> {
    let dot_git = root.join(".git");
    match std::fs::symlink_metadata(&dot_git) {
        Err(_) => return Err("not a git repository".to_string()),
        Ok(meta) if !meta.is_dir() => {
            return Err("`.git` is a file or link that points elsewhere (a worktree or submodule); readyctl reads only git data inside the audited folder".to_string());
        }
        Ok(_) => {}
    }
    metadata_stays_inside(root, &dot_git)?;
    open(root)
}

/// Opens the repository at `root` the way every git reader here must: only
/// its own configuration, reduced trust, and the worktree where we expect it.
fn open(root: &Path) -> Result<gix::Repository, String> {
    let options = gix::open::Options::isolated()
        .with_enforced_trust(gix::sec::Trust::Reduced)
        .lossy_config(true);
    let repo =
        gix::open_opts(root, options).map_err(|e| format!("cannot open the repository: {e}"))?;
    if let Some(workdir) = repo.workdir() {
        let same = canonical(workdir) == canonical(root);
        if !same {
            return Err(
                "`core.worktree` points outside the audited folder; readyctl does not follow it"
                    .to_string(),
            );
        }
    }
    Ok(repo)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Git finds objects and refs through files that may name other folders:
/// alternates (objects borrowed from another repository) and `commondir`
/// (a linked worktree's main repository). Any of them outside `root` makes
/// the repository unreadable for us.
fn metadata_stays_inside(root: &Path, dot_git: &Path) -> Result<(), String> {
    let root = canonical(root);
    if dot_git.join("commondir").exists() {
        return Err(
            "`.git/commondir` points to another repository; readyctl reads only git data inside the audited folder"
                .to_string(),
        );
    }
    let alternates = dot_git.join("objects/info/alternates");
    if let Ok(text) = std::fs::read_to_string(&alternates) {
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let path = dot_git.join("objects").join(line);
            if !canonical(&path).starts_with(&root) {
                return Err(
                    "`.git/objects/info/alternates` borrows objects from outside the audited folder; readyctl does not follow it"
                        .to_string(),
                );
            }
        }
    }
    Ok(())
}

fn read_facts(
    repo: &gix::Repository,
    root: &Path,
    tracked_ignored_known: Option<Vec<String>>,
    worktree: bool,
) -> Result<GitFacts, String> {
    let err = |what: &str| {
        let what = what.to_string();
        move |e: gix::Error| format!("cannot read {what}: {e}")
    };
    let mut facts = GitFacts {
        branch: repo
            .head_name()
            .map_err(err("HEAD"))?
            .map(|name| name.shorten().to_string()),
        ..GitFacts::default()
    };
    let head = repo.head_commit().ok();
    if let Some(commit) = &head {
        facts.head = Some(commit.id.to_string());
        facts.last_commit = commit.time().ok().and_then(timestamp);
    }
    if facts.head.is_none() {
        // An unborn HEAD has no commit to describe.
        facts.branch = facts.branch.take();
    }
    let refs = repo.references().map_err(err("references"))?;
    for reference in refs.local_branches().map_err(err("branches"))?.flatten() {
        facts.branches.push(reference.name().shorten().to_string());
    }
    facts.branches.sort();
    for mut reference in refs.tags().map_err(err("tags"))?.flatten() {
        let name = reference.name().shorten().to_string();
        let date = tag_date(&mut reference);
        facts.tags.push(Tag { name, date });
    }
    facts
        .tags
        .sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.name.cmp(&b.name)));
    facts.default_branch = default_branch(repo, &facts.branches);
    if repo.is_shallow().unwrap_or(false) {
        facts.shallow_depth = Some(head.as_ref().map_or(0, |c| reachable_commits(repo, c.id)));
    }
    if repo.workdir().is_some() {
        facts.worktree = if worktree {
            worktree_state(repo, root)
        } else {
            Worktree::Unchecked {
                reason: "no check that ran asks".to_string(),
            }
        };
        facts.tracked_ignored = match tracked_ignored_known {
            Some(known) => known,
            None => tracked_ignored(repo).unwrap_or_default(),
        };
    }
    Ok(facts)
}

fn timestamp(time: gix::date::Time) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_second(time.seconds).ok()
}

/// An annotated tag's date is when it was tagged; a lightweight tag has
/// only its commit's.
fn tag_date(reference: &mut gix::Reference<'_>) -> Option<jiff::Timestamp> {
    let object = reference.peel_to_kind(gix::object::Kind::Tag).ok();
    if let Some(tag) = object.and_then(|o| o.try_into_tag().ok())
        && let Ok(Some(tagger)) = tag.tagger()
        && let Ok(time) = tagger.time()
    {
        return timestamp(time);
    }
    let commit = reference.peel_to_commit().ok()?;
    commit.time().ok().and_then(timestamp)
}

fn default_branch(repo: &gix::Repository, branches: &[String]) -> Option<String> {
    if let Ok(Some(origin_head)) = repo.try_find_reference("refs/remotes/origin/HEAD")
        && let gix::refs::TargetRef::Symbolic(target) = origin_head.target()
    {
        let target = target.as_bstr().to_string();
        if let Some(name) = target.strip_prefix("refs/remotes/origin/") {
            return Some(name.to_string());
        }
    }
    ["main", "master"]
        .into_iter()
        .find(|name| branches.iter().any(|b| b == name))
        .map(str::to_string)
}

/// In a shallow clone the walk stops at the grafted boundary, so the count
/// is the depth the clone was made with.
pub fn reachable_commits(repo: &gix::Repository, head: gix::ObjectId) -> usize {
    match repo.rev_walk([head]).all() {
        Ok(walk) => walk.take_while(Result::is_ok).count(),
        Err(_) => 0,
    }
}

fn worktree_state(repo: &gix::Repository, root: &Path) -> Worktree {
    let _ = root;
    let status = match repo.status(gix::progress::Discard) {
        Ok(platform) => platform
            .untracked_files(gix::status::UntrackedFiles::Files)
            .index_worktree_submodules(gix::status::Submodule::Given {
                ignore: gix::submodule::config::Ignore::All,
                check_dirty: false,
            })
            .into_iter(Vec::new()),
        Err(e) => {
            return Worktree::Unchecked {
                reason: format!("cannot compare the working tree with the index: {e}"),
            };
        }
    };
    let items = match status {
        Ok(items) => items,
        Err(e) => {
            return Worktree::Unchecked {
                reason: format!("cannot compare the working tree with the index: {e}"),
            };
        }
    };
    let mut changed = Vec::new();
    let mut untracked = Vec::new();
    for item in items {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                return Worktree::Unchecked {
                    reason: format!("cannot compare the working tree with the index: {e}"),
                };
            }
        };
        let path = item.location().to_string();
        match &item {
            gix::status::Item::IndexWorktree(change) => match change.summary() {
                Some(gix::status::index_worktree::iter::Summary::Added) => untracked.push(path),
                Some(_) => changed.push(path),
                None => {}
            },
            gix::status::Item::TreeIndex(_) => changed.push(path),
        }
    }
    for list in [&mut changed, &mut untracked] {
        list.sort();
        list.dedup();
        list.truncate(PATH_LIMIT);
    }
    Worktree::Checked { changed, untracked }
}

fn tracked_ignored(repo: &gix::Repository) -> Result<Vec<String>, String> {
    let index = repo.index_or_empty().map_err(|e| e.to_string())?;
    let mut excludes = repo
        .excludes(
            &index,
            None,
            gix::worktree::stack::state::ignore::Source::WorktreeThenIdMappingIfNotSkipped,
        )
        .map_err(|e| e.to_string())?;
    // Git ignores everything below an ignored folder, so a tracked
    // `node_modules/x.js` is ignored by `node_modules/` although the
    // pattern does not match the file itself.
    let mut folders: std::collections::HashMap<String, bool> = Default::default();
    let mut found = Vec::new();
    for entry in index.entries() {
        let path = entry.path(&index).to_string();
        let mut in_ignored_folder = false;
        for (at, _) in path.match_indices('/') {
            let folder = &path[..at];
            let ignored = match folders.get(folder) {
                Some(ignored) => *ignored,
                None => {
                    let ignored = excludes
                        .at_entry(folder, Some(gix::index::entry::Mode::DIR))
                        .is_ok_and(|p| p.is_excluded());
                    folders.insert(folder.to_string(), ignored);
                    ignored
                }
            };
            if ignored {
                in_ignored_folder = true;
                break;
            }
        }
        let ignored = in_ignored_folder
            || excludes
                .at_entry(path.as_str(), Some(entry.mode))
                .is_ok_and(|p| p.is_excluded());
        if ignored {
            found.push(path);
            if found.len() == PATH_LIMIT {
                break;
            }
        }
    }
    Ok(found)
}
