//! Which of the plan's path globs a path matches, cheaply.
//!
//! `globset` matches a glob that is a literal path, a file name, an
//! extension, a directory prefix or a path suffix with hash lookups and
//! literal searches, but puts every other glob (`**/node_modules/**`,
//! `**/docker-compose*.y*ml`, every case-insensitive glob) into one regex
//! set, and asks it for *all* the globs that match each path. With a few
//! hundred such globs that overlapping search builds lazy-DFA states of
//! hundreds of NFA states for every path: a fifth of an audit of a
//! 3,000-file repository went there, and building the set was a tenth of an
//! empty repository's.
//!
//! So the cheap shapes stay in a `GlobSet` and each of the others is matched
//! on its own, compiled the first time it is needed, and only on paths that
//! hold its longest literal run (`node_modules`, `docker-compose`), found by
//! one pass of a literal automaton over the path. Every glob is still matched by
//! `globset` with the options it was written with, so what matches is
//! unchanged; the literals only say where matching is pointless.

use super::prefilter::Literals;
use globset::{Candidate, Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Literal runs shorter than this occur in most paths (`.y` of `*.y*ml`):
/// a glob whose longest run is shorter is tried on every path.
const MIN_LITERAL: usize = 3;

/// Globs being collected; each distinct glob once, with the selectors that
/// use it (the built-in checks repeat the same exclusions in hundreds of
/// selectors).
#[derive(Debug, Default)]
pub(crate) struct GlobsBuilder {
    /// Each glob, and whether it ignores case.
    globs: Vec<(Glob, bool)>,
    owners: Vec<Vec<usize>>,
    index: HashMap<(String, bool), usize>,
}

impl GlobsBuilder {
    pub(crate) fn add(
        &mut self,
        glob: &str,
        ignore_case: bool,
        selector: usize,
    ) -> Result<(), String> {
        if !ignore_case && let Some(extensions) = extension_alternatives(glob) {
            // Checked whole first, so that an invalid glob is reported as
            // written.
            build_glob(glob, ignore_case)?;
            for extension in extensions {
                self.add_one(&format!("**/*.{extension}"), ignore_case, selector)?;
            }
            return Ok(());
        }
        self.add_one(glob, ignore_case, selector)
    }

    fn add_one(&mut self, glob: &str, ignore_case: bool, selector: usize) -> Result<(), String> {
        let key = (glob.to_string(), ignore_case);
        let at = match self.index.get(&key) {
            Some(at) => *at,
            None => {
                self.globs
                    .push((build_glob(glob, ignore_case)?, ignore_case));
                self.owners.push(Vec::new());
                self.index.insert(key, self.owners.len() - 1);
                self.owners.len() - 1
            }
        };
        self.owners[at].push(selector);
        Ok(())
    }

    pub(crate) fn build(self) -> Result<PathGlobs, String> {
        let mut fast = GlobSetBuilder::new();
        let mut fast_ids = Vec::new();
        let mut slow = Vec::new();
        let mut literal_ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut literal_owners: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (id, (glob, ignore_case)) in self.globs.into_iter().enumerate() {
            if !ignore_case && is_cheap(glob.glob()) {
                fast.add(glob);
                fast_ids.push(id);
                continue;
            }
            let at = slow.len();
            match longest_run(glob.glob()) {
                Some(run) => {
                    let run = run.to_ascii_lowercase().into_bytes();
                    let literal = *literal_ids.entry(run.clone()).or_insert_with(|| {
                        literals.push(run);
                        literal_owners.push(Vec::new());
                        literal_owners.len() - 1
                    });
                    literal_owners[literal].push(at);
                }
                None => always.push(at),
            }
            let (starts, ends) = literal_ends(glob.glob());
            slow.push(Slow {
                id,
                ignore_case,
                starts: starts.into(),
                ends: ends.into(),
                matcher: OnceLock::new(),
                glob,
            });
        }
        let literals = match literals.is_empty() {
            true => None,
            // Matched ASCII case-insensitively: over-matching is harmless
            // (the glob decides), and a case-insensitive glob's regex folds
            // ASCII only.
            false => Some(Literals::build(&literals, false).map_err(|e| e.to_string())?),
        };
        Ok(PathGlobs {
            fast: fast.build().map_err(|e| e.to_string())?,
            fast_ids,
            slow,
            literals,
            literal_owners,
            always,
            owners: self.owners,
        })
    }
}

pub(crate) fn build_glob(glob: &str, ignore_case: bool) -> Result<Glob, String> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .case_insensitive(ignore_case)
        .build()
        .map_err(|e| format!("invalid glob `{glob}`: {}", e.kind()))
}

