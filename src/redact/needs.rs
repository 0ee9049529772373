//! The characters a secret shape cannot match without.
//!
//! The masking compiles a shape only for strings that hold one of its
//! literals, and a report's own wording holds many: "GitHub personal access
//! token added in commit … — rotate it" has the keyword of every
//! `token = "…"` shape, but none of the `=`, `:` or quotes an assignment
//! needs. Compiling such a shape to learn that it does not match (its
//! Unicode form, for a string with a `—`) was 6% of a history audit's
//! instructions. A shape's pattern is a sequence of parts that each match
//! at least one character of a known set (a literal's characters, a class,
//! a group repeated at least once); when a string holds no character of one
//! of those sets, no form of the shape can match it (the forms differ in
//! word boundaries, which are assertions, and in classes past ASCII, which
//! the sets take as widely as Unicode could make them).

use regex_syntax::hir::{Class, Hir, HirKind};

/// Sets of characters of which a match holds at least one each; none when
/// the pattern does not parse (then nothing is ruled out).
#[derive(Debug, Default)]
pub(super) struct Needs(Vec<CharSet>);

/// A set of characters: its ASCII members exactly, the others roughly.
#[derive(Debug, Clone, Copy, Default)]
struct CharSet {
    ascii: u128,
    other: Other,
}

/// Which characters past ASCII a [`CharSet`] may hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Other {
    /// None: ASCII punctuation, say.
    #[default]
    None,
    /// Word characters and white space: what `\w`, `\s`, `\d` and
    /// case-insensitive letters (`k` and the Kelvin sign) may add.
    WordOrSpace,
    /// Any (a negated class, `.`, a literal character past ASCII).
    Any,
}

/// The characters a string holds, for [`Needs::met_by`].
pub(super) struct TextChars {
    ascii: u128,
    /// Whether it has a character past ASCII at all (a `—`), and a word or
    /// space character past ASCII (an `é`, a no-break space).
    past_ascii: bool,
    word_or_space: bool,
}

impl TextChars {
    pub(super) fn of(text: &str) -> TextChars {
        let mut ascii = 0u128;
        for byte in text.bytes().filter(u8::is_ascii) {
            ascii |= 1 << byte;
        }
        let past_ascii = !text.is_ascii();
        let word_or_space = past_ascii
            && text.chars().any(|c| {
                !c.is_ascii() && (regex_syntax::is_word_character(c) || c.is_whitespace())
            });
        TextChars {
            ascii,
            past_ascii,
            word_or_space,
        }
    }
}

impl Needs {
    /// The sets of `pattern`, read without Unicode (which is cheap: no
    /// Unicode class is built) and widened past ASCII as Unicode could:
    /// a class with a letter, digit, `_` or white space may then also
    /// match any word or space character, and a negated one anything.
    pub(super) fn of(pattern: &str) -> Needs {
        let Ok(hir) = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
        else {
            return Needs::default();
        };
        let mut sets = Vec::new();
        required(&hir, &mut sets);
        Needs(sets)
    }

    /// Whether `text` holds a character of every set (whether the shape may
    /// match it).
    pub(super) fn met_by(&self, text: &TextChars) -> bool {
        self.0.iter().all(|set| {
            set.ascii & text.ascii != 0
                || match set.other {
                    Other::None => false,
                    Other::WordOrSpace => text.word_or_space,
                    Other::Any => text.past_ascii,
                }
        })
    }
}

impl CharSet {
    /// The set of the bytes `start..=end` (a byte past ASCII being part of
    /// any character past ASCII).
    fn add_bytes(&mut self, start: u8, end: u8) {
        for byte in start..=end.min(0x7f) {
            self.ascii |= 1 << byte;
            if byte.is_ascii_alphanumeric()
                || byte == b'_'
                || byte.is_ascii_whitespace()
                || byte == 0x0b
            {
                self.other = self.other.max(Other::WordOrSpace);
            }
        }
        if end >= 0x80 {
            self.other = Other::Any;
        }
    }

    fn union(mut self, other: CharSet) -> CharSet {
        self.ascii |= other.ascii;
        self.other = self.other.max(other.other);
        self
    }
}

