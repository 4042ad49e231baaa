//! Tests of quiz parsing: good questions, each problem at its file line, and robustness.

use super::*;
use crate::model::diagnostic::Severity;
use proptest::prelude::*;

/// A module file with one quiz fence after three lines of prose; the YAML starts on line 5.
fn file(yaml: &str) -> (String, QuizBlock) {
    let prefix = "# Lesson\n\nRead this.\n\n```quiz\n";
    let text = format!("{prefix}{yaml}```\n");
    let block = QuizBlock {
        yaml: yaml.to_owned(),
        offset: prefix.len(),
    };
    (text, block)
}

fn quiz(yaml: &str) -> (Vec<Question>, Vec<String>) {
    let (text, block) = file(yaml);
    let (questions, diags) = parse_quiz("training/modules/m.md", &text, &block);
    let lines = diags
        .iter()
        .map(|d| {
            format!(
                "{}:{}: {}: {}",
                d.line,
                d.column,
                d.severity.as_str(),
                d.message
            )
        })
        .collect();
    (questions, lines)
}

#[test]
fn parses_single_and_multiple_answers() {
    let (qs, diags) = quiz(
        "- question: Which command shows the previous logs?\n  choices:\n    - kubectl logs --previous POD\n    - kubectl get events\n  answer: 0\n  explain: The previous container's logs survive one restart.\n- question: Select all that apply\n  choices: [a, b, c]\n  answer: [2, 0]\n",
    );
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        qs,
        vec![
            Question {
                prompt: "Which command shows the previous logs?".to_owned(),
                choices: vec![
                    "kubectl logs --previous POD".to_owned(),
                    "kubectl get events".to_owned()
                ],
                answer: vec![0],
                multiple: false,
                explain: Some("The previous container's logs survive one restart.".to_owned()),
                section: None,
                html: QuestionHtml {
                    prompt: "Which command shows the previous logs?".to_owned(),
                    choices: vec![
                        "kubectl logs --previous POD".to_owned(),
                        "kubectl get events".to_owned()
                    ],
                    explain: Some(
                        "The previous container&#39;s logs survive one restart.".to_owned()
                    ),
                },
            },
            Question {
                prompt: "Select all that apply".to_owned(),
                choices: vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
                answer: vec![0, 2],
                multiple: true,
                explain: None,
                section: None,
                html: QuestionHtml {
                    prompt: "Select all that apply".to_owned(),
                    choices: vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
                    explain: None,
                },
            },
        ]
    );
}

#[test]
fn a_one_element_list_is_still_multiple() {
    let (qs, diags) = quiz("- question: Q\n  choices: [a, b]\n  answer: [1]\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert!(qs[0].multiple);
}

#[test]
fn yaml_syntax_errors_point_at_the_file_line() {
    let (qs, diags) = quiz("- question: Q\n  choices: [a, b\n  answer: 1\n");
    assert!(qs.is_empty());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].contains("error: quiz block is not valid YAML"),
        "{diags:?}"
    );
    let line: u32 = diags[0]
        .split(':')
        .next()
        .and_then(|l| l.parse().ok())
        .expect("line");
    assert!((6..=8).contains(&line), "{diags:?}");
}

#[test]
fn a_mapping_is_not_a_list() {
    let (_, diags) = quiz("question: Q\nchoices: [a, b]\nanswer: 0\n");
    assert_eq!(
        diags,
        [
            "6:1: error: a quiz block must be a list of questions, but this one is a mapping; write a YAML list of questions, each starting with `- question:`"
        ]
    );
}

#[test]
fn an_empty_block_is_an_error() {
    let (_, diags) = quiz("# nothing yet\n");
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0].starts_with(
            "6:1: error: a quiz block must be a list of questions, but this one is empty"
        ),
        "{diags:?}"
    );
    let (_, diags) = quiz("[]\n");
    assert!(diags[0].contains("has no questions"), "{diags:?}");
}

#[test]
fn unknown_keys_are_named_with_their_line_and_other_questions_survive() {
    let (qs, diags) = quiz(
        "- question: Good\n  choices: [a, b]\n  answer: 0\n- question: Bad\n  choices: [a, b]\n  anwser: 0\n- question: Also good\n  choices: [a, b]\n  answer: 1\n",
    );
    assert_eq!(
        qs.iter().map(|q| q.prompt.as_str()).collect::<Vec<_>>(),
        ["Good", "Also good"]
    );
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].starts_with("11:"),
        "the key is on file line 11: {diags:?}"
    );
    assert!(
        diags[0].contains("unknown key `anwser` in a quiz question; the keys are `question`, `choices`, `answer`, `explain` and `section`"),
        "{diags:?}"
    );
}

