//! One redactor for every string a report shows.
//!
//! Secret checks never quote what they find, but other checks quote lines
//! of the repository: a migration's `DROP TABLE … -- old key sk_live_…`, a
//! Dockerfile's `FROM registry/ghp_…` image, a coverage report's parse error,
//! a `package.json` script. A [`Redactor`] knows every secret value the scan
//! saw (the values secret checks accepted) and the shapes of secrets (the
//! secret checks' own patterns, for reports read back from JSON where no
//! scan ran), and masks them in any string. It is applied once, where the
//! report is handed to the formats and where `diff` and `--compare` read old
//! reports, so no format and no check can forget it.

mod needs;

use crate::scan::{ContentRegex, HitFilter};
use aho_corasick::{AhoCorasick, MatchKind};
use needs::{Needs, TextChars};
use regex::Regex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The built-in pack that declares every `secrets.*` check.
const SECRETS_PACK: &str = "secrets.yaml";

/// What a masked secret reads as.
pub const MASK: &str = "[redacted]";
/// Values shorter than this are not secrets worth the false positives of
/// masking them in every string (`postgres` the default password would
/// mask `postgresql` the database).
pub const MIN_VALUE_LEN: usize = 10;
/// Fields that hold a check's own documentation, not anything read from
/// the repository. Shapes are not masked there: the built-in checks'
/// descriptions show example credentials on purpose. Known values still are.
const DOCUMENTATION_KEYS: &[&str] = &["title", "description", "remediation", "references"];

#[derive(Debug, Default, Clone)]
pub struct Redactor {
    /// Every known value, sorted: each [`Redactor::with_values`] adds to
    /// them and rebuilds the automaton.
    known: Known,
    values: Option<AhoCorasick>,
    /// Secret shapes; a `secret` group, when the pattern has one, is what is
    /// masked, else the whole match.
    shapes: Option<Arc<Shapes>>,
    /// Names the built-in catalogue gives (check ids, their packs' names,
    /// category names), never a repository's text: shapes are not tried on them (known values
    /// still are). A report holds each many times, and `secrets` or
    /// `secrets.env-file` hold the literals of a dozen shapes, which were
    /// then compiled for nothing.
    names: Option<Arc<std::collections::HashSet<String>>>,
}

/// The values a redactor masks. `Debug` prints only how many there are.
#[derive(Default, Clone)]
struct Known(Vec<String>);

impl std::fmt::Debug for Known {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Known({} values)", self.0.len())
    }
}

/// Secret shapes, compiled only when a string holds one of a shape's
/// literals: most reports quote nothing secret-looking, and compiling every
/// secret pattern (or one set of them all, which then runs the slowest
/// engine over every string) was most of an audit's fixed cost.
#[derive(Debug)]
struct Shapes {
    sources: Vec<String>,
    /// The value tests of each shape's check (allow lists, length,
    /// entropy): a match its check would not report is not a secret. Without
    /// them the generic patterns masked a report's own wording, the
    /// variable in "password: `CONFIG_SERVICE_PASSWORD`".
    filters: Vec<Option<Arc<HitFilter>>>,
    /// Each pattern as compiled on first use; `None` when it does not
    /// compile as a text regex (then it masks nothing).
    compiled: Vec<OnceLock<Option<Regex>>>,
    /// Each pattern compiled for ASCII strings, most of a report's: the
    /// same matches, compiled without Unicode classes for a fraction of
    /// the cost (see `compile_content_regex` in `src/scan/plan.rs`); `None` when it
    /// needs Unicode to compile (then the Unicode form is used). Taken from
    /// the scan's cache: the secret checks' patterns are the scan's, so a
    /// shape the scan compiled for an ASCII file is not compiled again.
    /// (With Unicode off, the scan's rewriting of `\b` as an ASCII
    /// boundary changes nothing, and the size limits are the same.)
    ascii: Vec<OnceLock<Option<ContentRegex>>>,
    /// Each pattern as the scan compiles it for text that is not all ASCII
    /// (Unicode classes, ASCII word boundaries), from the scan's cache, for
    /// strings whose characters outside ASCII are none of them word
    /// characters (`—`, `…`, `→`: a report's own wording). There `\b` is
    /// the same assertion either way, so the matches are the same as
    /// [`Shapes::compiled`]'s, which would cost twice as much to compile.
    unicode: Vec<OnceLock<Option<ContentRegex>>>,
    /// Which shapes may match a string, by their required literals; `None`
    /// when no automaton could be built (then every shape is tried).
    prefilter: Option<crate::scan::Prefilter>,
    /// The characters each shape cannot match without, read the first time
    /// a string holds one of its literals: a shape is compiled only for a
    /// string that has them too (see [`needs`]).
    needs: Vec<OnceLock<Needs>>,
}

