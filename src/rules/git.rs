//! `git`: questions about the repository's git data (tags, the working tree,
//! the last commit), answered from [`crate::repo::git`]'s facts.
//!
//! Every question is skipped, never passed, when the folder is not a git
//! repository or readyctl would not read it: no credit for nothing.

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, Spanned, Validator};
use crate::model::Finding;
use crate::repo::git::{Git, GitContext, GitFacts};
use crate::scan::{DocumentsId, Evidence, PlanBuilder, SelectorSpec};
use schemars::JsonSchema;
use serde::Deserialize;

/// One question about the repository's git data.
///
/// ```yaml
/// rule:
///   git: { semver_tags: {} }
/// rule:
///   git: { changelog_names_latest_tag: { paths: ["CHANGELOG*"] } }
/// rule:
///   git: { committed_within: { days: 365 } }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum GitSpec {
    /// Passes when a tag names a semantic version (`1.4.0`, `v2.0.0-rc.1`,
    /// `api/v1.2.3`, `pkg@1.0.0`); fails when there is no tag or none does.
    SemverTags(Empty),
    /// Passes when a file matching `paths` names the latest semantic-version
    /// tag (without its `v`); skipped when there is no such tag or no file.
    ChangelogNamesLatestTag(ChangelogSpec),
    /// Passes when nothing is uncommitted or untracked. Skipped in CI, where
    /// the checkout is fresh.
    CleanWorktree(Empty),
    /// Passes when no tracked file is ignored by the `.gitignore` files:
    /// a file committed before the rule that now ignores it keeps shipping.
    NoTrackedIgnored(Empty),
    /// Passes when HEAD was committed within `days` of the audit.
    CommittedWithin(DaysSpec),
    /// With `--history`: passes when no secret pattern of the enabled checks
    /// matches any blob of the history; each finding names the commit that
    /// added the value, its date, the path, and whether the value is still
    /// in the working tree. Skipped without `--history`.
    NoSecretsInHistory(Empty),
}

/// A question without parameters: `{}`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangelogSpec {
    /// Globs of the changelog files.
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaysSpec {
    #[schemars(with = "u32")]
    pub days: Spanned<u32>,
}

impl GitSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        match self {
            GitSpec::ChangelogNamesLatestTag(spec) => {
                if spec.paths.is_empty() {
                    v.error(v.at, "`changelog_names_latest_tag` needs at least one path");
                }
                validate_globs(v, &spec.paths, &[]);
            }
            GitSpec::CommittedWithin(spec) if spec.days.value == 0 => {
                v.error_at(&spec.days, "`days` must be at least 1");
            }
            _ => {}
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder, now: jiff::Timestamp) -> GitRule {
        match self {
            GitSpec::SemverTags(_) => GitRule::SemverTags,
            GitSpec::ChangelogNamesLatestTag(spec) => {
                let selector = plan.selector(SelectorSpec::new(&spec.paths, &[], true));
                GitRule::ChangelogNamesLatestTag {
                    documents: plan.documents(selector, true),
                    describe: describe_globs(&spec.paths),
                }
            }
            GitSpec::CleanWorktree(_) => GitRule::CleanWorktree,
            GitSpec::NoTrackedIgnored(_) => GitRule::NoTrackedIgnored,
            GitSpec::CommittedWithin(spec) => GitRule::CommittedWithin {
                days: spec.days.value,
                now,
            },
            GitSpec::NoSecretsInHistory(_) => GitRule::NoSecretsInHistory,
        }
    }
}

#[derive(Debug)]
pub enum GitRule {
    SemverTags,
    ChangelogNamesLatestTag {
        documents: DocumentsId,
        describe: String,
    },
    CleanWorktree,
    NoTrackedIgnored,
    CommittedWithin {
        days: u32,
        now: jiff::Timestamp,
    },
    NoSecretsInHistory,
}

/// How many tags or paths a failure lists.
const LISTED: usize = 10;

impl GitRule {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let context = match evidence.fact::<GitContext>() {
            Some(context) => context,
            None => return Outcome::nothing_to_judge("git data was not read"),
        };
        let facts = match &context.git {
            Git::Repository(facts) => facts,
            Git::NotARepository => return Outcome::nothing_to_judge("not a git repository"),
            Git::Unreadable { reason } => {
                return Outcome::nothing_to_judge(format!("git data not read: {reason}"));
            }
        };
        match self {
            GitRule::SemverTags => semver_tags(facts),
            GitRule::ChangelogNamesLatestTag {
                documents,
                describe,
            } => changelog_names_latest_tag(facts, evidence, *documents, describe),
            GitRule::CleanWorktree => clean_worktree(context, facts),
            GitRule::NoTrackedIgnored => no_tracked_ignored(facts),
            GitRule::CommittedWithin { days, now } => committed_within(facts, *days, *now),
            GitRule::NoSecretsInHistory => no_secrets_in_history(context, evidence),
        }
    }
}

