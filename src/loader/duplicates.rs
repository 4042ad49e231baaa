//! Documents sharing one id: the first by path is served, and every one of them gets an error
//! naming the id, all the files and which one is served, so no winner is silent.

use std::collections::{BTreeMap, HashSet};

use super::BuiltFile;
use crate::model::DocId;
use crate::model::diagnostic::Diagnostic;

/// The paths left out because an earlier path (by byte order) has their id, and the error at
/// each sharing file's `id:` line (or its first line).
pub(super) fn duplicate_ids<'a>(
    built: impl Iterator<Item = &'a BuiltFile>,
) -> (HashSet<&'a str>, Vec<Diagnostic>) {
    let mut by_id: BTreeMap<&DocId, Vec<&BuiltFile>> = BTreeMap::new();
    for file in built {
        by_id.entry(&file.document.id).or_default().push(file);
    }
    let mut left_out = HashSet::new();
    let mut diagnostics = Vec::new();
    for (id, mut files) in by_id.into_iter().filter(|(_, f)| f.len() > 1) {
        files.sort_by(|a, b| a.document.source_path.cmp(&b.document.source_path));
        let paths: Vec<&str> = files
            .iter()
            .map(|f| f.document.source_path.as_str())
            .collect();
        let message = sentence(id, &paths);
        for file in &files {
            diagnostics.push(Diagnostic::error(
                &file.document.source_path,
                super::position_of_id(file),
                message.clone(),
            ));
        }
        left_out.extend(paths.iter().skip(1));
    }
    (left_out, diagnostics)
}

fn sentence(id: &DocId, paths: &[&str]) -> String {
    let quoted: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
    let served = &quoted[0];
    match quoted.as_slice() {
        [first, second] => format!(
            "{first} and {second} both have the id `{id}`; {served} is served (the first by \
             path) and {second} is left out; give one of them another `id:`"
        ),
        [rest @ .., last] => format!(
            "{} and {last} all have the id `{id}`; {served} is served (the first by path) and \
             the others are left out; give each of them its own `id:`",
            rest.join(", ")
        ),
        [] => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::{UrlMap, build_document, read_head};
    use crate::source::SourceFile;

    fn built(path: &str, text: &str) -> BuiltFile {
        let file = SourceFile {
            rel_path: path.to_owned(),
            bytes: text.as_bytes().to_vec(),
        };
        let head = read_head(&file).expect("a head");
        build_document(head, &UrlMap::default())
    }

    #[test]
    fn the_first_path_is_served_and_both_files_are_told() {
        let b = built("guides/b.md", "---\ntitle: B\nid: shared\n---\n");
        let a = built("guides/a.md", "---\nid: shared\ntitle: A\n---\n");
        let other = built("guides/c.md", "---\ntitle: C\n---\n");
        // The order files arrive in does not choose the winner.
        let (left_out, diagnostics) = duplicate_ids([&b, &other, &a].into_iter());
        assert_eq!(left_out, HashSet::from(["guides/b.md"]));
        let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        let said = "`guides/a.md` and `guides/b.md` both have the id `shared`; `guides/a.md` is \
                    served (the first by path) and `guides/b.md` is left out; give one of them \
                    another `id:`";
        assert_eq!(
            lines,
            [
                format!("guides/a.md:2:1: error: {said}"),
                format!("guides/b.md:3:1: error: {said}")
            ]
        );
    }

    #[test]
    fn three_files_name_every_one() {
        let files: Vec<BuiltFile> = ["x/c.md", "x/a.md", "x/b.md"]
            .iter()
            .map(|p| built(p, "---\nid: same\ntitle: T\n---\n"))
            .collect();
        let (left_out, diagnostics) = duplicate_ids(files.iter());
        assert_eq!(left_out, HashSet::from(["x/b.md", "x/c.md"]));
        assert_eq!(diagnostics.len(), 3);
        assert!(
            diagnostics[0].message.starts_with(
                "`x/a.md`, `x/b.md` and `x/c.md` all have the id `same`; `x/a.md` is served"
            ),
            "{}",
            diagnostics[0]
        );
    }
}