impl Shapes {
    fn new(shapes: Vec<(String, Option<Arc<HitFilter>>)>) -> Shapes {
        let (sources, filters): (Vec<String>, Vec<_>) = shapes.into_iter().unzip();
        let refs: Vec<&str> = sources.iter().map(String::as_str).collect();
        Shapes {
            prefilter: crate::scan::Prefilter::for_short_texts(&refs).ok(),
            compiled: sources.iter().map(|_| OnceLock::new()).collect(),
            ascii: sources.iter().map(|_| OnceLock::new()).collect(),
            unicode: sources.iter().map(|_| OnceLock::new()).collect(),
            needs: sources.iter().map(|_| OnceLock::new()).collect(),
            sources,
            filters,
        }
    }

    /// Shape `index` compiled to search `text`: without Unicode when the
    /// text is ASCII, with ASCII word boundaries when none of its other
    /// characters is a word character, each only while no form that reads
    /// more texts has been compiled (a shape compiled once one way is not
    /// compiled again another).
    fn regex(&self, index: usize, text: &str) -> Option<Shape<'_>> {
        if self.compiled[index].get().is_none() {
            let ascii = text.is_ascii();
            if ascii
                && self.unicode[index].get().is_none()
                && let Some(regex) = self.ascii[index]
                    .get_or_init(|| crate::scan::compile_content_regex(&self.sources[index], false))
            {
                return Some(Shape::Bytes(regex));
            }
            if (ascii
                || !text
                    .chars()
                    .any(|c| !c.is_ascii() && regex_syntax::is_word_character(c)))
                && let Some(regex) = self.unicode[index]
                    .get_or_init(|| crate::scan::compile_content_regex(&self.sources[index], true))
            {
                return Some(Shape::Bytes(regex));
            }
        }
        self.compiled[index]
            .get_or_init(|| {
                regex::RegexBuilder::new(&self.sources[index])
                    .size_limit(SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
            .map(Shape::Text)
    }

    /// Whether [`Self::regex`] finds shape `index` compiled for `text`
    /// already, here or by the scan (whose forms are taken over): its needs
    /// are then not worth reading first.
    fn ready(&self, index: usize, text: &str) -> bool {
        if self.compiled[index].get().is_some() {
            return true;
        }
        let adopt = |lock: &OnceLock<Option<ContentRegex>>, unicode: bool| {
            if lock.get().is_none()
                && let Some(found) =
                    crate::scan::compiled_content_regex(&self.sources[index], unicode)
            {
                let _ = lock.set(found);
            }
            lock.get().map(Option::is_some)
        };
        let ascii = text.is_ascii();
        if ascii && self.unicode[index].get().is_none() {
            match adopt(&self.ascii[index], false) {
                Some(true) => return true,
                Some(false) => {}
                None => return false,
            }
        }
        (ascii
            || !text
                .chars()
                .any(|c| !c.is_ascii() && regex_syntax::is_word_character(c)))
            && adopt(&self.unicode[index], true) == Some(true)
    }

    /// The shapes that match `text`, in pattern order.
    fn matching(&self, text: &str) -> Vec<usize> {
        let all: Vec<usize> = (0..self.sources.len()).collect();
        let mut candidates = vec![true; self.sources.len()];
        if let Some(prefilter) = &self.prefilter {
            let mut occurrences = Default::default();
            prefilter.candidates(text.as_bytes(), &all, &mut candidates, &mut occurrences);
        }
        let mut chars = None;
        all.into_iter()
            .filter(|i| {
                candidates[*i]
                    && (self.ready(*i, text)
                        || self.needs[*i]
                            .get_or_init(|| Needs::of(&self.sources[*i]))
                            .met_by(chars.get_or_insert_with(|| TextChars::of(text))))
                    && self.regex(*i, text).is_some_and(|r| r.is_match(text))
            })
            .collect()
    }
}

/// Regexes larger than this are left out of the shapes (the scan's limit).
const SIZE_LIMIT: usize = 1 << 22;

/// A shape compiled for one string.
#[derive(Clone, Copy)]
enum Shape<'r> {
    Text(&'r Regex),
    /// A form of the scan's, for the strings [`Shapes::regex`] says.
    Bytes(&'r ContentRegex),
}

impl Shape<'_> {
    fn is_match(self, text: &str) -> bool {
        match self {
            Shape::Text(regex) => regex.is_match(text),
            Shape::Bytes(regex) => regex.is_match(text.as_bytes()),
        }
    }

    /// Per match, in order: the `secret` group when the pattern has one
    /// and it took part, else the whole match.
    fn values(self, text: &str) -> Vec<(usize, usize)> {
        let secret = Some(crate::scan::SECRET_GROUP);
        match self {
            Shape::Text(regex) => {
                let group = regex.capture_names().position(|n| n == secret);
                regex
                    .captures_iter(text)
                    .filter_map(|c| group.and_then(|g| c.get(g)).or_else(|| c.get(0)))
                    .map(|m| (m.start(), m.end()))
                    .collect()
            }
            Shape::Bytes(regex) => {
                let group = regex.capture_names().position(|n| n == secret);
                regex.spans(text.as_bytes(), group)
            }
        }
    }
}

impl Redactor {
    /// Masks exactly these values (and nothing else).
    pub fn new<I, S>(values: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Redactor::default().with_values(values)
    }

    /// Adds values the scan saw.
    pub fn with_values<I, S>(mut self, values: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let before = self.known.0.len();
        self.known.0.extend(
            values
                .into_iter()
                .map(|v| v.as_ref().trim().to_string())
                .filter(|v| v.len() >= MIN_VALUE_LEN),
        );
        if self.known.0.len() == before {
            return self;
        }
        self.known.0.sort();
        self.known.0.dedup();
        // Leftmost-longest: a key that contains a shorter key is masked whole.
        self.values = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.known.0)
            .ok();
        self
    }

    /// Adds secret shapes: regexes such as the secret checks' content
    /// patterns. Patterns that do not compile as text regexes are left out.
    pub fn with_patterns<I, S>(self, patterns: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let shapes = patterns
            .into_iter()
            .map(|p| (p.as_ref().to_string(), None))
            .collect();
        self.with_shapes(shapes)
    }

    fn with_shapes(mut self, more: Vec<(String, Option<Arc<HitFilter>>)>) -> Redactor {
        let mut shapes: Vec<(String, Option<Arc<HitFilter>>)> = self
            .shapes
            .take()
            .map(|s| {
                s.sources
                    .iter()
                    .cloned()
                    .zip(s.filters.iter().cloned())
                    .collect()
            })
            .unwrap_or_default();
        shapes.extend(more);
        self.shapes = (!shapes.is_empty()).then(|| Arc::new(Shapes::new(shapes)));
        self
    }

    /// The shapes of every secret the built-in secret checks look for.
    /// Only the built-in ones: a repository's own `secrets.*` pack could
    /// otherwise mask the whole report.
    pub fn with_builtin_patterns(mut self) -> Redactor {
        // Shared, so a shape compiled for one report stays compiled.
        static BUILTIN: OnceLock<Option<Arc<Shapes>>> = OnceLock::new();
        if self.shapes.is_some() {
            let shapes = builtin_shapes();
            return self.with_shapes(shapes);
        }
        self.shapes = BUILTIN
            .get_or_init(|| {
                let shapes = builtin_shapes();
                (!shapes.is_empty()).then(|| Arc::new(Shapes::new(shapes)))
            })
            .clone();
        self
    }

    /// [`Redactor::with_builtin_patterns`] for an audit that has loaded
    /// the catalogue already: the shapes are planned from its built-in
    /// `secrets.*` checks (whatever the configuration enables) rather than
    /// from the secrets pack parsed a second time.
    pub fn with_builtin_patterns_of(mut self, catalog: &crate::pack::Catalog) -> Redactor {
        let names = catalog
            .checks()
            .iter()
            .filter(|c| c.source.origin == crate::check::Origin::Builtin)
            .flat_map(|c| [c.id.clone(), c.source.name.clone()])
            .chain(
                crate::model::Category::ALL
                    .iter()
                    .map(|c| c.id().to_string()),
            )
            .collect();
        self.names = Some(Arc::new(names));
        let shapes = builtin_shapes_of(catalog);
        if self.shapes.is_some() {
            return self.with_shapes(shapes);
        }
        self.shapes = (!shapes.is_empty()).then(|| Arc::new(Shapes::new(shapes)));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_none() && self.shapes.is_none()
    }

    /// `text` with every known secret masked.
    pub fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.mask_as(text, true)
    }

