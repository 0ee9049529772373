//! What a manifest line says about the project itself.
//!
//! A Go module's `go.mod` also lists, marked `// indirect`, what its
//! dependencies need. Such a line never means the project uses the module:
//! `go.opentelemetry.io/otel/metric v1.2.0 // indirect` is not metrics
//! instrumentation, and `golang.org/x/crypto … // indirect` is not password
//! hashing. The walk drops every match that falls on one, for every check.

/// `go.mongodb.org/mongo-driver v1.13.1 // indirect`, with any spacing.
pub fn is_go_indirect_line(line: &str) -> bool {
    line.split_once("//")
        .is_some_and(|(_, comment)| comment.trim_start().starts_with("indirect"))
}

/// Whether the match at `offset` of file `path` sits on an indirect
/// requirement of a `go.mod`.
pub(crate) fn on_indirect_requirement(path: &str, content: &[u8], offset: usize) -> bool {
    // The suffix first: every hit of every file asks.
    if !path.ends_with("go.mod") || path.rsplit('/').next() != Some("go.mod") {
        return false;
    }
    let offset = offset.min(content.len());
    let start = memchr::memrchr(b'\n', &content[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &content[offset..]).map_or(content.len(), |i| offset + i);
    is_go_indirect_line(&String::from_utf8_lossy(&content[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_indirect_lines_of_go_mod_are_dropped() {
        let go_mod = b"require (\n\tgithub.com/gin-gonic/gin v1.9.1\n\
                       \tgo.opentelemetry.io/otel/metric v1.2.0 // indirect\n)\n";
        let at = |needle: &str| {
            let text = std::str::from_utf8(go_mod).unwrap();
            text.find(needle).unwrap()
        };
        assert!(on_indirect_requirement(
            "go.mod",
            go_mod,
            at("go.opentelemetry")
        ));
        assert!(on_indirect_requirement(
            "svc/go.mod",
            go_mod,
            at("otel/metric")
        ));
        assert!(!on_indirect_requirement("go.mod", go_mod, at("gin-gonic")));
        // The same text in another file is whatever that file says it is.
        assert!(!on_indirect_requirement(
            "notes.txt",
            go_mod,
            at("go.opentelemetry")
        ));
        assert!(is_go_indirect_line("\tgithub.com/x/y v1 //indirect"));
        assert!(!is_go_indirect_line("\tgithub.com/x/y v1 // keep: direct"));
    }
}
