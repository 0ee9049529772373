//! `migration_versions` and `recent_migrations`: questions about a set of
//! versioned migrations as a sequence, which need every migration's name
//! (and, for the second, its text) rather than a sample.
//!
//! A migration's version is the number its name starts with, taken from the
//! file name or, when the file name has none (`up.sql`, `migration.sql`),
//! from its directory: `000012_users.up.sql`, `20240101120000_init/`,
//! `V2_1__add_index.sql`, `1700000000000-CreateUsers.ts`. Versions compare
//! as sequences of numbers, so `2024-01-01-000000` and `V2.1` order properly.
//! Migrations are grouped by the directory holding them (one Django app, one
//! service), since versions only need to be unique within a group.

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, Spanned, Validator};
use crate::model::Finding;
use crate::scan::{
    Document, DocumentsId, Evidence, LazyRegex, PlanBuilder, SelectorSpec, compile_regex,
};
use regex::bytes::Regex;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Versions with at least this many digits are timestamps
/// (`20240101120000`, 13-digit epoch milliseconds); shorter ones are
/// sequence numbers.
const TIMESTAMP_DIGITS: usize = 12;

static VERSION: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^[Vv]?([0-9]+(?:[._-][0-9]+)*)").expect("valid version regex")
});

/// Where a migration sits in its sequence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// The version's numbers: `2024-01-01-000000` is `[2024, 1, 1, 0]`.
    pub parts: Vec<u64>,
    /// The version as written.
    pub text: String,
    /// The directory grouping the migration with its siblings.
    pub group: String,
    /// The version text has a timestamp's length.
    pub timestamp: bool,
}

/// A directory named by nothing but a version: a release folder (`0.31`,
/// `v2`) holding that release's numbered migrations.
static RELEASE_DIR: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^[Vv]?[0-9]+(?:[._-][0-9]+)*$").expect("valid release regex")
});

/// The version of the migration at `path`, if its name carries one.
///
/// A numbered file inside a release folder
/// (`store/migration/sqlite/0.31/02__reaction.sql`) is versioned by both,
/// release first: `0.31.02` follows every migration of `0.30`, and the
/// migrations of every release form one sequence.
pub fn version_of(path: &str) -> Option<Version> {
    let components: Vec<&str> = path.split('/').collect();
    let (mut index, mut captured) = components
        .iter()
        .enumerate()
        .rev()
        .take(2)
        .find_map(|(i, name)| VERSION.captures(name).map(|c| (i, c[1].to_string())))?;
    if index + 1 == components.len() && index >= 1 && RELEASE_DIR.is_match(components[index - 1]) {
        let release = VERSION.captures(components[index - 1])?;
        captured = format!("{}.{captured}", &release[1]);
        index -= 1;
    }
    let parts = captured
        .split(['.', '_', '-'])
        .map(|p| p.parse::<u64>().unwrap_or(u64::MAX))
        .collect();
    let digits = captured.chars().filter(char::is_ascii_digit).count();
    Some(Version {
        parts,
        timestamp: digits >= TIMESTAMP_DIGITS,
        text: captured,
        group: components[..index].join("/"),
    })
}

/// The path that names a migration: its directory when the version came from
/// the directory (`prisma/migrations/20240101_init/migration.sql`).
fn migration_name(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    if VERSION.is_match(file) {
        path
    } else {
        path.rsplit_once('/').map_or(path, |(dir, _)| dir)
    }
}

/// ```yaml
/// migration_versions:
///   paths: ["**/migrations/*.up.sql"]
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionsSpec {
    /// Globs selecting one file per migration (the `up` side when migrations
    /// come in pairs, or both sides would look like duplicates).
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// Globs of the code that may list migrations one by one (an in-house
    /// migrator's `newFileMigration("0.1.0", "0.2.0", "mysql/0000_system_insert")`).
    /// Such a list, not the number in a file's name, orders the migrations
    /// it names: files sharing a number are no conflict when the code names
    /// each of them.
    #[serde(default)]
    pub named_in: Option<NamedInSpec>,
}

