//! The sentence-embedding model (all-MiniLM-L6-v2, fp16, in `models/`): text → unit vector.
//!
//! The model's files are compiled into the binary, so a fresh clone's `cargo run` has
//! hybrid search with no download and no extra step (`models/all-minilm-l6-v2/PROVENANCE.md`
//! says where they come from). Inference runs on the CPU with candle; one passage at a time,
//! because padding a batch to its longest member cost twice the work on real sections.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{Tokenizer, TruncationParams};

use super::SemanticError;

/// Which model made a vector: part of every cached vector's key, so a different model
/// never reuses another's vectors.
pub const MODEL_ID: &str = "all-MiniLM-L6-v2/fp16";
/// Numbers per vector.
pub const DIMS: usize = 384;
/// Tokens read per passage; the model was trained on 256 and cuts there.
pub const MAX_TOKENS: usize = 256;
/// Characters of a passage handed to the tokenizer: more than 256 tokens of English ever
/// take, so nothing the model reads is lost, while a huge section is not tokenised whole.
pub const MAX_CHARS: usize = 2_000;

const WEIGHTS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/models/all-minilm-l6-v2/model.fp16.safetensors"
));
const TOKENIZER: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/models/all-minilm-l6-v2/tokenizer.json"
));
const CONFIG: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/models/all-minilm-l6-v2/config.json"
));

/// The loaded model and its tokenizer.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("model", &MODEL_ID)
            .finish()
    }
}

impl Embedder {
    /// Loads the model compiled into the binary (~0.3 s; the fp16 weights become fp32,
    /// ~90 MB, because candle's CPU kernels are fastest in fp32).
    pub fn load() -> Result<Self, SemanticError> {
        let config: Config =
            serde_json::from_str(CONFIG).map_err(|e| SemanticError::Model(e.to_string()))?;
        let weights = VarBuilder::from_slice_safetensors(WEIGHTS, DType::F32, &Device::Cpu)?;
        let model = BertModel::load(weights, &config)?;
        let mut tokenizer =
            Tokenizer::from_bytes(TOKENIZER).map_err(|e| SemanticError::Model(e.to_string()))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| SemanticError::Model(e.to_string()))?;
        Ok(Self { model, tokenizer })
    }

    /// The unit vector of `text` (mean of the token vectors, normalised), as the model
    /// was trained to be compared: by dot product.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, SemanticError> {
        self.embed_at_most(text, MAX_TOKENS)
    }

    /// [`Self::embed`] reading at most `max_tokens` word pieces (the closing separator
    /// kept): a query's cost grows with its length, and a pasted log line's meaning is in
    /// its first pieces.
    pub fn embed_at_most(&self, text: &str, max_tokens: usize) -> Result<Vec<f32>, SemanticError> {
        let text = cut(text, MAX_CHARS);
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| SemanticError::Model(e.to_string()))?;
        let all = encoding.get_ids();
        let mut ids: Vec<u32> = all.iter().copied().take(max_tokens.max(2)).collect();
        if ids.len() < all.len()
            && let (Some(last), Some(kept)) = (all.last(), ids.last_mut())
        {
            *kept = *last;
        }
        let ids = Tensor::new(ids.as_slice(), &Device::Cpu)?.unsqueeze(0)?;
        let types = ids.zeros_like()?;
        // One unpadded passage: every token is real, so no mask is needed.
        let tokens = self.model.forward(&ids, &types, None)?;
        let mean = tokens.mean(1)?.squeeze(0)?;
        let mut vector: Vec<f32> = mean.to_vec1()?;
        normalise(&mut vector);
        Ok(vector)
    }
}

/// Scales `v` to length 1 (a zero vector stays zero).
pub fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v {
            *x /= norm;
        }
    }
}

/// At most `max` characters of `text`, cut on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_whole_characters() {
        assert_eq!(cut("héllo", 2), "hé");
        assert_eq!(cut("hi", 5), "hi");
    }

    #[test]
    fn normalise_gives_unit_length() {
        let mut v = vec![3.0, 4.0];
        normalise(&mut v);
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        let mut zero = vec![0.0; 3];
        normalise(&mut zero);
        assert_eq!(zero, vec![0.0; 3]);
    }

    #[test]
    fn a_long_text_read_to_a_token_limit_keeps_its_meaning() {
        let model = Embedder::load().expect("the model loads");
        let line = "level=error msg=\"certificate has expired or is not yet valid\" component=kafka-consumer retry=5 offset=46 partition=46 topic=__consumer_offsets time=2024-09-09T11:12:31Z";
        let whole = model.embed(line).expect("embeds");
        let cut = model.embed_at_most(line, 24).expect("embeds");
        let dot: f32 = whole.iter().zip(&cut).map(|(a, b)| a * b).sum();
        assert!(dot > 0.6, "{dot}");
        assert_ne!(whole, cut);
    }

    #[test]
    fn similar_sentences_are_closer_than_unrelated_ones() {
        let model = Embedder::load().expect("the model loads");
        let a = model
            .embed("How do I roll back a deployment?")
            .expect("embeds");
        let b = model
            .embed("Reverting an application to a previous release")
            .expect("embeds");
        let c = model.embed("The cat sat on the mat.").expect("embeds");
        let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
        assert_eq!(a.len(), DIMS);
        assert!((dot(&a, &a) - 1.0).abs() < 1e-4);
        assert!(
            dot(&a, &b) > dot(&a, &c) + 0.2,
            "{} vs {}",
            dot(&a, &b),
            dot(&a, &c)
        );
    }
}