#[derive(Debug)]
struct Slow {
    /// The glob's index among all globs.
    id: usize,
    /// Whether the glob ignores case: `globset` folds ASCII letters only
    /// (its regexes are `(?-u)`), so `starts` and `ends` are then compared
    /// ignoring ASCII case.
    ignore_case: bool,
    /// What every path the glob matches starts and ends with (see
    /// [`literal_ends`]).
    starts: Box<str>,
    ends: Box<str>,
    glob: Glob,
    matcher: OnceLock<GlobMatcher>,
}

impl Slow {
    /// Whether `path` starts and ends as every path the glob matches does.
    fn may_match(&self, path: &str) -> bool {
        let (path, starts, ends) = (
            path.as_bytes(),
            self.starts.as_bytes(),
            self.ends.as_bytes(),
        );
        if path.len() < starts.len() || path.len() < ends.len() {
            return false;
        }
        let head = &path[..starts.len()];
        let tail = &path[path.len() - ends.len()..];
        match self.ignore_case {
            true => head.eq_ignore_ascii_case(starts) && tail.eq_ignore_ascii_case(ends),
            false => head == starts && tail == ends,
        }
    }
}

/// The compiled globs of a plan.
#[derive(Debug)]
pub(crate) struct PathGlobs {
    /// The globs `globset` matches without a regex set.
    fast: GlobSet,
    /// Per glob of `fast`: its index among all globs.
    fast_ids: Vec<usize>,
    slow: Vec<Slow>,
    /// The longest literal run of each slow glob that has one.
    literals: Option<Literals>,
    /// Per literal: the slow globs it stands for.
    literal_owners: Vec<Vec<usize>>,
    /// Slow globs without a usable literal: tried on every path.
    always: Vec<usize>,
    /// Per glob: the selectors it belongs to.
    owners: Vec<Vec<usize>>,
}

impl PathGlobs {
    pub(crate) fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// Appends to `into` the selectors of every glob that matches `path`
    /// (with repeats, in no particular order).
    pub(crate) fn selectors_into(&self, path: &str, into: &mut Vec<usize>) {
        let candidate = Candidate::new(path);
        let mut matched = Vec::new();
        self.fast.matches_candidate_into(&candidate, &mut matched);
        for index in &matched {
            into.extend_from_slice(&self.owners[self.fast_ids[*index]]);
        }
        let mut tried = self.always.clone();
        if let Some(literals) = &self.literals {
            literals.each(path.as_bytes(), |literal, _| {
                tried.extend_from_slice(&self.literal_owners[literal]);
            });
        }
        tried.sort_unstable();
        tried.dedup();
        for slow in tried.iter().map(|at| &self.slow[*at]) {
            if !slow.may_match(path) {
                continue;
            }
            let matcher = slow.matcher.get_or_init(|| slow.glob.compile_matcher());
            if matcher.is_match_candidate(&candidate) {
                into.extend_from_slice(&self.owners[slow.id]);
            }
        }
    }
}

/// The extensions of `**/*.{py,js,go}`, which matches what `**/*.py`,
/// `**/*.js` and `**/*.go` match together: `globset` matches those by a
/// hash of the extension, and the alternation with a regex on every path.
/// `None` for any other glob, and for alternatives that are not plain
/// extensions (empty, or with a metacharacter, a dot or a separator).
fn extension_alternatives(glob: &str) -> Option<Vec<&str>> {
    let inside = glob.strip_prefix("**/*.{")?.strip_suffix('}')?;
    let extensions: Vec<&str> = inside.split(',').collect();
    extensions
        .iter()
        .all(|e| !e.is_empty() && !e.contains(['*', '?', '[', ']', '{', '}', '\\', '.', '/']))
        .then_some(extensions)
}

/// Whether `globset` matches `glob` (case-sensitive) without a regex: a
/// literal path, `**/name`, `**/*.ext`, `dir/**` or `**/a/b`.
fn is_cheap(glob: &str) -> bool {
    let plain = |s: &str| !s.is_empty() && !s.contains(['*', '?', '[', ']', '{', '}', '\\']);
    if plain(glob) {
        return true;
    }
    if let Some(rest) = glob.strip_prefix("**/") {
        if plain(rest) {
            return true;
        }
        if let Some(ext) = rest.strip_prefix("*.") {
            return plain(ext) && !ext.contains(['.', '/']);
        }
    }
    glob.strip_suffix("/**").is_some_and(plain)
}