/// Where code naming migrations may be (see [`VersionsSpec::named_in`]).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedInSpec {
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
}

/// A string literal holding a migration's name (`"mysql/0000_system_create"`,
/// `'0003_uniq_id.up.sql'`): only code files with one are kept for
/// [`VersionsSpec::named_in`].
const MIGRATION_NAME_LITERAL: &str = r#"["'`](?:[\w.-]+/)*[0-9]{2,}_\w+(?:\.\w+)*["'`]"#;

/// A digit before an underscore, which every match of
/// [`MIGRATION_NAME_LITERAL`] holds (`[0-9]{2,}_`): code files without one
/// are not searched with it. The regex has no literal of its own to skip
/// ahead by (quotes are everywhere), so it read every byte of every code
/// file, a thirtieth of a monorepo audit; hardly any code file holds a
/// digit before an underscore.
const MIGRATION_NAME_SCREEN: &[&str] =
    &["0_", "1_", "2_", "3_", "4_", "5_", "6_", "7_", "8_", "9_"];

impl VersionsSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
        if let Some(named_in) = &self.named_in {
            validate_globs(v, &named_in.paths, &named_in.exclude);
        }
        if self.paths.is_empty() {
            v.error(v.at, "`migration_versions` needs `paths`");
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> Versions {
        let selector = plan.selector(SelectorSpec::new(&self.paths, &self.exclude, false));
        let code = self.named_in.as_ref().map(|named_in| {
            let selector =
                plan.selector(SelectorSpec::new(&named_in.paths, &named_in.exclude, false));
            plan.documents_containing_screened(
                selector,
                MIGRATION_NAME_LITERAL,
                MIGRATION_NAME_SCREEN,
            )
        });
        Versions {
            files: plan.documents(selector, false),
            code,
            describe: describe_globs(&self.paths),
        }
    }
}

