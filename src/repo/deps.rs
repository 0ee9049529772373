//! Direct dependencies: what a manifest says the project itself uses.
//!
//! A Go module's `go.mod` also lists, marked `// indirect`, what its
//! dependencies need; a lockfile lists everything transitively. Neither says
//! the project talks to MongoDB or serves HTTP with chi, so stack detection
//! reads only the direct part.

use crate::scan::is_go_indirect_line as is_indirect;
use std::borrow::Cow;

/// The part of manifest `name` (a file name) that declares direct
/// dependencies: `go.mod` without its `// indirect` lines; other manifests
/// as they are.
pub fn direct_part<'a>(name: &str, text: &'a str) -> Cow<'a, str> {
    if name != "go.mod" || !text.contains("// indirect") {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.lines()
            .filter(|line| !is_indirect(line))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indirect_go_requirements_are_not_direct() {
        let go_mod = "module x\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n\
                      \tgo.mongodb.org/mongo-driver v1.13.1 // indirect\n\
                      \tgithub.com/go-chi/chi/v5 v5.0.12 //indirect\n)\n";
        let direct = direct_part("go.mod", go_mod);
        assert!(direct.contains("gin-gonic"));
        assert!(!direct.contains("mongo-driver"));
        assert!(!direct.contains("go-chi"));
        assert_eq!(direct_part("package.json", "{}"), "{}");
    }
}