    fn mask_as<'t>(&self, text: &'t str, shapes: bool) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        if let Some(values) = &self.values
            && let Cow::Owned(masked) = mask_values(values, &text)
        {
            text = Cow::Owned(masked);
        }
        let Some(shapes) = self.shapes.as_ref().filter(|_| shapes) else {
            return text;
        };
        if self
            .names
            .as_ref()
            .is_some_and(|n| n.contains(text.as_ref()))
        {
            return text;
        }
        // Which shapes match is decided on the text as it was, then each
        // masks in turn.
        for index in shapes.matching(&text) {
            let Some(regex) = shapes.regex(index, &text) else {
                continue;
            };
            let masked = mask_pattern(regex, shapes.filters[index].as_deref(), &text);
            if let Cow::Owned(masked) = masked {
                text = Cow::Owned(masked);
            }
        }
        text
    }

    /// `value` with every string in it (map keys included) masked. Works on
    /// any type that round-trips through serde, so fields added to a report
    /// later are covered without anyone remembering to.
    pub fn apply<T: Serialize + DeserializeOwned + Clone>(&self, value: &T) -> T {
        if self.is_empty() {
            return value.clone();
        }
        let Ok(mut tree) = serde_json::to_value(value) else {
            return value.clone();
        };
        if let Some(shapes) = &self.shapes {
            // The shapes the non-ASCII strings need are compiled with
            // Unicode first, so that the ASCII strings use those too rather
            // than compiling the same shapes a second time without.
            let mut texts = Vec::new();
            non_ascii_strings(&tree, None, &mut texts);
            texts.retain(|text| !self.names.as_ref().is_some_and(|n| n.contains(*text)));
            texts.sort_unstable();
            texts.dedup();
            crate::parallel::in_parallel(&texts, 0, |text| {
                shapes.matching(text);
            });
        }
        // Each distinct string is masked once, on every core: the report is
        // masked after the walk, alone, when the other cores have nothing
        // to do, and its strings repeat (paths, messages). A string this
        // pass did not see is masked as it is met.
        let mut texts = Vec::new();
        all_strings(&tree, None, &mut texts);
        texts.sort_unstable();
        texts.dedup();
        let masked = crate::parallel::in_parallel(&texts, 0, |(shapes, text)| {
            match self.mask_as(text, *shapes) {
                Cow::Owned(masked) => Some(masked),
                Cow::Borrowed(_) => None,
            }
        });
        let masked: HashMap<(bool, String), Option<String>> = texts
            .into_iter()
            .map(|(shapes, text)| (shapes, text.to_string()))
            .zip(masked)
            .collect();
        rewrite(&mut tree, None, &|key, s| {
            let shapes = key.is_none_or(|k| !DOCUMENTATION_KEYS.contains(&k));
            match masked.get(&(shapes, s.to_string())) {
                Some(Some(masked)) => Cow::Owned(masked.clone()),
                Some(None) => Cow::Borrowed(s),
                None => self.mask_as(s, shapes),
            }
        });
        serde_json::from_value(tree).unwrap_or_else(|_| value.clone())
    }
}