/// Adds to `out` the sets of `hir`'s parts that every match holds.
fn required(hir: &Hir, out: &mut Vec<CharSet>) {
    match hir.kind() {
        HirKind::Literal(literal) => out.extend(literal.0.iter().map(|&byte| {
            let mut set = CharSet::default();
            set.add_bytes(byte, byte);
            set
        })),
        HirKind::Class(Class::Bytes(class)) => {
            let mut set = CharSet::default();
            for range in class.ranges() {
                set.add_bytes(range.start(), range.end());
            }
            // Empty without Unicode (`[\w--[a-zA-Z0-9_]]`), it may hold
            // characters past ASCII with it.
            if class.ranges().is_empty() {
                set.other = Other::Any;
            }
            out.push(set);
        }
        // A `(?u)` part: its class is Unicode's.
        HirKind::Class(Class::Unicode(class)) => {
            let mut set = CharSet::default();
            for range in class.ranges() {
                let (start, end) = (u32::from(range.start()), u32::from(range.end()));
                if start < 0x80 {
                    set.add_bytes(start as u8, end.min(0x7f) as u8);
                }
                if end >= 0x80 {
                    set.other = Other::Any;
                }
            }
            out.push(set);
        }
        HirKind::Capture(capture) => required(&capture.sub, out),
        HirKind::Repetition(repetition) if repetition.min >= 1 => required(&repetition.sub, out),
        HirKind::Concat(parts) => parts.iter().for_each(|part| required(part, out)),
        // One branch matches: a character of the first set of each branch,
        // unless some branch needs none.
        HirKind::Alternation(branches) => {
            let mut union = Some(CharSet::default());
            for branch in branches {
                let mut sets = Vec::new();
                required(branch, &mut sets);
                union = match (union, sets.first()) {
                    (Some(union), Some(first)) => Some(union.union(*first)),
                    _ => None,
                };
            }
            out.extend(union);
        }
        // Assertions, the empty match, and parts that may match nothing.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn may_match(pattern: &str, text: &str) -> bool {
        Needs::of(pattern).met_by(&TextChars::of(text))
    }

    #[test]
    fn a_string_without_a_needed_character_is_ruled_out() {
        let assignment =
            r#"(?i)\b(?P<key>[a-z_]*token)\s*[:=]\s*["'](?P<secret>[A-Za-z0-9]{20,})["']"#;
        // The keyword, but neither `:`/`=` nor a quote.
        assert!(!may_match(
            assignment,
            "GitHub token added in commit 0123abcd — rotate it"
        ));
        assert!(!may_match(assignment, "token: none"));
        assert!(may_match(assignment, "token: 'none'"));
        // `${` is needed whole, each of its characters.
        assert!(!may_match(r"\$\{(?P<key>\w*token)\}", "token}"));
        assert!(may_match(r"\$\{(?P<key>\w*token)\}", "${token}"));
    }

    #[test]
    fn optional_parts_and_assertions_need_nothing() {
        assert!(may_match(r"(?m)^\s*(?:export\s+)?x?\b", ""));
        assert!(may_match(r"a*(?:b|c?)", ""));
        assert!(!may_match(r"a+(?:b|c)", "a"));
        assert!(may_match(r"a+(?:b|c)", "ac"));
        // Every branch must need something for the alternation to.
        assert!(may_match(r"(?:key-x|[0-9]*)", "nothing"));
        // A pattern that does not parse rules nothing out.
        assert!(may_match(r"(unclosed", ""));
    }

    /// Classes past ASCII are taken as widely as Unicode makes them: a
    /// word or space character meets `\w`, `\s` and case-insensitive
    /// letters, any character a negated class; a `—` meets only the
    /// latter.
    #[test]
    fn characters_past_ascii_meet_what_unicode_classes_may_hold() {
        assert!(may_match(r":\w", ":\u{e9}"));
        assert!(!may_match(r":\w", ":\u{2014}"));
        assert!(may_match(r":\s", ":\u{a0}"));
        assert!(!may_match(r":\s", ":x"));
        assert!(may_match(r"(?i):k", ":\u{212A}"));
        assert!(!may_match(r"(?i):k", ":\u{2014}"));
        assert!(may_match(r":[^:]", ":\u{2014}"));
        assert!(!may_match(r":[^:]", "::"));
        assert!(may_match(r":.", ":\u{2014}"));
        assert!(may_match(r"(?-u::\xFF)", ":\u{e9}"));
        assert!(!may_match(r"(?-u::\xFF)", ":e"));
        assert!(may_match(":\u{e9}", ":\u{2014}"));
        assert!(!may_match(":\u{e9}", ":e"));
        // Empty without Unicode, not with it.
        assert!(may_match(r":[\w--[a-zA-Z0-9_]]", ":\u{e9}"));
    }

    /// Over every line of the secrets zoo, alone and among non-ASCII
    /// wording, every built-in shape that matches a line is one whose
    /// needs the line meets.
    #[test]
    fn builtin_shapes_match_only_what_meets_their_needs() {
        let shapes: Vec<String> = super::super::builtin_shapes()
            .into_iter()
            .map(|(regex, _)| regex)
            .collect();
        let mut lines = Vec::new();
        let mut dirs =
            vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/secrets-zoo")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    lines.extend(text.lines().map(str::to_string));
                }
            }
        }
        let decorated: Vec<String> = lines
            .iter()
            .flat_map(|l| {
                [
                    format!("{l} \u{2014} caf\u{e9}"),
                    format!("\u{2026}{l}\u{a0}"),
                ]
            })
            .collect();
        lines.extend(decorated);
        let mut matched = 0;
        for shape in &shapes {
            let regex = regex::Regex::new(shape).unwrap();
            let needs = Needs::of(shape);
            assert!(!needs.0.is_empty(), "{shape}");
            for line in &lines {
                if regex.is_match(line) {
                    matched += 1;
                    assert!(needs.met_by(&TextChars::of(line)), "{shape} on {line}");
                }
            }
        }
        assert!(matched > 100, "{matched}");
    }
}