/// The first code file (path, line) naming the migration at `path` in a
/// string literal, by its file name without extensions.
fn named_in_code<'a>(path: &str, code: &'a [Document]) -> Option<(&'a str, usize)> {
    let stem = file_name(path).split('.').next().unwrap_or_default();
    let named = Regex::new(&format!(r#"["'`/]{}(?:\.\w+)*["'`]"#, regex::escape(stem))).ok()?;
    code.iter().find_map(|file| {
        let text = file.text.as_deref()?.as_bytes();
        let found = named.find(text)?;
        let line = 1 + memchr::memchr_iter(b'\n', &text[..found.start()]).count();
        Some((file.path.as_str(), line))
    })
}

/// The migrations of one directory by version; more than one name under a
/// version is a duplicate.
type ByVersion = BTreeMap<Vec<u64>, Vec<(String, Version)>>;

#[derive(Debug)]
pub struct Versions {
    files: DocumentsId,
    /// Code that may name migrations (see [`VersionsSpec::named_in`]).
    code: Option<DocumentsId>,
    describe: String,
}

impl Versions {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let files = evidence.documents(self.files);
        let mut groups: BTreeMap<String, ByVersion> = BTreeMap::new();
        for file in &files.files {
            let name = migration_name(&file.path);
            if let Some(version) = version_of(&file.path) {
                let group = groups.entry(version.group.clone()).or_default();
                let same = group.entry(version.parts.clone()).or_default();
                // Several files of one migration (Prisma's directory) are one
                // migration, not duplicates.
                if !same.iter().any(|(n, _)| n == name) {
                    same.push((name.to_string(), version));
                }
            }
        }
        let code: &[Document] = self
            .code
            .map_or(&[], |id| evidence.documents(id).files.as_slice());
        let mut findings = Vec::new();
        let mut ordered_in_code = BTreeMap::new();
        let mut migrations = 0;
        for (group, versions) in &groups {
            migrations += versions.values().map(Vec::len).sum::<usize>();
            for (parts, same) in versions.iter().filter(|(_, same)| same.len() > 1) {
                if django_resolved(versions, parts, same) {
                    continue;
                }
                let named: Option<Vec<_>> = same
                    .iter()
                    .map(|(name, _)| named_in_code(name, code))
                    .collect();
                if let Some(named) = named {
                    for (path, line) in named {
                        ordered_in_code.entry(path).or_insert(line);
                    }
                    continue;
                }
                let names: Vec<&str> = same.iter().map(|(n, _)| n.as_str()).collect();
                for (name, version) in same {
                    findings.push(Finding::at(
                        name.clone(),
                        None,
                        format!(
                            "version {} is used by {} migrations: {}",
                            version.text,
                            same.len(),
                            names.join(", ")
                        ),
                    ));
                }
            }
            let all: Vec<&(String, Version)> = versions.values().flatten().collect();
            let stamped = all.iter().filter(|(_, v)| v.timestamp).count();
            if stamped > 0 && stamped < all.len() {
                // A sequence number sorts before every timestamp, so a new
                // `000013_x` would run before migrations written long ago
                // (and be skipped where those have already run).
                let first_sequence = all.iter().find(|(_, v)| !v.timestamp);
                let first_stamp = all.iter().find(|(_, v)| v.timestamp);
                if let (Some((seq, _)), Some((stamp, _))) = (first_sequence, first_stamp) {
                    findings.push(Finding::at(
                        group.clone(),
                        None,
                        format!(
                            "mixes sequence numbers ({}) and timestamps ({}): a new sequence-numbered migration would run before every timestamped one",
                            file_name(seq),
                            file_name(stamp)
                        ),
                    ));
                }
            }
        }
        if migrations == 0 {
            return Outcome::nothing_to_judge(format!(
                "no versioned migration matches {}",
                self.describe
            ));
        }
        if findings.is_empty() {
            let mut message = format!(
                "{migrations} migration version(s) in {} director{} are unique and consistently numbered",
                groups.len(),
                if groups.len() == 1 { "y" } else { "ies" }
            );
            if !ordered_in_code.is_empty() {
                let places: Vec<String> = ordered_in_code
                    .iter()
                    .map(|(path, line)| format!("{path}:{line}"))
                    .collect();
                message = format!(
                    "{migrations} migration(s) in {} director{} are consistently numbered; versions are unique, except files sharing a number that code orders by naming each ({})",
                    groups.len(),
                    if groups.len() == 1 { "y" } else { "ies" },
                    places.join(", ")
                );
            }
            Outcome::pass(message, Vec::new())
        } else {
            findings.sort_by(|a, b| a.path.cmp(&b.path));
            Outcome::fail(
                format!(
                    "{} problem(s) in the versions of {migrations} migration(s)",
                    findings.len()
                ),
                findings,
            )
        }
    }
}

/// Whether migrations sharing a version are normal Django history rather
/// than a conflict: two branches' `0005_*` joined by a later merge
/// migration (`0006_merge_…`, what `makemigrations --merge` writes), or a
/// squashed migration beside the ones it replaces. Django orders migrations
/// by their dependencies, not by the number in their name.
fn django_resolved(versions: &ByVersion, parts: &[u64], same: &[(String, Version)]) -> bool {
    let is_django = |name: &str| name.ends_with(".py") && name.contains("migrations/");
    if !same.iter().all(|(name, _)| is_django(name)) {
        return false;
    }
    let stem = |name: &str| file_name(name).to_ascii_lowercase();
    same.iter()
        .any(|(name, _)| stem(name).contains("_squashed_"))
        || versions
            .range(parts.to_vec()..)
            .skip(1)
            .flat_map(|(_, later)| later)
            .any(|(name, _)| stem(name).contains("merge"))
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// ```yaml
/// recent_migrations:
///   paths: ["**/migrations/*.up.sql"]
///   recent: 3
///   pattern: '(?i)\bDROP\s+(?:TABLE|COLUMN)\b'
///   stop_at: '(?m)^-- \+goose Down'
///   message: destructive statement
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecentSpec {
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// How many of the highest-versioned migrations of each directory to
    /// look at; older ones have shipped and cannot be changed anyway.
    pub recent: usize,
    /// A regex that must not occur in a recent migration.
    #[schemars(with = "String")]
    pub pattern: Spanned<String>,
    /// Where the forward part of a file ends (a goose `-- +goose Down`
    /// marker, an Alembic `def downgrade`): text after its first match is not
    /// searched, since undoing a `CREATE TABLE` rightly drops it.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub stop_at: Option<Spanned<String>>,
    /// What a hit means, for findings.
    #[serde(default)]
    pub message: Option<String>,
}

impl RecentSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
        if self.paths.is_empty() {
            v.error(v.at, "`recent_migrations` needs `paths`");
        }
        if self.recent == 0 {
            v.error(v.at, "`recent` must be at least 1");
        }
        // A built-in pack's are compiled by the plan (see `trusted`).
        for regex in std::iter::once(&self.pattern).chain(&self.stop_at) {
            if !v.trusted
                && let Err(message) = compile_regex(&regex.value)
            {
                v.error_at(regex, format!("invalid regex `{}`: {message}", regex.value));
            }
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder, check_id: &str) -> Recent {
        let selector = plan.selector(SelectorSpec::new(&self.paths, &self.exclude, false));
        // Validated when the pack loaded; compiled when there are migrations.
        let compile = |r: &Spanned<String>| LazyRegex::new(&r.value);
        Recent {
            files: plan.documents(selector, true),
            recent: self.recent,
            pattern: compile(&self.pattern),
            stop_at: self.stop_at.as_ref().map(compile),
            message: self
                .message
                .clone()
                .unwrap_or_else(|| format!("matches `{}`", self.pattern.value)),
            check_id: check_id.to_string(),
            describe: describe_globs(&self.paths),
        }
    }
}

#[derive(Debug)]
pub struct Recent {
    files: DocumentsId,
    recent: usize,
    pattern: LazyRegex,
    stop_at: Option<LazyRegex>,
    message: String,
    check_id: String,
    describe: String,
}

impl Recent {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let Some(pattern) = self.pattern.get() else {
            return super::Outcome::error("pattern failed to compile");
        };
        let files = evidence.documents(self.files);
        let mut groups: BTreeMap<String, Vec<(Version, &Document)>> = BTreeMap::new();
        for file in &files.files {
            if let Some(version) = version_of(&file.path) {
                groups
                    .entry(version.group.clone())
                    .or_default()
                    .push((version, file));
            }
        }
        let mut findings = Vec::new();
        let mut looked_at = Vec::new();
        for migrations in groups.values_mut() {
            migrations.sort_by(|a, b| (&a.0.parts, &a.1.path).cmp(&(&b.0.parts, &b.1.path)));
            // The newest `recent` migrations, counting a migration spread over
            // several files (a Prisma directory) once.
            let mut names = Vec::new();
            for (_, file) in migrations.iter().rev() {
                let name = migration_name(&file.path);
                if !names.contains(&name) {
                    if names.len() == self.recent {
                        break;
                    }
                    names.push(name);
                }
                looked_at.push(file.path.as_str());
                let Some(text) = &file.text else { continue };
                let bytes = text.as_bytes();
                let end = self
                    .stop_at
                    .as_ref()
                    .and_then(LazyRegex::get)
                    .and_then(|stop| stop.find(bytes))
                    .map_or(bytes.len(), |m| m.start());
                let forward = &bytes[..end];
                for found in pattern.find_iter(forward) {
                    if crate::scan::is_allowed(bytes, found.start(), &self.check_id)
                        || recreated_after_drop(&forward[found.start()..])
                        || column_carried_over(&forward[..found.start()], &forward[found.start()..])
                    {
                        continue;
                    }
                    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..found.start()]).count();
                    findings.push(Finding::at(
                        file.path.clone(),
                        Some(line),
                        format!("{}: `{}`", self.message, line_around(bytes, found.start())),
                    ));
                }
            }
        }
        if looked_at.is_empty() {
            return Outcome::nothing_to_judge(format!(
                "no versioned migration matches {}",
                self.describe
            ));
        }
        let scope = format!(
            "the newest {} migration(s) of {} director{}",
            self.recent,
            groups.len(),
            if groups.len() == 1 { "y" } else { "ies" }
        );
        if findings.is_empty() {
            Outcome::pass(format!("no {} in {scope}", self.message), Vec::new())
        } else {
            Outcome::fail(
                format!("{} {} in {scope}", findings.len(), self.message),
                findings,
            )
        }
    }
}

