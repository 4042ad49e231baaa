//! Writing the index: the live writer (made on first use, merging away deleted entries), waiting for merges when dropped, and adding a page's entries.

use super::*;

impl Drop for Inner {
    /// A live writer may be merging in the background; letting it finish first keeps it
    /// from writing into the folder while the folder is being removed (which left the
    /// folder behind).
    fn drop(&mut self) {
        let slot = self
            .writer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(writer) = slot.take()
            && let Err(error) = writer.wait_merging_threads()
        {
            tracing::warn!(%error, "a search index merge failed while the index was dropped");
        }
    }
}

impl Inner {
    /// The writer, created on first use (the lock is held by the caller).
    pub(super) fn writer<'a>(
        &self,
        slot: &'a mut Option<IndexWriter>,
    ) -> Result<&'a mut IndexWriter, SearchError> {
        Ok(match slot {
            Some(writer) => writer,
            None => {
                let writer = self.index.writer_with_num_threads(1, LIVE_ARENA_BYTES)?;
                // Live edits delete an entry's old version and add the new one. tantivy's
                // default never merges a segment for its deletes, so the large segment of
                // the initial build kept every replaced entry: memory grew stepwise over a
                // 2,000-edit soak. Rewriting a segment once a quarter of it is deleted bounds
                // that at about a quarter of the index.
                let mut policy = tantivy::indexer::LogMergePolicy::default();
                policy.set_del_docs_ratio_before_merge(DELETED_SHARE_BEFORE_MERGE);
                writer.set_merge_policy(Box::new(policy));
                slot.insert(writer)
            }
        })
    }
}

/// Adds every entry of `doc` under a fresh page number (not committed).
pub(super) fn add_document(
    writer: &IndexWriter,
    fields: &Fields,
    pages: &mut Pages,
    doc: &Arc<Document>,
) -> Result<(), SearchError> {
    let number = pages.by_number.len() as u64;
    let tags: Vec<String> = doc.tags.iter().map(|t| t.trim().to_lowercase()).collect();
    let tag_ids: Vec<u32> = tags.iter().map(|t| pages.tag_number(t)).collect();
    let summary = doc.summary.clone().unwrap_or_default();
    let path = schema::path_words(doc);
    let owner = doc.owner.clone().unwrap_or_default();
    let folder = schema::landing_folder(doc).and_then(super::tokenizer::normalize);
    let body = doc.body.texts();
    let entries = schema::entries(doc, &body);
    for (ord, entry) in entries.iter().enumerate() {
        let mut d = doc!(
            fields.id => doc.id.as_str(),
            fields.page => number,
            fields.ord => ord as u64,
            fields.kind => doc.kind.as_str(),
            fields.title => doc.title.as_str(),
            fields.heading => entry.heading,
            fields.body => entry.text.as_ref(),
            fields.summary => summary.as_str(),
            fields.tags => tags.join(" "),
            fields.owner => owner.as_str(),
            fields.path => path.as_str(),
        );
        if let Some(folder) = &folder {
            d.add_text(fields.folder, folder);
        }
        for tag in &tags {
            d.add_text(fields.tag, tag);
            d.add_text(fields.spell, tag);
        }
        for phrase in doc.aliases.iter().chain(&doc.symptoms) {
            d.add_text(fields.aliases, phrase);
            d.add_text(fields.spell, phrase);
        }
        for text in [doc.title.as_str(), entry.heading, entry.text.as_ref()] {
            d.add_text(fields.spell, text);
        }
        if ord == 0 {
            let names = std::iter::once(&doc.title)
                .chain(&tags)
                .chain(&doc.aliases)
                .chain(&doc.symptoms);
            for name in names {
                d.add_text(fields.names, name);
            }
        }
        writer.add_document(d)?;
    }
    let meta = PageMeta {
        doc: Arc::clone(doc),
        summary: schema::display_summary(doc, &body),
        tag_ids,
        places: entries.iter().map(|e| e.place).collect(),
    };
    pages.by_number.push(Some(Arc::new(meta)));
    pages.by_id.insert(doc.id.clone(), number);
    Ok(())
}
