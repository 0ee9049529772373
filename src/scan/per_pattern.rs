//! A worker's per-pattern scratch state (capture locations, lazy-DFA
//! caches), made the first time the worker needs it for a pattern and kept
//! for its later files.

/// Per pattern: the scratch value and the address of the compiled form it
/// was made for. A pattern has an ASCII and a Unicode form, and scratch made
/// for one does not fit the other, so a slot is remade when the form
/// changes. Used with one plan only (a worker's search lives within its
/// plan's lifetime), so an address names one compiled form.
pub(crate) struct PerPattern<T> {
    slots: Vec<Option<(usize, T)>>,
}

impl<T> Default for PerPattern<T> {
    fn default() -> Self {
        PerPattern { slots: Vec::new() }
    }
}

impl<T> PerPattern<T> {
    /// The scratch of `pattern` for its compiled form `form`, made by
    /// `make` when there is none for that form yet. Inlined: the per-line
    /// checks ask it 6.9 M times on the monorepo profile, and a call of its
    /// own cost 29 instructions each (0.2 G) in the builds where the
    /// compiler did not inline it.
    #[inline]
    pub(crate) fn of<F>(&mut self, pattern: usize, form: &F, make: impl FnOnce(&F) -> T) -> &mut T {
        if self.slots.len() <= pattern {
            self.slots.resize_with(pattern + 1, || None);
        }
        let address = std::ptr::from_ref(form) as usize;
        let slot = &mut self.slots[pattern];
        if slot
            .as_ref()
            .is_none_or(|(made_for, _)| *made_for != address)
        {
            *slot = Some((address, make(form)));
        }
        &mut slot.as_mut().expect("set above").1
    }
}