/// The longest run of literal characters that every path `glob` matches
/// contains, if it is long enough to be worth searching for. A separator
/// next to `**` is left out (`**/node_modules/**` matches `node_modules/x`).
fn longest_run(glob: &str) -> Option<&str> {
    if glob.contains('\\') {
        // Escapes would have to be undone; globs in checks do not use them.
        return None;
    }
    let bytes = glob.as_bytes();
    let mut best: Option<&str> = None;
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        while at < bytes.len() && !matches!(bytes[at], b'*' | b'?' | b'[' | b'{') {
            at += 1;
        }
        let mut run = &glob[start..at];
        if glob[..start].ends_with("**") {
            run = run.strip_prefix('/').unwrap_or(run);
        }
        if glob[at..].starts_with("**") {
            run = run.strip_suffix('/').unwrap_or(run);
        }
        if run.len() >= MIN_LITERAL && best.is_none_or(|b| run.len() > b.len()) {
            best = Some(run);
        }
        at = skip_meta(bytes, at);
    }
    best
}

/// The literal text every path a case-sensitive `glob` matches starts
/// and ends with: what comes before its first metacharacter and after its
/// last. The globs tried on every path (`**/*.[jt]s`, `**/*.y*ml`,
/// `.*/**`) are then matched only on the few paths that end (or start)
/// right. A separator next to `**` is left out (`**/a` matches `a`,
/// `a/**/b` matches `a/b`); a glob with escapes has none.
fn literal_ends(glob: &str) -> (&str, &str) {
    let meta = |c: char| matches!(c, '*' | '?' | '[' | ']' | '{' | '}');
    if glob.contains('\\') {
        return ("", "");
    }
    let Some(first) = glob.find(meta) else {
        return (glob, glob);
    };
    let mut starts = &glob[..first];
    if glob[first..].starts_with("**") {
        starts = starts.strip_suffix('/').unwrap_or(starts);
    }
    let last = glob.rfind(meta).map_or(0, |i| i + 1);
    let mut ends = &glob[last..];
    if glob[..last].ends_with("**") {
        ends = ends.strip_prefix('/').unwrap_or(ends);
    }
    (starts, ends)
}

