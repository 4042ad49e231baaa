//! The vector cache: every passage vector ever computed, in one append-only file under the
//! data folder (`<data>/semantic/vectors.bin`), keyed by the passage's content hash.
//!
//! A restart reads it back and embeds only passages whose text changed; an edit appends
//! the new passages' vectors. A record is fixed-size, so a write cut short by a crash
//! leaves at most one partial record at the end, which loading drops. The file is
//! rewritten with only the live vectors when more than half of it is stale.
//!
//! ```text
//! header: "selfserve-vectors\n" (18 bytes) · dims u32 LE · model id, 46 bytes, zero-padded
//! record: hash (32 bytes) · scale f32 LE · DIMS signed bytes
//! ```

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::SemanticError;
use super::model::{DIMS, MODEL_ID};
use super::vectors::{PassageHash, Quantized};

const MAGIC: &[u8; 18] = b"selfserve-vectors\n";
const MODEL_FIELD: usize = 46;
const HEADER: usize = MAGIC.len() + 4 + MODEL_FIELD;
const RECORD: usize = 32 + 4 + DIMS;
const FILE_NAME: &str = "vectors.bin";

/// The cache file, open for appending.
#[derive(Debug)]
pub struct VectorCache {
    path: PathBuf,
    file: BufWriter<File>,
    records: usize,
}

impl VectorCache {
    /// Opens (or creates) the cache in `folder` and reads every vector in it. A file made
    /// by another model or format is set aside (renamed `.old`) and a new one started.
    pub fn open(folder: &Path) -> Result<(Self, HashMap<PassageHash, Quantized>), SemanticError> {
        let io = |source| SemanticError::Cache {
            path: folder.to_path_buf(),
            source,
        };
        fs::create_dir_all(folder).map_err(io)?;
        let path = folder.join(FILE_NAME);
        let mut vectors = HashMap::new();
        let mut valid_len = 0u64;
        if let Ok(mut file) = File::open(&path) {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(io)?;
            if bytes.len() >= HEADER && bytes[..HEADER] == header() {
                let body = &bytes[HEADER..];
                for record in body.chunks_exact(RECORD) {
                    if let Some((hash, vector)) = decode(record) {
                        vectors.insert(hash, vector);
                    }
                }
                valid_len = (HEADER + body.len() / RECORD * RECORD) as u64;
            } else if !bytes.is_empty() {
                tracing::warn!(path = %path.display(), "the vector cache was made by another model or version; starting a new one");
                fs::rename(&path, path.with_extension("bin.old")).map_err(io)?;
            }
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        if valid_len == 0 {
            file.set_len(0).map_err(io)?;
            file.write_all(&header()).map_err(io)?;
        } else {
            // Drops a record cut short by a crash.
            file.set_len(valid_len).map_err(io)?;
        }
        let records = vectors.len();
        Ok((
            Self {
                path,
                file: BufWriter::new(file),
                records,
            },
            vectors,
        ))
    }

    /// Appends one vector (buffered; call [`Self::flush`]).
    pub fn append(&mut self, hash: &PassageHash, vector: &Quantized) -> Result<(), SemanticError> {
        self.file
            .write_all(&encode(hash, vector))
            .map_err(|source| self.error(source))?;
        self.records += 1;
        Ok(())
    }

    /// Writes buffered vectors to the file.
    pub fn flush(&mut self) -> Result<(), SemanticError> {
        self.file.flush().map_err(|source| self.error(source))
    }

    /// Vectors in the file, stale ones included.
    #[cfg(test)]
    pub fn records(&self) -> usize {
        self.records
    }

    /// Rewrites the file with only `live` when more than half of it is stale; written to
    /// a temporary file and renamed over the old one, so a crash keeps one whole file.
    pub fn compact<'a>(
        &mut self,
        live: impl Iterator<Item = (&'a PassageHash, Quantized)>,
        live_count: usize,
    ) -> Result<bool, SemanticError> {
        if self.records <= live_count.saturating_mul(2).max(1_000) {
            return Ok(false);
        }
        self.flush()?;
        let fresh = self.path.with_extension("bin.new");
        let mut out = BufWriter::new(File::create(&fresh).map_err(|e| self.error(e))?);
        out.write_all(&header()).map_err(|e| self.error(e))?;
        let mut written = 0;
        for (hash, vector) in live {
            out.write_all(&encode(hash, &vector))
                .map_err(|e| self.error(e))?;
            written += 1;
        }
        let file = out.into_inner().map_err(|e| self.error(e.into_error()))?;
        file.sync_all().map_err(|e| self.error(e))?;
        fs::rename(&fresh, &self.path).map_err(|e| self.error(e))?;
        let file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(|e| self.error(e))?;
        self.file = BufWriter::new(file);
        self.records = written;
        Ok(true)
    }

    fn error(&self, source: std::io::Error) -> SemanticError {
        SemanticError::Cache {
            path: self.path.clone(),
            source,
        }
    }
}

fn header() -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..MAGIC.len()].copy_from_slice(MAGIC);
    h[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&(DIMS as u32).to_le_bytes());
    let id = MODEL_ID.as_bytes();
    let n = id.len().min(MODEL_FIELD);
    h[MAGIC.len() + 4..MAGIC.len() + 4 + n].copy_from_slice(&id[..n]);
    h
}

