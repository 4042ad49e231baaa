//! Every kind of bad front matter value, with the exact line an author reads.

use crate::parse::front_matter::{parse, split};

/// `selfserve check`'s line for a file holding `front` as its front matter (it starts on line 2).
fn check_lines(fence: &str, front: &str) -> Vec<String> {
    let text = format!("{fence}\n{front}{fence}\n# Body\n");
    let s = split(&text).expect("splits");
    let (format, block, offset) = s.front.expect("front matter");
    let mut diags = Vec::new();
    parse("a.md", &text, format, block, offset, &mut diags);
    diags.iter().map(ToString::to_string).collect()
}

#[test]
fn each_bad_value_is_a_sentence_naming_its_key() {
    let cases: &[(&str, &str)] = &[
        (
            "order: first\n",
            "a.md:2:1: error: `order` must be a whole number such as 3; `first` is not",
        ),
        (
            "order: 3.5\n",
            "a.md:2:1: error: `order` must be a whole number such as 3; `3.5` is not",
        ),
        (
            "pass: 80%\n",
            "a.md:2:1: error: `pass` is a percentage as a whole number, such as 80 (without %); `80%` is not",
        ),
        (
            "pass: -5\n",
            "a.md:2:1: error: `pass` is a percentage as a whole number, such as 80 (without %); `-5` is not",
        ),
        (
            "version: -1\n",
            "a.md:2:1: error: `version` must be a whole number such as 2; `-1` is not",
        ),
        (
            "minutes: 1.5\n",
            "a.md:2:1: error: `minutes` must be a whole number of minutes, such as 15; `1.5` is not",
        ),
        (
            "draw: many\n",
            "a.md:2:1: error: `draw` must be a whole number of questions, such as 5; `many` is not",
        ),
        (
            "shuffle: maybe\n",
            "a.md:2:1: error: `shuffle` must be `true` or `false`; `maybe` is not",
        ),
        (
            "title: ok\norder: 2 # comment\nowner: [x]\n",
            "a.md:4:1: error: `owner` must be text; `[x]` reads as a list or a mapping, so quote it: `owner: \"[x]\"`",
        ),
        (
            "title: {a: 1}\n",
            "a.md:2:1: error: `title` must be text; `{a: 1}` reads as a list or a mapping, so quote it: `title: \"{a: 1}\"`",
        ),
        (
            "tags: [a, null]\n",
            "a.md:2:1: error: `tags` must be a word or a list of words such as `[a, b]` (tags, aliases, symptoms, resources, modules and requires take a list); `[a, null]` is not",
        ),
        (
            "tags:\n  - a\n  - b: c\n",
            "a.md:2:1: error: `tags` must be a word or a list of words such as `[a, b]` (tags, aliases, symptoms, resources, modules and requires take a list)",
        ),
        (
            "attempts: 3\n",
            "a.md:2:1: error: `attempts` must be a mapping such as `{free: 3, delay: 10m, max_delay: 1d}`; `3` is not",
        ),
        (
            "attempts: {free: x}\n",
            "a.md:2:12: error: `free` must be a whole number of attempts, such as 3; `x` is not",
        ),
        (
            "attempts:\n  free: many\n",
            "a.md:3:3: error: `free` must be a whole number of attempts, such as 3; `many` is not",
        ),
        (
            "attempts: {delay: [1]}\n",
            "a.md:2:12: error: `delay` must be a duration such as `10m`, `2h` or `1d`; `[1]` is not",
        ),
        (
            "attempts: {fre: 3}\n",
            "a.md:2:1: error: `attempts` has no key `fre`; its keys are `free`, `delay` and `max_delay`",
        ),
        (
            "title: Foo: bar\n",
            "a.md:2:1: error: the value of `title` contains `: `, which YAML reads as another key; quote it: `title: \"Foo: bar\"`",
        ),
        (
            "summary: x\n  bad indent: y\n",
            "a.md:3:13: error: `bad indent: y` is indented under `summary` but reads as a key of its own; start a new key at the beginning of its line, or quote the value of `summary` if it contains `: `",
        ),
        (
            "title: @foo\n",
            "a.md:2:1: error: the value of `title` starts with `@`, which YAML reserves; quote it: `title: \"@foo\"`",
        ),
        (
            "title: `x`\n",
            "a.md:2:1: error: the value of `title` starts with a backtick, which YAML reserves; quote it: `title: \"`x`\"`",
        ),
        (
            "title: \"unclosed\n",
            "a.md:2:1: error: the value of `title` opens a quote that is never closed; end it with the same quote mark on the same line",
        ),
        (
            "tags: [kubernetes\nowner: team-platform\n",
            "a.md:2:1: error: the list or mapping opened in `tags: [kubernetes` is never closed; end it on the same line with `]` or `}`",
        ),
        (
            "title: a\ntitle: b\n",
            "a.md:3:1: error: `title` is written twice in the front matter; keep one",
        ),
        (
            "- a\n",
            "a.md:2:1: error: front matter must be `key: value` lines, such as `title: Restart a pod`",
        ),
    ];
    let mut failures = Vec::new();
    for (front, expected) in cases {
        let got = check_lines("---", front);
        if got != [expected.to_string()] {
            failures.push(format!(
                "{front:?}\n  expected {expected}\n  got      {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn toml_front_matter_gets_the_same_sentences() {
    let cases: &[(&str, &str)] = &[
        (
            "order = \"first\"\n",
            "a.md:2:1: error: `order` must be a whole number such as 3; `first` is not",
        ),
        (
            "pass = \"80%\"\n",
            "a.md:2:1: error: `pass` is a percentage as a whole number, such as 80 (without %); `80%` is not",
        ),
        (
            "title = 3\n",
            "a.md:2:1: error: `title` must be text; write it in quotes: `title = \"3\"`",
        ),
    ];
    for (front, expected) in cases {
        assert_eq!(check_lines("+++", front), [expected.to_string()], "{front}");
    }
}

#[test]
fn no_message_names_a_rust_type() {
    let rust_words = [
        "i64",
        "u32",
        "Option<",
        "untagged enum",
        "scalar",
        "mapping start",
    ];
    for front in [
        "order: [1]\n",
        "version: x\n",
        "pass: {a: 1}\n",
        "shuffle: [true]\n",
        "draw: 1.5\n",
        "attempts: [1]\n",
    ] {
        for line in check_lines("---", front) {
            assert!(
                !rust_words.iter().any(|w| line.contains(w)),
                "{front:?}: {line}"
            );
        }
    }
}
