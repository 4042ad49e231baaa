//! Maps offsets of the text the pre-pass wrote back to the author's text, so every
//! position reported after the pre-pass still points at the right line and column.

/// One run of prepared text and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// Start in the prepared text.
    prepared: usize,
    /// Start in the body (for synthetic runs: the construct they stand for).
    body: usize,
    /// Length in bytes.
    len: usize,
    /// True when the run was written by the pre-pass, not by the author.
    synthetic: bool,
}

/// Maps offsets of the prepared text back to offsets of the body.
#[derive(Debug, Clone, Default)]
pub(super) struct SourceMap {
    segments: Vec<Segment>,
}

impl SourceMap {
    /// Records that `len` bytes written at `prepared` came from body offset `body`.
    /// Adjacent original runs merge, keeping the map small.
    pub fn push(&mut self, prepared: usize, body: usize, len: usize, synthetic: bool) {
        if len == 0 {
            return;
        }
        match self.segments.last_mut() {
            Some(last)
                if !synthetic
                    && !last.synthetic
                    && last.prepared + last.len == prepared
                    && last.body + last.len == body =>
            {
                last.len += len;
            }
            _ => self.segments.push(Segment {
                prepared,
                body,
                len,
                synthetic,
            }),
        }
    }

    /// The run containing `prepared` (or the last one before it).
    fn segment(&self, prepared: usize) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.prepared <= prepared);
        self.segments.get(i.checked_sub(1)?)
    }

    /// The body offset of a prepared-text offset. Synthetic text maps to the start of the
    /// construct it stands for.
    pub fn to_body(&self, prepared: usize) -> usize {
        match self.segment(prepared) {
            Some(s) if s.synthetic => s.body,
            Some(s) => s.body + (prepared - s.prepared).min(s.len),
            None => 0,
        }
    }

    /// True when any byte in `range` was written by the pre-pass.
    pub fn any_synthetic(&self, range: std::ops::Range<usize>) -> bool {
        let first = self
            .segments
            .partition_point(|s| s.prepared + s.len <= range.start);
        self.segments
            .get(first..)
            .unwrap_or(&[])
            .iter()
            .take_while(|s| s.prepared < range.end)
            .any(|s| s.synthetic)
    }

    /// True when the byte at `prepared` was written by the pre-pass.
    pub fn is_synthetic(&self, prepared: usize) -> bool {
        self.segment(prepared)
            .is_some_and(|s| s.synthetic && prepared < s.prepared + s.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_original_runs_and_pins_synthetic_ones() {
        let mut map = SourceMap::default();
        map.push(0, 0, 4, false); // "abc\n" copied
        map.push(4, 4, 3, true); // "<x>" written for the construct at 4
        map.push(7, 8, 2, false); // "ef" copied after skipping one byte
        map.push(9, 10, 2, false); // continues the previous run: merged
        assert_eq!(map.to_body(2), 2);
        assert_eq!(map.to_body(5), 4);
        assert_eq!(map.to_body(8), 9);
        assert_eq!(map.to_body(10), 11);
        assert!(map.is_synthetic(4) && map.is_synthetic(6) && !map.is_synthetic(7));
        assert!(map.any_synthetic(3..5) && !map.any_synthetic(7..11));
    }
}
