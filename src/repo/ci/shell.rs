//! Reading a shell script as the commands it runs, never as text: comments,
//! here-documents and the arguments of `echo` are not commands, and
//! `a && b; c | d` is four of them.
//!
//! Words come from the `shlex` tokenizer (quotes, escapes, comments); this
//! module adds what a tokenizer does not know: line continuations, lists and
//! pipelines, control keywords, here-documents and `$( … )`.

/// One simple command: its words (unquoted) and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    pub line: usize,
    pub words: Vec<String>,
    /// What it prints is read by something: it runs inside `$( … )`,
    /// backticks or `<( … )`, or pipes into another command. `gofmt -l`
    /// exits 0 on unformatted files; only a test of its output checks.
    pub output_used: bool,
}

impl ShellCommand {
    /// A command whose output nothing reads.
    pub fn new(line: usize, words: Vec<String>) -> Self {
        ShellCommand {
            line,
            words,
            output_used: false,
        }
    }
}

/// Lines a quoted string may span before the script is taken as broken.
const MAX_QUOTED_LINES: usize = 50;
/// `$( … )` nested deeper than this is not looked into.
const MAX_SUBSTITUTION_DEPTH: usize = 3;

/// The commands of `script`, whose first line is line `first_line` of its
/// file.
pub fn commands(script: &str, first_line: usize) -> Vec<ShellCommand> {
    let mut out = Vec::new();
    parse_into(script, first_line, 0, &mut out);
    out
}

fn parse_into(script: &str, first_line: usize, depth: usize, out: &mut Vec<ShellCommand>) {
    let lines: Vec<&str> = script.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let start = index;
        let mut text = String::new();
        // Join continuations and quoted strings that go on over lines.
        let words = loop {
            let line = lines[index];
            index += 1;
            match line.strip_suffix('\\') {
                Some(head) if index < lines.len() => {
                    text.push_str(head);
                    text.push(' ');
                    continue;
                }
                _ => text.push_str(line),
            }
            let mut lexer = shlex::Shlex::new(&text);
            let words: Vec<String> = lexer.by_ref().collect();
            if !lexer.had_error || index >= lines.len() || index - start > MAX_QUOTED_LINES {
                break words;
            }
            text.push('\n');
        };
        let line = first_line + start;
        if let Some(delimiter) = heredoc_delimiter(&words) {
            while index < lines.len() && lines[index].trim() != delimiter {
                index += 1;
            }
            index += 1;
        }
        split_commands(words, line, depth, out);
    }
}

/// The delimiter of a here-document the words open (`cat <<EOF`,
/// `<<-'END'`): its body is data, not commands.
fn heredoc_delimiter(words: &[String]) -> Option<String> {
    words.iter().enumerate().find_map(|(i, word)| {
        let rest = word.strip_prefix("<<")?;
        if rest.starts_with('<') {
            return None; // a here-string
        }
        let rest = rest.trim_start_matches('-');
        let delimiter = if rest.is_empty() {
            words.get(i + 1)?.clone()
        } else {
            rest.to_string()
        };
        Some(delimiter.trim_matches(['\'', '"']).to_string())
    })
}

const SEPARATORS: &[&str] = &["&&", "||", ";", ";;", "|", "&", "|&", "(", ")", "{", "}"];
/// Words that start a command but are not the program.
const PREFIXES: &[&str] = &[
    "if", "elif", "while", "until", "then", "do", "else", "!", "time", "exec", "command", "nohup",
    "builtin",
];
/// Words that start something that is not a command to classify.
const NOT_COMMANDS: &[&str] = &[
    "fi",
    "done",
    "esac",
    "for",
    "case",
    "function",
    "in",
    "local",
    "declare",
    "set",
    "unset",
    "readonly",
    "shift",
    "return",
    "exit",
    "popd",
    "echo",
    "printf",
    "true",
    "false",
    ":",
    "[",
    "[[",
    "test",
    "source",
    ".",
    "read",
    "trap",
    "wait",
    "sleep",
    "mkdir",
    "rm",
    "cp",
    "mv",
    "ln",
    "chmod",
    "chown",
    "cat",
    "touch",
    "ls",
    "pwd",
    "Write-Host",
];

fn split_commands(words: Vec<String>, line: usize, depth: usize, out: &mut Vec<ShellCommand>) {
    let mut current: Vec<String> = Vec::new();
    let mut flush = |current: &mut Vec<String>, piped: bool| {
        let words = std::mem::take(current);
        finish(words, line, depth, piped, out);
    };
    for word in words {
        if SEPARATORS.contains(&word.as_str()) {
            flush(&mut current, word == "|" || word == "|&");
            continue;
        }
        // `cmd;` and `(cd dir` are separators glued to words.
        // Parentheses that balance inside the word are its own text
        // (`print(1)` in a quoted argument), not a subshell.
        let mut word = word.as_str();
        let balance = |w: &str| w.matches('(').count() as isize - w.matches(')').count() as isize;
        let opens = word.starts_with('(') && !word.starts_with("((") && balance(word) > 0;
        if opens {
            flush(&mut current, false);
            word = &word[1..];
        }
        let closes_paren = word.ends_with(')') && balance(word) < 0;
        let closes = word.ends_with(';') || closes_paren;
        let trimmed = if closes_paren {
            word.trim_end_matches([';', ')'])
        } else {
            word.trim_end_matches(';')
        };
        if !trimmed.is_empty() {
            current.push(trimmed.to_string());
        }
        if closes {
            flush(&mut current, false);
        }
    }
    flush(&mut current, false);
}

