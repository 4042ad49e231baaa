//! Tests of troubleshooting-tree parsing, one per rule, plus snapshots of rendered nodes.

use super::*;
use crate::model::diagnostic::Severity;

struct Site;

impl LinkTargets for Site {
    fn doc_url(&self, rel_path: &str) -> Option<String> {
        (rel_path == "guides/oom.md").then(|| "/guides/oom".to_owned())
    }
}

fn parse(text: &str) -> (Tree, Rendered, Vec<Diagnostic>) {
    let input = RenderInput {
        source_path: "troubleshooting/crash.md",
        file_text: text,
        body_offset: 0,
        extract_quizzes: false,
    };
    parse_tree(input, &Site)
}

/// `LINE: severity: message` for each diagnostic, for compact assertions.
fn lines(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| format!("{}: {}: {}", d.line, d.severity.as_str(), d.message))
        .collect()
}

const SAMPLE: &str = "\
Text before the first node is the *introduction*.

## Does `kubectl describe pod` show `OOMKilled`? {#start}
Run `kubectl describe pod NAME` and look at *Last State*.

- [Yes, the reason is OOMKilled](#oom)
- [No, it exits with code 1](#app-error)

## Raise the memory limit {#oom .resolved}
See [the OOM guide](../guides/oom.md) and the [start](#start).

## Read the application logs {#app-error .escalate}
Include the output of `kubectl logs --previous`.

```sh
kubectl logs --previous POD
```
";

#[test]
fn a_valid_tree_has_nodes_choices_and_outcomes() {
    let (tree, rendered, diags) = parse(SAMPLE);
    assert!(diags.is_empty(), "{:?}", lines(&diags));
    assert_eq!(tree.start(), Some("start"));
    let ids: Vec<_> = tree.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["start", "oom", "app-error"]);
    let start = &tree.nodes[0];
    assert_eq!(start.title, "Does kubectl describe pod show OOMKilled?");
    assert_eq!(
        start.choices,
        vec![
            Choice {
                label: "Yes, the reason is OOMKilled".to_owned(),
                to: "oom".to_owned()
            },
            Choice {
                label: "No, it exits with code 1".to_owned(),
                to: "app-error".to_owned()
            },
        ]
    );
    assert!(
        !start.body_html.contains("<ul>"),
        "choice list removed: {}",
        start.body_html
    );
    assert!(
        start.body_html.contains("<em>Last State</em>"),
        "{}",
        start.body_html
    );
    assert_eq!(start.outcome, None);
    assert_eq!(tree.nodes[1].outcome, Some(Outcome::Resolved));
    assert!(tree.nodes[1].body_html.contains("href=\"/guides/oom\""));
    assert_eq!(tree.nodes[2].outcome, Some(Outcome::Escalate));
    assert!(
        tree.nodes[2].text.contains("kubectl logs --previous POD"),
        "code is searchable"
    );
    assert_eq!(
        tree.intro_html,
        "<p>Text before the first node is the <em>introduction</em>.</p>\n"
    );
    assert_eq!(rendered.html, tree.intro_html);
    // Search can land on every node, and the page TOC lists them.
    let anchors: Vec<_> = rendered
        .sections
        .iter()
        .filter_map(|s| s.anchor.as_deref())
        .collect();
    assert_eq!(anchors, ["start", "oom", "app-error"]);
    assert_eq!(rendered.toc.len(), 3);
    // Choice links are checked by the tree; other links still go to the loader.
    let targets: Vec<_> = rendered
        .links
        .iter()
        .map(|l| (l.target_path.as_str(), l.anchor.as_deref()))
        .collect();
    assert_eq!(
        targets,
        [
            ("guides/oom.md", None),
            ("troubleshooting/crash.md", Some("start"))
        ]
    );
}

#[test]
fn a_choice_to_a_missing_node_names_the_id() {
    let (_, _, diags) =
        parse("## Q {#start}\n\n- [Yes](#yes)\n- [No](#nope)\n\n## Yes {#yes .resolved}\nDone.\n");
    assert_eq!(
        lines(&diags),
        [
            "4: error: choice `No` points at `#nope`, but no node has that id; add a `## … {#nope}` node or fix the link"
        ]
    );
    assert_eq!(diags[0].column, 3);
}

#[test]
fn a_choice_made_only_of_markup_is_a_warning_at_its_link() {
    let (tree, _, diags) = parse(
        "## Q {#start}\n\n- [<img src=x onerror=alert(1)>](#yes)\n- [No](#no)\n\n\
         ## Yes {#yes .resolved}\nDone.\n\n## No {#no .escalate}\nAsk.\n",
    );
    assert_eq!(
        lines(&diags),
        [
            "3: warning: this choice of node `start` has no text (markup such as images or HTML is not shown on a choice), so readers would see an empty button; write what the reader answers, e.g. `[Yes, it shows OOMKilled](#yes)`"
        ]
    );
    assert_eq!(diags[0].column, 3);
    assert_eq!(
        tree.nodes[0].choices[0].label, "",
        "no markup reaches the label"
    );
}

#[test]
fn an_unreachable_node_is_an_error_at_its_heading() {
    let (_, _, diags) = parse(
        "## Q {#start}\n- [Yes](#yes)\n\n## Yes {#yes .resolved}\n\n## Lost {#lost .escalate}\n",
    );
    assert_eq!(
        lines(&diags),
        [
            "6: error: node `lost` cannot be reached from the start node `start`; link to it from a choice list or remove it"
        ]
    );
}

#[test]
fn a_leaf_needs_an_outcome() {
    let (tree, _, diags) = parse("## Q {#start}\n- [Yes](#yes)\n\n## Yes {#yes}\nNothing more.\n");
    assert_eq!(lines(&diags).len(), 1);
    assert!(
        diags[0]
            .message
            .starts_with("node `yes` has no choices and no outcome"),
        "{}",
        diags[0]
    );
    assert!(
        diags[0].message.contains("{#yes .resolved}"),
        "{}",
        diags[0]
    );
    assert_eq!(diags[0].line, 4);
    assert_eq!(tree.nodes[1].outcome, None);
}

#[test]
fn a_node_with_choices_cannot_have_an_outcome() {
    let (tree, _, diags) =
        parse("## Q {#start .resolved}\n- [Yes](#yes)\n\n## Yes {#yes .resolved}\n");
    assert_eq!(
        lines(&diags),
        [
            "1: error: node `start` has choices and also the `.resolved` class; only a leaf (a node without choices) has an outcome, so remove the class or the choice list"
        ]
    );
    assert_eq!(tree.nodes[0].outcome, None);
}

#[test]
fn duplicate_node_ids_are_errors() {
    let (tree, _, diags) = parse(
        "## Q {#start}\n- [Yes](#yes)\n\n## Yes {#yes .resolved}\n\n## Again {#yes .escalate}\n",
    );
    assert_eq!(
        lines(&diags),
        ["6: error: node id `yes` is already used on line 4; give each node its own id"]
    );
    assert_eq!(tree.nodes.len(), 2);
}

#[test]
fn a_tree_without_nodes_is_an_error() {
    let text = "---\ntitle: T\n---\nJust text.\n\n## Not a node\n";
    let input = RenderInput {
        source_path: "t.md",
        file_text: text,
        body_offset: text.find("Just").expect("body"),
        extract_quizzes: false,
    };
    let (tree, rendered, diags) = parse_tree(input, &Site);
    assert!(tree.nodes.is_empty());
    assert!(rendered.html.contains("Just text."));
    assert_eq!(diags.len(), 2, "{:?}", lines(&diags));
    assert_eq!(diags[0].severity, Severity::Warning);
    assert_eq!((diags[1].line, diags[1].severity), (4, Severity::Error));
    assert!(diags[1].message.contains("has no nodes"), "{}", diags[1]);
}

#[test]
fn a_level_two_heading_without_id_is_a_warning() {
    let (tree, _, diags) = parse("## Q {#start .resolved}\nText.\n\n## Details\nMore.\n");
    assert_eq!(
        lines(&diags),
        [
            "4: warning: `## Details` has no explicit id, so it is not a node of this tree; add `{#some-id}` to make it one, or use `###` for a heading inside a node"
        ]
    );
    assert_eq!(tree.nodes.len(), 1);
    assert!(
        tree.nodes[0].body_html.contains("Details"),
        "it stays part of the node body"
    );
}

#[test]
fn a_last_list_mixing_node_links_and_other_items_is_ambiguous() {
    let (tree, _, diags) = parse(
        "## Q {#start}\n\n- [Yes](#yes)\n- check the logs first\n\n## Yes {#yes .resolved}\n",
    );
    assert_eq!(lines(&diags).len(), 1, "{:?}", lines(&diags));
    // At the offending item, not the list.
    assert_eq!((diags[0].line, diags[0].severity), (4, Severity::Error));
    assert!(
        diags[0]
            .message
            .contains("mixes links to nodes with other items (this item links to no node)"),
        "{}",
        diags[0]
    );
    assert_eq!(tree.nodes[0].choices.len(), 1);
}

#[test]
fn only_the_last_list_holds_choices() {
    let (tree, _, diags) = parse(
        "## Q {#start}\n\n- [not a choice](#yes)\n- plain\n\nThen pick:\n\n1. [Yes](#yes)\n\n## Yes {#yes .resolved}\n",
    );
    assert!(diags.is_empty(), "{:?}", lines(&diags));
    assert_eq!(tree.nodes[0].choices.len(), 1);
    assert!(tree.nodes[0].body_html.contains("not a choice"));
    assert!(!tree.nodes[0].body_html.contains("<ol>"));
}

#[test]
fn a_cycle_is_a_warning_not_an_error() {
    let (tree, _, diags) = parse(
        "## Q {#start}\n- [Next](#next)\n\n## Next {#next}\n- [Start over](#start)\n- [Done](#done)\n\n## Done {#done .resolved}\n",
    );
    assert_eq!(
        lines(&diags),
        [
            "5: warning: choice `Start over` leads back to `#start`, an earlier step, so the tree has a cycle; that is fine for a \"start over\" link, but make sure every path can end"
        ]
    );
    assert_eq!(tree.nodes.len(), 3);
}

#[test]
fn node_body_html_snapshot() {
    let (tree, _, diags) = parse(SAMPLE);
    assert!(diags.is_empty());
    let html: Vec<String> = tree
        .nodes
        .iter()
        .map(|n| format!("<!-- {} -->\n{}", n.id, n.body_html))
        .collect();
    insta::assert_snapshot!("tree_node_bodies", html.join("\n"));
}

#[test]
fn an_item_with_two_node_links_is_ambiguous_too() {
    let (_, _, diags) = parse(
        "## Q {#start}\n\n- [Yes](#yes)\n- [No](#no) or [maybe](#yes)\n\n## Yes {#yes .resolved}\n\n## No {#no .escalate}\n",
    );
    assert_eq!(lines(&diags).len(), 1, "{:?}", lines(&diags));
    assert_eq!(diags[0].line, 4);
    assert!(
        diags[0].message.contains("this item links to 2 nodes"),
        "{}",
        diags[0]
    );
}

#[test]
fn a_loop_without_a_way_out_is_a_warning_at_each_trapped_node() {
    let (_, _, diags) = parse(
        "## Q {#start}\n- [Fix](#fix)\n- [Loop](#a)\n\n## Fix {#fix .resolved}\n\n## A {#a}\n- [To B](#b)\n\n## B {#b}\n- [To A](#a)\n",
    );
    let warnings: Vec<String> = lines(&diags)
        .into_iter()
        .filter(|l| l.contains("no walk from node"))
        .collect();
    assert_eq!(warnings.len(), 2, "{:?}", lines(&diags));
    assert!(warnings[0].starts_with("7: warning: no walk from node `a` reaches an outcome"));
    assert!(warnings[1].starts_with("10: warning: no walk from node `b`"));
    // The cycle itself is still reported once, as before.
    assert!(
        lines(&diags)
            .iter()
            .any(|l| l.contains("leads back to `#a`"))
    );
}

#[test]
fn a_leaf_with_both_outcomes_is_an_error() {
    let (_, _, diags) = parse("## Q {#start .resolved .escalate}\nDone.\n");
    assert_eq!(
        lines(&diags),
        [
            "1: error: node `start` has both `.resolved` and `.escalate`; a leaf ends one way, so keep one"
        ]
    );
}