/// The version a tag names, if it names one: `v1.2.3`, `1.2.3-rc.1`, and
/// with a monorepo prefix, `api/v1.2.3` or `pkg@1.2.3`.
pub fn tag_version(tag: &str) -> Option<semver::Version> {
    let last = tag.rsplit(['/', '@']).next().unwrap_or(tag);
    let bare = last.strip_prefix(['v', 'V']).unwrap_or(last);
    semver::Version::parse(bare).ok()
}

/// The highest version among the tags, releases before pre-releases.
fn latest_release(facts: &GitFacts) -> Option<(String, semver::Version)> {
    let versions = || {
        facts
            .tags
            .iter()
            .filter_map(|t| tag_version(&t.name).map(|v| (t.name.clone(), v)))
    };
    versions()
        .filter(|(_, v)| v.pre.is_empty())
        .max_by(|a, b| a.1.cmp(&b.1))
        .or_else(|| versions().max_by(|a, b| a.1.cmp(&b.1)))
}

fn semver_tags(facts: &GitFacts) -> Outcome {
    if facts.tags.is_empty() {
        if let Some(why) = facts.history_unavailable() {
            return Outcome::nothing_to_judge(why);
        }
        return Outcome::fail("no tag: releases are not tagged", Vec::new());
    }
    match latest_release(facts) {
        Some((name, _)) => {
            let count = facts
                .tags
                .iter()
                .filter(|t| tag_version(&t.name).is_some())
                .count();
            Outcome::pass(
                format!("{count} semantic-version tag(s), latest `{name}`"),
                Vec::new(),
            )
        }
        None => Outcome::fail(
            format!(
                "{} tag(s), none a semantic version (like `v1.2.3`)",
                facts.tags.len()
            ),
            facts
                .tags
                .iter()
                .take(LISTED)
                .map(|t| Finding::note(format!("tag `{}`", t.name)))
                .collect(),
        ),
    }
}

fn changelog_names_latest_tag(
    facts: &GitFacts,
    evidence: &Evidence,
    documents: DocumentsId,
    describe: &str,
) -> Outcome {
    let Some((tag, version)) = latest_release(facts) else {
        return Outcome::nothing_to_judge("no semantic-version tag");
    };
    let files = &evidence.documents(documents).files;
    if files.is_empty() {
        return Outcome::nothing_to_judge(format!("no changelog ({describe})"));
    }
    let wanted = version.to_string();
    let names = |text: &str| {
        text.match_indices(&wanted).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + wanted.len()..].chars().next();
            let part_of_number =
                |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
            // `1.2.3` inside `11.2.3` or `1.2.30` is another version.
            !part_of_number(before) && !after.is_some_and(|c| c.is_ascii_digit())
        })
    };
    match files.iter().find(|f| f.text.as_deref().is_some_and(names)) {
        Some(file) => Outcome::pass(
            format!("`{}` names the latest tag `{tag}`", file.path),
            Vec::new(),
        ),
        None => Outcome::fail(
            format!("the latest tag `{tag}` is not in the changelog"),
            files
                .iter()
                .map(|f| Finding::at(&f.path, None, format!("does not mention {wanted}")))
                .collect(),
        ),
    }
}

fn clean_worktree(context: &GitContext, facts: &GitFacts) -> Outcome {
    use crate::repo::git::Worktree;
    if context.in_ci {
        return Outcome::skip("not applicable in CI: the checkout is fresh");
    }
    if context.in_commit_hook {
        return Outcome::skip(
            "not applicable in a commit hook: the change being committed is not committed yet",
        );
    }
    match &facts.worktree {
        Worktree::Bare => Outcome::nothing_to_judge("a bare repository has no working tree"),
        Worktree::Unchecked { reason } => Outcome::nothing_to_judge(reason),
        Worktree::Checked { changed, untracked } => {
            if changed.is_empty() && untracked.is_empty() {
                return Outcome::pass("everything is committed", Vec::new());
            }
            let findings = changed
                .iter()
                .map(|p| Finding::at(p, None, "changed, not committed"))
                .chain(untracked.iter().map(|p| Finding::at(p, None, "untracked")))
                .collect();
            Outcome::fail(
                format!(
                    "{} changed and {} untracked file(s) are not committed",
                    changed.len(),
                    untracked.len()
                ),
                findings,
            )
        }
    }
}

