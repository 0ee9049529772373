//! Whether a content pattern's match starts at the start of a text: the
//! question [`super::plan::ScanPlan::starts_on_line`] asks of each line a
//! pattern's literals are on.
//!
//! A whole `regex::bytes::Regex` was compiled for it: a forward NFA with
//! capture groups, a reverse NFA, literal prefilters and a one-pass DFA,
//! none of which an anchored yes-or-no question uses, so compiling it was
//! most of its cost (a third of the instructions of a mid-sized repository
//! went to compiling regexes the first time a file needed them). A lazy
//! DFA over a forward NFA without groups answers the same question.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use std::sync::Arc;

type CachePool = Pool<Cache, Box<dyn Fn() -> Cache + Send + Sync + std::panic::RefUnwindSafe + std::panic::UnwindSafe>>;

/// A regex asked only whether it matches at the start of a text.
pub(crate) struct Starts {
    dfa: Arc<DFA>,
    caches: CachePool,
}

impl std::fmt::Debug for Starts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Starts")
    }
}

impl Starts {
    /// `regex` (its word boundaries already made ASCII), as
    /// `regex::bytes::RegexBuilder` would read it with Unicode on or off
    /// and the same size limit. `None` when the lazy DFA cannot be built
    /// (a Unicode word boundary, a pattern too large): then the caller
    /// compiles a whole regex as before.
    pub(crate) fn new(regex: &str, unicode: bool, size_limit: usize) -> Option<Starts> {
        let dfa = DFA::builder()
            .syntax(syntax::Config::new().unicode(unicode).utf8(false))
            .thompson(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(thompson::WhichCaptures::None)
                    .nfa_size_limit(Some(size_limit)),
            )
            .build(regex)
            .ok()?;
        let dfa = Arc::new(dfa);
        let for_caches = Arc::clone(&dfa);
        let create: Box<dyn Fn() -> Cache + Send + Sync + std::panic::RefUnwindSafe + std::panic::UnwindSafe> =
            Box::new(move || for_caches.create_cache());
        Some(Starts {
            dfa,
            caches: Pool::new(create),
        })
    }

    /// Whether a match starts at the start of `haystack`; `None` when the
    /// lazy DFA could not say (then the caller asks a whole regex).
    pub(crate) fn is_match(&self, haystack: &[u8]) -> Option<bool> {
        let input = Input::new(haystack).anchored(Anchored::Yes).earliest(true);
        let mut cache = self.caches.get();
        self.dfa
            .try_search_fwd(&mut cache, &input)
            .ok()
            .map(|found| found.is_some())
    }
}