static DROPPED_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^drop\s+table\s+(?:if\s+exists\s+)?[`"\[]?([A-Za-z_][A-Za-z0-9_.]*)"#)
        .expect("valid drop regex")
});

/// Whether `statement` (text from a `DROP TABLE` to the end of the forward
/// migration) drops a table that the same migration then creates again:
/// `DROP TABLE IF EXISTS t; CREATE TABLE t (…)` guards a fresh table, and
/// SQLite's table rebuild (`CREATE TABLE t_new …; INSERT INTO t_new SELECT …
/// FROM t; DROP TABLE t; ALTER TABLE t_new RENAME TO t`, MySQL's
/// `RENAME TABLE t_new TO t`) keeps every row.
/// Neither loses data.
fn recreated_after_drop(statement: &[u8]) -> bool {
    let Some(captures) = DROPPED_TABLE.captures(statement) else {
        return false;
    };
    let table = regex::escape(&String::from_utf8_lossy(&captures[1]));
    let after = &statement[captures.get(0).map_or(0, |m| m.end())..];
    let recreated = format!(
        r#"(?i)\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?[`"\[]?{table}[`"\]]?[\s(]|\brename\s+(?:table\s+[`"\[]?[A-Za-z0-9_.]+[`"\]]?\s+)?to\s+[`"\[]?{table}[`"\]]?\s*(?:;|$)"#
    );
    Regex::new(&recreated).is_ok_and(|r| r.is_match(after))
}

static DROPPED_COLUMN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^drop\s+column\s+(?:if\s+exists\s+)?[`"\[]?([A-Za-z_][A-Za-z0-9_]*)"#)
        .expect("valid drop regex")
});

/// Whether the column a `DROP COLUMN` removes (`statement` starts at the
/// drop) was read earlier in the same migration by an `UPDATE` or an
/// `INSERT … SELECT`: its values were carried into another column or table
/// first (`UPDATE reaction SET memo_id = memo.id … WHERE reaction.content_id
/// = …; … DROP COLUMN content_id`), the contract step of expand/contract done
/// in one migration. A column only assigned (`SET legacy = NULL`) is not read.
fn column_carried_over(before: &[u8], statement: &[u8]) -> bool {
    static COPY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)\b(?:update\b|insert\s+into\b[^;]*\bselect\b)[^;]*")
            .expect("valid copy regex")
    });
    let Some(captures) = DROPPED_COLUMN.captures(statement) else {
        return false;
    };
    let column = regex::escape(&String::from_utf8_lossy(&captures[1]));
    let Ok(mention) = Regex::new(&format!(r"(?i)\b{column}\b")) else {
        return false;
    };
    COPY.find_iter(before).any(|copy| {
        let text = copy.as_bytes();
        mention
            .find_iter(text)
            .any(|m| !is_assignment_target(&text[..m.start()], &text[m.end()..]))
    })
}