/// The secret checks' content patterns with their value tests, from the
/// built-in packs only.
fn builtin_shapes() -> Vec<(String, Option<Arc<HitFilter>>)> {
    // Only the secrets pack: loading every pack again for it was a tenth of
    // an audit's fixed cost (a test checks no other pack has `secrets.*`).
    let catalog = crate::pack::Catalog::builtin_pack(SECRETS_PACK).unwrap_or_default();
    builtin_shapes_of(&catalog)
}

/// The content patterns of the built-in `secrets.*` checks of `catalog`
/// with their value tests. Only the built-in ones: a repository's own
/// `secrets.*` pack could otherwise mask the whole report.
fn builtin_shapes_of(catalog: &crate::pack::Catalog) -> Vec<(String, Option<Arc<HitFilter>>)> {
    let secrets = catalog.checks().iter().filter(|c| {
        c.source.origin == crate::check::Origin::Builtin && c.id.starts_with("secrets.")
    });
    crate::pack::filtered_patterns_of(secrets)
        .into_iter()
        .filter(|(id, _, _)| id.starts_with("secrets."))
        .map(|(_, regex, filter)| (regex, filter))
        .collect()
}

/// Masks whole occurrences of known values: a value inside a longer word
/// (`postgres` in `postgresql`) is not the secret.
fn mask_values<'t>(values: &AhoCorasick, text: &'t str) -> Cow<'t, str> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::new();
    let mut last = 0;
    for m in values.find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if word(before) || word(after) {
            continue;
        }
        out.push_str(&text[last..m.start()]);
        out.push_str(MASK);
        last = m.end();
    }
    if last == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

