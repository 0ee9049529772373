//! The scan's literal automaton built ahead, on its own thread, while the
//! packs are parsed and the plan is made.
//!
//! Building aho-corasick's DFA of ~1,650 literals was two fifths of an
//! empty audit's instructions (about 200 M; the DFA of `literal_dfa.rs`
//! takes about 20 M), and the walk needs it for its first file, so it used
//! to run after everything else of the fixed cost, alone on one core. Its literals are nearly always those of the built-in
//! patterns, which the precomputed table (`literal_table.rs`) lists before
//! any pack is read: [`start`] builds the automaton of all of them at
//! once, and the plan takes it ([`take`]) when every literal it needs is
//! in it. The automaton's extra literals (those of opt-in or disabled
//! checks) are found and belong to no pattern, which changes no pattern's
//! candidates or lines; a plan with a literal the table lacks (a user's
//! pattern, a built-in one edited since the table was made) builds its
//! own automaton as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::thread::JoinHandle;

/// The automaton of every built-in literal, with each literal's id in it.
#[derive(Debug)]
pub(super) struct Prebuilt {
    pub(super) automaton: Arc<super::prefilter::Literals>,
    pub(super) ids: HashMap<Vec<u8>, usize>,
}

type Building = Mutex<Option<JoinHandle<Option<Arc<Prebuilt>>>>>;

fn building() -> &'static Building {
    static BUILDING: OnceLock<Building> = OnceLock::new();
    BUILDING.get_or_init(Default::default)
}

/// The automaton once built, for the plans made while one holds it. Weak:
/// the plan that takes it owns it, and the automaton (a tenth of a
/// monorepo audit's peak heap) goes when that plan is dropped after the
/// walk, instead of living in a static to the end of the process.
fn built() -> &'static Mutex<Weak<Prebuilt>> {
    static BUILT: OnceLock<Mutex<Weak<Prebuilt>>> = OnceLock::new();
    BUILT.get_or_init(Default::default)
}

/// Starts building the automaton of the built-in literals on a thread of
/// its own (once per process while one is built or held; later calls do
/// nothing). For a command that is about to plan a scan: the automaton is
/// of use to nothing else.
pub fn start() {
    let mut building = building().lock().unwrap_or_else(|e| e.into_inner());
    let held = built()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .strong_count()
        > 0;
    if building.is_some() || held {
        return;
    }
    *building = std::thread::Builder::new()
        .name("readyctl-automaton".into())
        .spawn(|| build().map(Arc::new))
        .ok();
}

/// The automaton [`start`] built, waiting for it if need be; `None` when
/// none was started, it could not be built, or the plans that took it
/// have all been dropped since.
pub(super) fn take() -> Option<Arc<Prebuilt>> {
    let mut building = building().lock().unwrap_or_else(|e| e.into_inner());
    let mut built = built().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(held) = built.upgrade() {
        return Some(held);
    }
    let handle = building.take()?;
    let joined = handle.join().ok().flatten();
    if let Some(prebuilt) = &joined {
        *built = Arc::downgrade(prebuilt);
    }
    joined
}

fn build() -> Option<Prebuilt> {
    let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut literals: Vec<Vec<u8>> = Vec::new();
    for entry in super::literal_table::ANALYSES {
        let Some(set) = entry.literals else {
            continue;
        };
        let set = set.iter().map(|literal| literal.to_vec()).collect();
        for literal in super::prefilter::without_longer(set) {
            ids.entry(literal.clone()).or_insert_with(|| {
                literals.push(literal);
                literals.len() - 1
            });
        }
    }
    let automaton = Arc::new(super::prefilter::scan_automaton(&literals).ok()?);
    Some(Prebuilt { automaton, ids })
}

#[cfg(test)]
mod tests {
    use super::super::prefilter::{Occurrences, Prefilter};

    /// The plan's prefilter over the automaton built ahead says what its
    /// own automaton says: the same candidates, the same lines.
    #[test]
    fn the_automaton_built_ahead_finds_what_the_plans_own_does() {
        let catalog = crate::pack::Catalog::builtin().unwrap();
        let patterns: Vec<String> = crate::pack::content_patterns(&catalog)
            .into_iter()
            .map(|(_, regex)| regex)
            .chain(crate::engine::fact_patterns())
            .collect();
        // Not all of them, as when checks are disabled: the automaton's
        // other literals then belong to no pattern.
        let refs: Vec<&str> = patterns.iter().skip(40).map(String::as_str).collect();
        // Before `start`: the plan builds its own.
        let own = Prefilter::new(&refs).unwrap();
        super::start();
        let built = super::take().expect("built ahead");
        // While it is held, a plan takes the same one.
        let ahead = Prefilter::new(&refs).unwrap();
        assert_eq!(
            ahead.literal_count(),
            built.ids.len(),
            "not the one built ahead"
        );
        assert!(own.literal_count() < built.ids.len());
        // A literal the table lacks: the plan builds its own again.
        let other = Prefilter::new(&["zqxj_not_a_builtin_literal\\d+"]).unwrap();
        assert_eq!(other.literal_count(), 1);

        let texts = [
            "api_key = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"\nDATABASE_URL=postgres://u:p@db/x\n",
            "import os\npassword = os.getenv('DB_PASSWORD', 'changeme')\n\n  secret: abc\n",
            "FROM node:20\nUSER root\nHEALTHCHECK CMD curl -f http://localhost/health\n",
            "{\"dependencies\": {\"pino\": \"^8\", \"express\": \"4\", \"helmet\": \"7\"}}\n",
        ];
        let all: Vec<usize> = (0..refs.len()).collect();
        for text in texts {
            let found = |prefilter: &Prefilter| {
                let (mut candidates, mut occurrences) = (Vec::new(), Occurrences::default());
                prefilter.candidates(text.as_bytes(), &all, &mut candidates, &mut occurrences);
                let mut lines = Vec::new();
                let per_pattern: Vec<_> = all
                    .iter()
                    .filter(|p| candidates[**p])
                    .map(|p| {
                        let mode =
                            prefilter.lines(*p, text.as_bytes(), &mut occurrences, &mut lines);
                        (*p, mode, lines.clone())
                    })
                    .collect();
                per_pattern
            };
            let (own, ahead) = (found(&own), found(&ahead));
            assert!(!own.is_empty(), "{text}");
            assert_eq!(own, ahead, "{text}");
        }
        // Once no plan holds it, it is gone: not kept for the process.
        let weak = std::sync::Arc::downgrade(&built.automaton);
        drop((built, ahead));
        assert!(weak.upgrade().is_none(), "still held");
        assert!(super::take().is_none());
    }
}