fn finish(words: Vec<String>, line: usize, depth: usize, piped: bool, out: &mut Vec<ShellCommand>) {
    // What `$( … )` and backticks run is a command too, wherever it sits
    // (`test -z "$(gofmt -l .)"`).
    // The tokenizer splits an unquoted `$(a b)` over words: look at them
    // together.
    if depth < MAX_SUBSTITUTION_DEPTH {
        for inner in substitutions(&words.join(" ")) {
            parse_into(&inner, line, depth + 1, out);
        }
    }
    // `out=$(gofmt -l .)`: only the substitution runs.
    if words
        .first()
        .is_some_and(|w| is_assignment(w) && (w.contains("$(") || w.contains('`')))
    {
        return;
    }
    let mut rest = words.as_slice();
    loop {
        let Some(first) = rest.first() else { return };
        if PREFIXES.contains(&first.as_str()) || is_assignment(first) {
            rest = &rest[1..];
            continue;
        }
        if first == "sudo" || first == "env" {
            rest = &rest[1..];
            while rest
                .first()
                .is_some_and(|w| w.starts_with('-') || is_assignment(w))
            {
                rest = &rest[1..];
            }
            continue;
        }
        break;
    }
    let Some(first) = rest.first() else { return };
    if NOT_COMMANDS.contains(&first.as_str()) || first.starts_with(['$', '#', '-', '<', '>', '=']) {
        return;
    }
    out.push(ShellCommand {
        line,
        words: rest.to_vec(),
        output_used: piped || depth > 0,
    });
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The scripts inside `$( … )`, backticks and process substitutions
/// (`<( … )`, `>( … )`) in a word.
fn substitutions(word: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = word.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if matches!(bytes[i], b'$' | b'<' | b'>')
            && bytes[i + 1] == b'('
            && bytes.get(i + 2) != Some(&b'(')
        {
            let mut level = 0;
            let start = i + 2;
            let mut j = start;
            while j < bytes.len() {
                match bytes[j] {
                    b'(' => level += 1,
                    b')' if level == 0 => break,
                    b')' => level -= 1,
                    _ => {}
                }
                j += 1;
            }
            found.push(word[start..j.min(bytes.len())].to_string());
            i = j;
        } else if bytes[i] == b'`'
            && let Some(end) = word[i + 1..].find('`')
        {
            found.push(word[i + 1..i + 1 + end].to_string());
            i += end + 1;
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(script: &str) -> Vec<String> {
        commands(script, 1)
            .into_iter()
            .map(|c| c.words.join(" "))
            .collect()
    }

    #[test]
    fn lists_pipelines_and_continuations_are_split() {
        assert_eq!(
            programs("npm ci && npm test; go vet ./... | tee out\nmake \\\n  lint"),
            ["npm ci", "npm test", "go vet ./...", "tee out", "make lint"]
        );
    }

    #[test]
    fn comments_echo_and_heredocs_are_not_commands() {
        let script = "# go test ./...\necho \"run go test ./...\"\nprintf 'pytest\\n'\ncat <<EOF > x\npytest\nEOF\nruff check .";
        assert_eq!(programs(script), ["ruff check ."]);
        let lines: Vec<usize> = commands(script, 10).iter().map(|c| c.line).collect();
        assert_eq!(lines, [16]);
    }

    #[test]
    fn control_keywords_assignments_and_substitutions() {
        assert_eq!(
            programs("if [ -n \"$X\" ]; then CI=1 sudo -E pytest -q; fi"),
            ["pytest -q"]
        );
        assert_eq!(programs("test -z \"$(gofmt -l .)\""), ["gofmt -l ."]);
        assert_eq!(programs("out=$(gofmt -l .)\nfoo"), ["gofmt -l .", "foo"]);
        // `cd` is kept: the resolver follows it to know where the next
        // command runs.
        assert_eq!(
            programs("(cd web && npm run lint)"),
            ["cd web", "npm run lint"]
        );
        assert_eq!(
            programs("python -c \"import x;\nprint(1)\"\ncargo test"),
            ["python -c import x;\nprint(1)", "cargo test"]
        );
    }

    #[test]
    fn output_is_used_inside_substitutions_and_before_a_pipe() {
        let used = |script: &str| -> Vec<(String, bool)> {
            commands(script, 1)
                .into_iter()
                .map(|c| (c.words.join(" "), c.output_used))
                .collect()
        };
        let own = |text: &str, used: bool| (text.to_string(), used);
        assert_eq!(used("gofmt -l ."), [own("gofmt -l .", false)]);
        assert_eq!(used("test -z \"$(gofmt -l .)\""), [own("gofmt -l .", true)]);
        assert_eq!(
            used("gofmt -l . | grep . && exit 1"),
            [own("gofmt -l .", true), own("grep .", false)]
        );
        assert_eq!(
            used("diff -u /dev/null <(gofmt -d .)"),
            [
                own("gofmt -d .", true),
                own("diff -u /dev/null <(gofmt -d .", false)
            ]
        );
        assert_eq!(used("gofmt -d . || true"), [own("gofmt -d .", false)]);
    }
}