fn encode(hash: &PassageHash, vector: &Quantized) -> Vec<u8> {
    let mut out = Vec::with_capacity(RECORD);
    out.extend_from_slice(hash);
    out.extend_from_slice(&vector.scale.to_le_bytes());
    out.extend(vector.values.iter().map(|v| v.to_le_bytes()[0]));
    out
}

fn decode(record: &[u8]) -> Option<(PassageHash, Quantized)> {
    let hash: PassageHash = record.get(..32)?.try_into().ok()?;
    let scale = f32::from_le_bytes(record.get(32..36)?.try_into().ok()?);
    if !scale.is_finite() || scale <= 0.0 {
        return None;
    }
    let values = record
        .get(36..36 + DIMS)?
        .iter()
        .map(|b| i8::from_le_bytes([*b]))
        .collect();
    Some((hash, Quantized { scale, values }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(seed: i8) -> Quantized {
        Quantized {
            scale: 0.01,
            values: (0..DIMS).map(|i| seed.wrapping_add(i as i8)).collect(),
        }
    }

    #[test]
    fn vectors_survive_a_reopen_and_a_torn_last_record_is_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut cache, found) = VectorCache::open(dir.path()).expect("opens");
        assert!(found.is_empty());
        cache.append(&[1; 32], &vector(1)).expect("append");
        cache.append(&[2; 32], &vector(2)).expect("append");
        cache.flush().expect("flush");
        drop(cache);
        // A crash mid-write: half a record at the end.
        let path = dir.path().join(FILE_NAME);
        let mut file = OpenOptions::new().append(true).open(&path).expect("open");
        file.write_all(&[9; RECORD / 2]).expect("write");
        drop(file);
        let (mut cache, found) = VectorCache::open(dir.path()).expect("reopens");
        assert_eq!(found.len(), 2);
        assert_eq!(found.get(&[2; 32]), Some(&vector(2)));
        cache.append(&[3; 32], &vector(3)).expect("append");
        cache.flush().expect("flush");
        drop(cache);
        let (_, found) = VectorCache::open(dir.path()).expect("reopens");
        assert_eq!(found.len(), 3, "the torn record was cut before appending");
    }

    #[test]
    fn a_file_from_another_model_is_set_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(FILE_NAME), b"something else entirely").expect("write");
        let (_, found) = VectorCache::open(dir.path()).expect("opens");
        assert!(found.is_empty());
        assert!(dir.path().join("vectors.bin.old").exists());
    }

    #[test]
    fn compaction_keeps_only_live_vectors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut cache, _) = VectorCache::open(dir.path()).expect("opens");
        for n in 0..1_200u32 {
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&n.to_le_bytes());
            cache.append(&hash, &vector(1)).expect("append");
        }
        let live = [[7u8; 32]];
        let compacted = cache
            .compact(live.iter().map(|h| (h, vector(7))), 1)
            .expect("compacts");
        assert!(compacted);
        assert_eq!(cache.records(), 1);
        drop(cache);
        let (_, found) = VectorCache::open(dir.path()).expect("reopens");
        assert_eq!(found.len(), 1);
        assert_eq!(found.get(&[7; 32]), Some(&vector(7)));
    }
}