/// The index after the metacharacter (or class, or alternation) at `at`.
fn skip_meta(bytes: &[u8], mut at: usize) -> usize {
    match bytes.get(at) {
        None => at,
        Some(b'[') => {
            // `[]…]` and `[!]…]` hold a literal `]` first.
            at += 1;
            if matches!(bytes.get(at), Some(b'!' | b'^')) {
                at += 1;
            }
            if bytes.get(at) == Some(&b']') {
                at += 1;
            }
            while at < bytes.len() && bytes[at] != b']' {
                at += 1;
            }
            at + 1
        }
        Some(b'{') => {
            let mut depth = 0;
            while at < bytes.len() {
                match bytes[at] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return at + 1;
                        }
                    }
                    _ => {}
                }
                at += 1;
            }
            at
        }
        Some(_) => at + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(list: &[(&str, bool)]) -> PathGlobs {
        let mut builder = GlobsBuilder::default();
        for (index, (glob, ignore_case)) in list.iter().enumerate() {
            builder.add(glob, *ignore_case, index).unwrap();
        }
        builder.build().unwrap()
    }

    fn matching(globs: &PathGlobs, path: &str) -> Vec<usize> {
        let mut into = Vec::new();
        globs.selectors_into(path, &mut into);
        into.sort_unstable();
        into
    }

    #[test]
    fn literal_runs_leave_out_what_a_match_may_lack() {
        assert_eq!(longest_run("**/node_modules/**"), Some("node_modules"));
        assert_eq!(longest_run("a/**/docs/x.md"), Some("docs/x.md"));
        assert_eq!(longest_run("scripts/*"), Some("scripts/"));
        assert_eq!(longest_run("**/[Dd]ockerfile.{rs,go}"), Some("ockerfile."));
        assert_eq!(longest_run("**/*.y*ml"), None);
        assert_eq!(longest_run(r"**/a\*b/**"), None);
    }

    #[test]
    fn literal_ends_are_what_every_match_starts_and_ends_with() {
        assert_eq!(literal_ends("**/*.y*ml"), ("", "ml"));
        assert_eq!(literal_ends(".*/**"), (".", ""));
        assert_eq!(literal_ends("**/*.[jt]s"), ("", "s"));
        assert_eq!(literal_ends("a/**/b"), ("a", "b"));
        assert_eq!(literal_ends("docs/*/x.{md,txt}"), ("docs/", ""));
        assert_eq!(literal_ends(r"a\*b*"), ("", ""));
    }

    #[test]
    fn only_plain_extension_alternatives_are_split() {
        assert_eq!(
            extension_alternatives("**/*.{py,js,go}"),
            Some(vec!["py", "js", "go"])
        );
        for glob in [
            "**/*.{py,}",
            "**/*.{tar.gz,zip}",
            "**/*.{a/b,c}",
            "**/*.{j*,c}",
            "src/*.{py,js}",
            "**/*.py",
            "**/*.{py,js}x",
        ] {
            assert_eq!(extension_alternatives(glob), None, "{glob}");
        }
    }

    #[test]
    fn cheap_shapes_are_the_ones_globset_matches_without_a_regex() {
        for glob in [
            "Cargo.toml",
            "**/go.mod",
            "**/*.rs",
            "docs/**",
            "**/a/b.txt",
        ] {
            assert!(is_cheap(glob), "{glob}");
        }
        for glob in [
            "**/node_modules/**",
            "scripts/*",
            "**/*.tar.gz",
            "**/*.y*ml",
            "**",
        ] {
            assert!(!is_cheap(glob), "{glob}");
        }
    }

    /// Each glob matches exactly what it matches alone, whichever way it is
    /// matched, and shared globs report every selector.
    #[test]
    fn the_same_matches_as_each_glob_alone() {
        let list = [
            ("**/node_modules/**", false),
            ("**/*.rs", false),
            ("**/*.EXE", true),
            ("README*", true),
            ("scripts/*", false),
            ("**/[Dd]ockerfile.{rs,go}", false),
            ("**/*.y*ml", false),
            ("**/tests/**", true),
            ("**/node_modules/**", false),
            ("docs/**", false),
            ("**/*.[jt]s", false),
            (".*/**", false),
            ("a/**/b", false),
            ("**/k6/**/*.[cm]js", false),
            ("src/*/{x,y}.?s", false),
            ("**/*.Y*ML", true),
            ("**/*.a", true),
            ("**/*.{py,js,go}", false),
            ("**/*.{Rs,TOML}", true),
            ("**/*.{py,}", false),
            ("**/*.{tar.gz,zip}", false),
            ("Docs/*.{md,txt}", true),
            ("**/*.{js,rs}", false),
        ];
        let set = globs(&list);
        let paths = [
            "node_modules/a.js",
            "x/node_modules/y/z",
            "node_modulesx/a",
            "src/main.rs",
            "bin/tool.exe",
            "bin/TOOL.Exe",
            "readme.md",
            "docs/README",
            "scripts/run.sh",
            "scripts/a/run.sh",
            "api/dockerfile.go",
            "Dockerfile.py",
            "k8s/app.yaml",
            "a/Tests/b.py",
            "docs/x/y.md",
            "é/node_modules/ü",
            "web/app.ts",
            "web/app.tsx",
            ".github/workflows/ci.yml",
            "x/.github/a",
            "a/b",
            "a/x/y/b",
            "ab",
            "k6/load.mjs",
            "t/k6/x/load.cjs",
            "src/a/x.js",
            "src/a/b/y.ts",
            "deploy/APP.yml",
            "lib/libx.a",
            "lib/LIBX.A",
            "lib/a",
            ".a",
            "x/.A",
            "a.py",
            "x/y.js",
            "x/y.go/z",
            "x.pyc",
            "a.",
            "x/a.rs",
            "x/a.tar.gz",
            "x/a.zip",
            "docs/A.MD",
            "DOCS/x.txt",
            "docs/a/b.md",
            "x/ka.\u{212A}",
        ];
        for path in paths {
            let expected: Vec<usize> = list
                .iter()
                .enumerate()
                .filter(|(_, (glob, ci))| {
                    build_glob(glob, *ci)
                        .unwrap()
                        .compile_matcher()
                        .is_match(path)
                })
                .map(|(index, _)| index)
                .collect();
            assert_eq!(matching(&set, path), expected, "{path}");
        }
    }
}