/// Whether a column name between `before` and `after` is the target of a
/// `SET` assignment (`SET t.col = …`, `…, col = …`) rather than read.
fn is_assignment_target(before: &[u8], after: &[u8]) -> bool {
    let before = before.trim_ascii_end();
    // A qualifier (`reaction.`) belongs to the name.
    let before = match before
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.'))
    {
        Some(i) if before.last() == Some(&b'.') => before[..=i].trim_ascii_end(),
        _ => before,
    };
    let after = after.trim_ascii_start();
    let assigns = after.first() == Some(&b'=') && after.get(1) != Some(&b'=');
    let follows_set = before.ends_with(b",")
        || before.len() >= 3 && before[before.len() - 3..].eq_ignore_ascii_case(b"set");
    assigns && follows_set
}

/// The statement a hit sits on, trimmed and shortened for a finding.
fn line_around(text: &[u8], offset: usize) -> String {
    const LONGEST: usize = 120;
    let start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &text[offset..]).map_or(text.len(), |i| offset + i);
    let line = String::from_utf8_lossy(&text[start..end]);
    let line = line.trim();
    match line.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every match of the migration-name regex holds a literal of its
    /// screen: its `[0-9]{2,}_` is ASCII digits (in Unicode mode too) and
    /// an underscore, and a text with digits that are not ASCII or no
    /// underscore after them has no match to lose.
    #[test]
    fn migration_names_hold_a_literal_of_their_screen() {
        let regex = regex::Regex::new(MIGRATION_NAME_LITERAL).unwrap();
        let names = r#"m.run("mysql/0000_system_create"); load('0003_uniq_id.up.sql');
            `db/migrations/20240101120000_init.sql` "99_x" '١٢_x' "1_x" "a0_b""#;
        let found: Vec<&str> = regex.find_iter(names).map(|m| m.as_str()).collect();
        assert_eq!(found.len(), 4, "{found:?}");
        for name in found {
            assert!(
                MIGRATION_NAME_SCREEN.iter().any(|l| name.contains(l)),
                "{name}"
            );
        }
    }

    fn parts(path: &str) -> Vec<u64> {
        version_of(path).unwrap().parts
    }

    #[test]
    fn versions_come_from_the_file_or_its_directory() {
        assert_eq!(parts("db/migrations/000012_users.up.sql"), vec![12]);
        assert_eq!(
            parts("migrations/2020-01-01-000000_users/up.sql"),
            vec![2020, 1, 1, 0]
        );
        assert_eq!(
            parts("src/main/resources/db/migration/V2_1__idx.sql"),
            vec![2, 1]
        );
        assert_eq!(
            parts("src/migrations/1700000000000-CreateUsers.ts"),
            vec![1700000000000]
        );
        assert_eq!(parts("app/migrations/0003_auto.py"), vec![3]);
        let prisma = version_of("prisma/migrations/20240101120000_init/migration.sql").unwrap();
        assert_eq!(prisma.group, "prisma/migrations");
        assert!(prisma.timestamp);
        assert!(version_of("migrations/README.md").is_none());
    }

    #[test]
    fn django_branches_joined_by_a_merge_migration_are_no_conflict() {
        let group = |names: &[&str]| {
            let mut versions = ByVersion::new();
            for name in names {
                let version = version_of(name).unwrap();
                versions
                    .entry(version.parts.clone())
                    .or_default()
                    .push((name.to_string(), version));
            }
            versions
        };
        let resolved = |versions: &ByVersion| {
            versions
                .iter()
                .filter(|(_, same)| same.len() > 1)
                .all(|(parts, same)| django_resolved(versions, parts, same))
        };
        let merged = group(&[
            "app/migrations/0005_a.py",
            "app/migrations/0005_b.py",
            "app/migrations/0006_merge_20240101_1200.py",
        ]);
        assert!(resolved(&merged));
        let squashed = group(&[
            "app/migrations/0001_initial.py",
            "app/migrations/0001_squashed_0004_users.py",
        ]);
        assert!(resolved(&squashed));
        let conflict = group(&["app/migrations/0005_a.py", "app/migrations/0005_b.py"]);
        assert!(!resolved(&conflict));
        // A merge migration older than the duplicates joins something else.
        let old_merge = group(&[
            "app/migrations/0003_merge.py",
            "app/migrations/0005_a.py",
            "app/migrations/0005_b.py",
        ]);
        assert!(!resolved(&old_merge));
        let sql = group(&["db/migrations/0005_a.up.sql", "db/migrations/0005_b.up.sql"]);
        assert!(!resolved(&sql));
    }

    #[test]
    fn a_table_dropped_and_created_again_loses_nothing() {
        let guard = b"DROP TABLE IF EXISTS archives;\n\nCREATE TABLE archives (\n  id INT\n);\n";
        assert!(recreated_after_drop(guard));
        let rebuild = b"DROP TABLE `reaction`;\nALTER TABLE reaction_new RENAME TO `reaction`;\n";
        assert!(recreated_after_drop(rebuild));
        let mysql = b"DROP TABLE `reaction`;\nRENAME TABLE `reaction_new` TO `reaction`;\n";
        assert!(recreated_after_drop(mysql));
        // Dropped for good, or another table created.
        assert!(!recreated_after_drop(b"DROP TABLE sessions;\n"));
        assert!(!recreated_after_drop(
            b"DROP TABLE archives;\nCREATE TABLE archives_v2 (id INT);\n"
        ));
        assert!(!recreated_after_drop(
            b"DROP TABLE users;\nALTER TABLE users_new RENAME TO users_old;\n"
        ));
        assert!(!recreated_after_drop(b"DROP COLUMN name;\n"));
    }

    #[test]
    fn a_column_read_into_another_before_its_drop_loses_nothing() {
        let carried = |sql: &str| {
            let at = sql.to_ascii_lowercase().find("drop column").unwrap();
            column_carried_over(&sql.as_bytes()[..at], &sql.as_bytes()[at..])
        };
        assert!(carried(
            "ALTER TABLE reaction ADD COLUMN memo_id INTEGER;\nUPDATE reaction SET memo_id = memo.id FROM memo WHERE reaction.content_id = 'memos/' || memo.uid;\nALTER TABLE reaction DROP COLUMN content_id;"
        ));
        assert!(carried(
            "INSERT INTO archive (id, body) SELECT id, body FROM post;\nALTER TABLE post DROP COLUMN body;"
        ));
        // Only assigned, never read; or not mentioned at all.
        assert!(!carried(
            "UPDATE post SET body = NULL;\nALTER TABLE post DROP COLUMN body;"
        ));
        assert!(!carried(
            "UPDATE post SET title = '', reaction.body = 1;\nALTER TABLE post DROP COLUMN body;"
        ));
        assert!(!carried(
            "UPDATE post SET title = '';\nALTER TABLE post DROP COLUMN body;"
        ));
        assert!(!carried("ALTER TABLE post DROP COLUMN body;"));
    }

    #[test]
    fn migrations_are_named_in_code_by_their_stem_in_a_string() {
        let code = [Document {
            path: "db/sqlite.go".into(),
            text: Some("var m = []migration{\n\tnewFileMigration(\"0.0.0\", \"0.1.0\", \"sqlite/0000_create\"),\n}\n// 0000_insert is in a comment\n".into()),
            modified: None,
        }];
        assert_eq!(
            named_in_code("db/migrations/sqlite/0000_create.up.sql", &code),
            Some(("db/sqlite.go", 2))
        );
        assert_eq!(
            named_in_code("db/migrations/sqlite/0000_insert.up.sql", &code),
            None
        );
    }

    #[test]
    fn numbered_files_in_release_folders_are_versioned_by_both() {
        let newest = version_of("store/migration/sqlite/0.31/02__reaction.sql").unwrap();
        let older = version_of("store/migration/sqlite/0.4/01__memo.sql").unwrap();
        assert_eq!(newest.parts, vec![0, 31, 2]);
        assert_eq!(newest.group, "store/migration/sqlite");
        assert_eq!(older.group, newest.group);
        assert!(older.parts < newest.parts);
        // A versioned folder holding an unversioned file is the migration.
        let diesel = version_of("migrations/2020-01-01-000000_users/up.sql").unwrap();
        assert_eq!(diesel.group, "migrations");
    }

    #[test]
    fn migration_names_are_directories_when_the_version_is() {
        assert_eq!(
            migration_name("prisma/migrations/20240101120000_init/migration.sql"),
            "prisma/migrations/20240101120000_init"
        );
        assert_eq!(migration_name("m/0001_a.up.sql"), "m/0001_a.up.sql");
    }
}