#[test]
fn missing_keys_are_errors_at_the_question() {
    let (qs, diags) = quiz(
        "- choices: [a, b]\n  answer: 0\n- question: No choices\n  answer: 0\n- question: No answer\n  choices: [a, b]\n",
    );
    assert!(qs.is_empty());
    assert_eq!(diags.len(), 3, "{diags:?}");
    assert!(
        diags[0].starts_with("6:") && diags[0].contains("has no `question:` text"),
        "{diags:?}"
    );
    assert!(
        diags[1].starts_with("8:") && diags[1].contains("\"No choices\" has no `choices:` list"),
        "{diags:?}"
    );
    assert!(
        diags[2].starts_with("10:") && diags[2].contains("\"No answer\" has no `answer:`"),
        "{diags:?}"
    );
}

#[test]
fn fewer_than_two_choices_is_an_error() {
    let (qs, diags) = quiz("- question: Q\n  choices: [only]\n  answer: 0\n");
    assert!(qs.is_empty());
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0].starts_with("7:") && diags[0].contains("needs at least two choices; it has 1"),
        "{diags:?}"
    );
}

#[test]
fn an_answer_out_of_range_says_the_range() {
    let (qs, diags) = quiz(
        "- question: Q\n  choices: [a, b, c]\n  answer: 3\n- question: R\n  choices: [a, b]\n  answer: [-1]\n",
    );
    assert!(qs.is_empty());
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert!(
        diags[0].starts_with("8:")
            && diags[0].contains(
                "answer 3 of question \"Q\" is out of range: the choices are numbered 0 to 2"
            ),
        "{diags:?}"
    );
    assert!(
        diags[1].contains(
            "answer -1 of question \"R\" is out of range: the choices are numbered 0 to 1"
        ),
        "{diags:?}"
    );
}

#[test]
fn an_empty_answer_list_is_an_error() {
    let (qs, diags) = quiz("- question: Q\n  choices: [a, b]\n  answer: []\n");
    assert!(qs.is_empty());
    assert!(
        diags[0].starts_with("8:") && diags[0].contains("empty answer list"),
        "{diags:?}"
    );
}

#[test]
fn duplicate_answers_are_a_warning_and_deduplicated() {
    let (text, block) = file("- question: Q\n  choices: [a, b]\n  answer: [1, 1, 0]\n");
    let (qs, diags) = parse_quiz("m.md", &text, &block);
    assert_eq!(qs[0].answer, vec![0, 1]);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].severity, Severity::Warning);
    assert!(
        diags[0].message.contains("lists answer 1 twice"),
        "{}",
        diags[0]
    );
}

#[test]
fn a_non_number_answer_explains_the_form() {
    let (qs, diags) = quiz("- question: Q\n  choices: [a, b]\n  answer: b\n");
    assert!(qs.is_empty());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].contains("`answer` must be the index of the right choice"),
        "{diags:?}"
    );
}

proptest! {
    #[test]
    fn parse_quiz_never_panics(yaml in "(- |  |question: |choices: |answer: |\\[|\\]|[0-9]|-1|, |&a |\\*a |\n|[a-z\"':#{}é])*") {
        let (text, block) = file(&yaml);
        let (questions, diags) = parse_quiz("m.md", &text, &block);
        for q in &questions {
            prop_assert!(q.choices.len() >= 2);
            prop_assert!(!q.answer.is_empty());
            prop_assert!(q.answer.iter().all(|a| *a < q.choices.len()));
        }
        for d in &diags {
            prop_assert!(d.line >= 1 && d.column >= 1);
        }
    }

    #[test]
    fn parse_quiz_never_panics_on_any_text(yaml in any::<String>()) {
        let (text, block) = file(&yaml);
        let _ = parse_quiz("m.md", &text, &block);
    }
}

#[test]
fn serde_wording_never_reaches_the_author() {
    let cases = [
        (
            "- question: Q\n  choices: [a, null]\n  answer: 0\n",
            "7:16: error: a choice is empty (`null`, `~` or a `-` with nothing after it); write the choice's text, in quotes if it is the word itself: `\"null\"`",
        ),
        (
            "- question: Q\n  choices:\n    - a\n    -\n  answer: 0\n",
            "9:6: error: a choice is empty (`null`, `~` or a `-` with nothing after it); write the choice's text, in quotes if it is the word itself: `\"null\"`",
        ),
        (
            "- question: [Q]\n  choices: [a, b]\n  answer: 0\n",
            "6:13: error: quiz question is not valid: `question`, each choice and `explain` must be text; quote a value that starts with `[` or `{`",
        ),
        (
            "- question: What: this\n  choices: [a, b]\n  answer: 0\n",
            "6:17: error: quiz block is not valid YAML: a value contains `: `, which YAML reads as another key; quote the value, such as `question: \"Which one: A or B?\"`",
        ),
    ];
    for (yaml, expected) in cases {
        assert_eq!(quiz(yaml).1, [expected], "{yaml}");
    }
}