fn no_tracked_ignored(facts: &GitFacts) -> Outcome {
    if facts.tracked_ignored.is_empty() {
        return Outcome::pass("no tracked file is ignored", Vec::new());
    }
    Outcome::fail(
        format!(
            "{} tracked file(s) are ignored by .gitignore and still committed",
            facts.tracked_ignored.len()
        ),
        facts
            .tracked_ignored
            .iter()
            .map(|p| {
                Finding::at(
                    p,
                    None,
                    "tracked, but .gitignore ignores it: `git rm --cached` it or stop ignoring it",
                )
            })
            .collect(),
    )
}

fn committed_within(facts: &GitFacts, days: u32, now: jiff::Timestamp) -> Outcome {
    let Some(last) = facts.last_commit else {
        return Outcome::nothing_to_judge("no commit");
    };
    let age = now.duration_since(last).as_secs() / 86_400;
    let date = last.strftime("%Y-%m-%d");
    if age > i64::from(days) {
        Outcome::fail(
            format!("no commit for {age} days (last on {date})"),
            Vec::new(),
        )
    } else {
        Outcome::pass(format!("last commit on {date}"), Vec::new())
    }
}

/// Shown for a value no longer in the working tree: deleting the file did
/// not unpublish it.
pub const STILL_IN_HISTORY: &str =
    "removed, but still in history — rotate it and rewrite or accept";

fn no_secrets_in_history(context: &GitContext, evidence: &Evidence) -> Outcome {
    let history = match &context.history {
        None => {
            return Outcome::skip(
                "history not searched: pass --history (or set `history = true` under [scan])",
            );
        }
        Some(Err(why)) => return Outcome::nothing_to_judge(why),
        Some(Ok(history)) => history,
    };
    let searched = format!(
        "{} commit(s), {} blob(s) searched",
        history.commits, history.blobs_scanned
    );
    if history.secrets.is_empty() {
        return Outcome::pass(format!("no credential in history ({searched})"), Vec::new());
    }
    let in_tree: std::collections::HashSet<&str> = evidence.secret_values().iter().collect();
    let mut removed = 0;
    let findings = history
        .secrets
        .iter()
        .map(|secret| {
            let in_head = in_tree.contains(secret.value.as_str());
            if !in_head {
                removed += 1;
            }
            let short = &secret.commit[..secret.commit.len().min(12)];
            let date = secret
                .date
                .map(|d| d.strftime("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "an unknown date".to_string());
            let state = if in_head {
                "still in the working tree"
            } else {
                STILL_IN_HISTORY
            };
            let detail = secret
                .detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            let mut finding = Finding::at(
                &secret.path,
                Some(secret.line),
                format!(
                    "{}{detail} added in commit {short} on {date}; {state}",
                    secret.label
                ),
            );
            finding
                .measured
                .insert("commit".into(), secret.commit.clone().into());
            if let Some(date) = secret.date {
                finding
                    .measured
                    .insert("date".into(), date.to_string().into());
            }
            finding.measured.insert("in_head".into(), in_head.into());
            finding
                .measured
                .insert("check".into(), secret.check_id.clone().into());
            finding
        })
        .collect();
    Outcome::fail(
        format!(
            "{} credential(s) in history, {removed} of them no longer in the working tree ({searched})",
            history.secrets.len()
        ),
        findings,
    )
}

#[cfg(test)]
mod tests {
    use super::tag_version;

    #[test]
    fn tags_name_versions_with_or_without_prefixes() {
        assert_eq!(tag_version("v1.2.3").unwrap().to_string(), "1.2.3");
        assert_eq!(tag_version("2.0.0-rc.1").unwrap().to_string(), "2.0.0-rc.1");
        assert_eq!(tag_version("api/v0.4.0").unwrap().to_string(), "0.4.0");
        assert_eq!(
            tag_version("@scope/pkg@1.0.0").unwrap().to_string(),
            "1.0.0"
        );
        assert!(tag_version("release-2024").is_none());
        assert!(tag_version("v1.2").is_none());
        assert!(tag_version("latest").is_none());
    }
}