fn mask_pattern<'t>(regex: Shape<'_>, filter: Option<&HitFilter>, text: &'t str) -> Cow<'t, str> {
    let mut out = String::new();
    let mut last = 0;
    for (start, end) in regex.values(text) {
        let value = &text[start..end];
        if value.len() < MIN_VALUE_LEN
            || start < last
            || filter.is_some_and(|f| !f.accepts(value.as_bytes()))
        {
            continue;
        }
        out.push_str(&text[last..start]);
        out.push_str(MASK);
        last = end;
    }
    if last == 0 && out.is_empty() {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// `value` with `f` applied to every string in it, map keys included, by a
/// round trip through `serde_json::Value` (no text, so numbers stay exact).
/// A value that does not survive the round trip is returned unchanged.
pub fn rewrite_strings<T, F>(value: &T, f: F) -> T
where
    T: Serialize + DeserializeOwned + Clone,
    F: Fn(&str) -> Cow<'_, str>,
{
    let Ok(mut tree) = serde_json::to_value(value) else {
        return value.clone();
    };
    rewrite(&mut tree, None, &|_, s| f(s));
    serde_json::from_value(tree).unwrap_or_else(|_| value.clone())
}

/// The strings under `value`, map keys included, each with whether its
/// shapes are masked (see [`DOCUMENTATION_KEYS`]), as [`rewrite`] meets
/// them.
fn all_strings<'v>(
    value: &'v serde_json::Value,
    key: Option<&str>,
    out: &mut Vec<(bool, &'v str)>,
) {
    use serde_json::Value;
    match value {
        Value::String(s) => out.push((key.is_none_or(|k| !DOCUMENTATION_KEYS.contains(&k)), s)),
        Value::Array(items) => items.iter().for_each(|v| all_strings(v, key, out)),
        Value::Object(map) => {
            for (name, v) in map {
                all_strings(v, Some(name), out);
                out.push((true, name));
            }
        }
        _ => {}
    }
}

/// The strings under `value` (map keys included) that are not all ASCII
/// and whose shapes are masked (see [`DOCUMENTATION_KEYS`]).
fn non_ascii_strings<'v>(value: &'v serde_json::Value, key: Option<&str>, out: &mut Vec<&'v str>) {
    use serde_json::Value;
    match value {
        Value::String(s)
            if !s.is_ascii() && key.is_none_or(|k| !DOCUMENTATION_KEYS.contains(&k)) =>
        {
            out.push(s)
        }
        Value::Array(items) => items.iter().for_each(|v| non_ascii_strings(v, key, out)),
        Value::Object(map) => {
            for (name, v) in map {
                if !name.is_ascii() {
                    out.push(name);
                }
                non_ascii_strings(v, Some(name), out);
            }
        }
        _ => {}
    }
}

/// Applies `f` to every string under `value`, telling it the key of the
/// object field the string is in (for items of a list, the list's key).
fn rewrite<F>(value: &mut serde_json::Value, key: Option<&str>, f: &F)
where
    F: for<'s> Fn(Option<&str>, &'s str) -> Cow<'s, str>,
{
    use serde_json::Value;
    match value {
        Value::String(s) => {
            if let Cow::Owned(new) = f(key, s) {
                *s = new;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, key, f)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (name, mut v) in entries {
                rewrite(&mut v, Some(&name), f);
                map.insert(f(None, &name).into_owned(), v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_known_values_anywhere_in_a_string() {
        let r = Redactor::new(["sk_live_4eC39HqLyjWDarjtT1zdp7dc", "short", "postgres"]);
        assert_eq!(
            r.mask("DROP TABLE keys; -- old key sk_live_4eC39HqLyjWDarjtT1zdp7dc gone"),
            "DROP TABLE keys; -- old key [redacted] gone"
        );
        // Too short to be worth masking everywhere.
        assert_eq!(r.mask("short postgres"), "short postgres");
        // Only whole occurrences.
        let r = Redactor::new(["hunter2hunter2"]);
        assert_eq!(r.mask("pw=hunter2hunter2;"), "pw=[redacted];");
        assert_eq!(r.mask("xhunter2hunter2"), "xhunter2hunter2");
        assert!(matches!(r.mask("nothing here"), Cow::Borrowed(_)));
        // Values added later add to the first ones.
        let r = Redactor::new(["hunter2hunter2"]).with_values(["correcthorse99"]);
        assert_eq!(
            r.mask("hunter2hunter2 correcthorse99"),
            "[redacted] [redacted]"
        );
        assert!(!format!("{r:?}").contains("hunter2"));
    }

    #[test]
    fn masks_shapes_by_their_secret_group() {
        let r = Redactor::default()
            .with_patterns([r"\bghp_[A-Za-z0-9]{36}\b", r"password=(?P<secret>\S+)"]);
        let token = format!("ghp_{}", "a1B2".repeat(9));
        assert_eq!(
            r.mask(&format!("FROM registry.example/{token}:1")),
            "FROM registry.example/[redacted]:1"
        );
        assert_eq!(
            r.mask("url?password=hunter2hunter2 ok"),
            "url?password=[redacted] ok"
        );
    }

    /// ASCII strings are searched by shapes compiled without Unicode; the
    /// others still match what Unicode classes match.
    #[test]
    fn shapes_mask_ascii_and_unicode_strings_alike() {
        let r = Redactor::default().with_patterns([r"(?i)kelvin\s*(?P<secret>\w{10,})"]);
        assert_eq!(r.mask("KELVIN abcdefghij0"), "KELVIN [redacted]");
        assert_eq!(
            r.mask("\u{212A}ELVIN\u{a0}\u{e9}bcdefghij0 \u{2014}"),
            "\u{212A}ELVIN\u{a0}[redacted] \u{2014}"
        );
    }

    /// A string whose characters outside ASCII are no word characters
    /// (a report's own `—` and `…`) is searched by the scan's Unicode form,
    /// whose ASCII `\b` then says the same; one with a letter outside
    /// ASCII keeps the Unicode `\b`, for which `é` is part of the word.
    #[test]
    fn unicode_strings_keep_unicode_word_boundaries() {
        let r = Redactor::default().with_patterns([r"\bghp_[A-Za-z0-9]{36}\b"]);
        let token = format!("ghp_{}", "a1B2".repeat(9));
        assert_eq!(
            r.mask(&format!("image — {token} …")),
            "image — [redacted] …"
        );
        let glued = format!("caf\u{e9}{token}");
        assert_eq!(r.mask(&glued), glued);
        assert_eq!(
            r.mask(&format!("caf\u{e9} {token}")),
            "caf\u{e9} [redacted]"
        );
    }

    /// A shape the scan compiled for a text's form is taken over without
    /// reading its needs; one it did not is compiled only when the text
    /// meets them, and masks the same either way.
    #[test]
    fn shapes_reuse_what_the_scan_compiled() {
        // Patterns of this test alone: the scan's cache is the process's.
        let compiled = r"reuse_test_key\s*=\s*(?P<secret>[a-z0-9]{12,})";
        let fresh = r"fresh_test_key\s*=\s*(?P<secret>[a-z0-9]{12,})";
        assert!(crate::scan::compile_content_regex(compiled, false).is_some());
        let r = Redactor::default().with_patterns([compiled, fresh]);
        let shapes = r.shapes.as_ref().unwrap();
        assert!(shapes.ready(0, "reuse_test_key = abcdefabcdef12"));
        assert!(!shapes.ready(1, "fresh_test_key = abcdefabcdef12"));
        assert_eq!(
            r.mask("reuse_test_key = abcdefabcdef12"),
            "reuse_test_key = [redacted]"
        );
        assert!(shapes.needs[0].get().is_none());
        // The keyword without `=`: ruled out by its needs, never compiled.
        assert_eq!(r.mask("fresh_test_key only"), "fresh_test_key only");
        assert!(shapes.needs[1].get().is_some());
        assert!(shapes.ascii[1].get().is_none());
        assert!(crate::scan::compiled_content_regex(fresh, false).is_none());
        assert_eq!(
            r.mask("fresh_test_key = abcdefabcdef12"),
            "fresh_test_key = [redacted]"
        );
    }

    /// The built-in catalogue's own names are not searched for shapes;
    /// anything else still is.
    #[test]
    fn catalogue_names_are_not_searched_for_shapes() {
        let catalog = crate::pack::Catalog::builtin().unwrap();
        let r = Redactor::default()
            .with_builtin_patterns_of(&catalog)
            .with_patterns([r"(?P<secret>secrets\.[a-z-]{10,})"]);
        assert_eq!(
            r.mask("secrets.generic-high-entropy"),
            "secrets.generic-high-entropy"
        );
        assert_eq!(r.mask("builtin:secrets.yaml"), "builtin:secrets.yaml");
        assert_eq!(r.mask("see secrets.generic-high-entropy"), "see [redacted]");
        let token = format!("ghp_{}", "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVc");
        assert!(!r.mask(&format!("x {token}")).contains(&token));
    }

    #[test]
    fn every_builtin_secret_check_is_in_the_secrets_pack() {
        let all = crate::pack::Catalog::builtin().unwrap();
        let secrets: Vec<String> = crate::pack::content_patterns(&all)
            .into_iter()
            .filter(|(id, _)| id.starts_with("secrets."))
            .map(|(_, regex)| regex)
            .collect();
        assert!(!secrets.is_empty());
        let shapes: Vec<String> = builtin_shapes().into_iter().map(|(r, _)| r).collect();
        assert_eq!(shapes, secrets);
        // An audit takes them from the catalogue it loaded: the same.
        let of_all: Vec<String> = builtin_shapes_of(&all)
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(of_all, secrets);
    }

    #[test]
    fn builtin_shapes_cover_common_tokens() {
        let r = Redactor::default().with_builtin_patterns();
        let token = format!("ghp_{}", "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVc");
        let line = format!("image registry.example/{token}:latest");
        let masked = r.mask(&line);
        assert!(!masked.contains(&token), "{masked}");
    }

    #[test]
    fn builtin_shapes_mask_values_not_the_names_findings_give() {
        let r = Redactor::default().with_builtin_patterns();
        // A finding's wording "password: `NAME`" has the shape of an
        // assignment; the name is what the check refuses as a value (no
        // digit: a word, not a key).
        let named = "well-known default password: `CONFIG_SERVICE_PASSWORD`: well-known default";
        assert_eq!(r.mask(named), named);
        let value = "Xk29fjQ8vLmT3pZr7Wq1aB";
        let line = format!("password: `{value}`");
        let masked = r.mask(&line);
        assert!(
            masked.starts_with("password: ") && !masked.contains(value),
            "{masked}"
        );
    }

    #[test]
    fn apply_reaches_nested_strings_and_keys() {
        #[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
        struct Inner {
            text: String,
            n: f64,
            map: std::collections::BTreeMap<String, Vec<String>>,
        }
        let secret = "AKIAZ7Q3TESTVALUE123";
        let value = Inner {
            text: format!("x {secret}"),
            n: 0.1 + 0.2,
            map: [(secret.to_string(), vec![format!("[{secret}]")])].into(),
        };
        let out = Redactor::new([secret]).apply(&value);
        assert_eq!(out.text, "x [redacted]");
        assert_eq!(out.n, 0.1 + 0.2);
        assert_eq!(out.map.keys().next().unwrap(), MASK);
        assert_eq!(out.map[MASK], vec!["[[redacted]]".to_string()]);
    }

    /// Strings are masked once each, ahead and on every core, as they would
    /// be one by one where they stand: the same string under a
    /// documentation key keeps its shapes, elsewhere (a value, a map key)
    /// loses them, and a repeated string is masked everywhere it occurs.
    #[test]
    fn apply_masks_each_string_as_where_it_stands() {
        let token = format!("ghp_{}", "a1B2".repeat(9));
        let line = format!("FROM registry.example/{token}:1");
        let value = serde_json::json!({
            "title": line,
            "message": line,
            "checks": [{"description": line, "evidence": [line, "plain", line]}],
            "by_line": {(line.clone()): "known-value-1234 stays?", "plain": "x known-value-1234"},
            "unicode": format!("caf\u{e9} {token} \u{2014}"),
        });
        let r = Redactor::new(["known-value-1234"]).with_patterns([r"\bghp_[A-Za-z0-9]{36}\b"]);
        let mut expected = value.clone();
        rewrite(&mut expected, None, &|key, s| {
            r.mask_as(s, key.is_none_or(|k| !DOCUMENTATION_KEYS.contains(&k)))
        });
        let masked = r.apply(&value);
        assert_eq!(masked, expected);
        assert_eq!(masked["title"], serde_json::json!(line));
        assert_eq!(
            masked["message"],
            serde_json::json!("FROM registry.example/[redacted]:1")
        );
        assert_eq!(masked["checks"][0]["description"], serde_json::json!(line));
        assert_eq!(masked["checks"][0]["evidence"][2], masked["message"]);
        assert!(
            masked["by_line"]
                .get("FROM registry.example/[redacted]:1")
                .is_some()
        );
        assert_eq!(
            masked["by_line"]["plain"],
            serde_json::json!("x [redacted]")
        );
        assert_eq!(
            masked["unicode"],
            serde_json::json!("caf\u{e9} [redacted] \u{2014}")
        );
    }
}
