//! Standard Webhooks signatures: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
//! under the endpoint's secret, so any receiver with the spec's libraries can verify a
//! message (and its age, against replays).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of a secret in the specification's form.
pub const SECRET_PREFIX: &str = "whsec_";

/// An endpoint's signing key: `whsec_` and base64 of 24 to 64 random bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    key: Vec<u8>,
}

impl std::fmt::Debug for Secret {
    /// Never the key: settings are logged and printed in errors.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(whsec_…)")
    }
}

impl Secret {
    /// Parses `whsec_BASE64`. The error says what to write instead (without the value).
    pub fn parse(text: &str) -> Result<Secret, String> {
        let text = text.trim();
        let Some(encoded) = text.strip_prefix(SECRET_PREFIX) else {
            return Err(format!(
                "write the secret in the Standard Webhooks form, `{SECRET_PREFIX}` and base64 of 24 to 64 random bytes \
                 (for example `{SECRET_PREFIX}$(head -c 32 /dev/urandom | base64)`)"
            ));
        };
        let key = STANDARD.decode(encoded).map_err(|_| {
            format!("the part after `{SECRET_PREFIX}` is not base64; write `{SECRET_PREFIX}` and base64 of 24 to 64 random bytes")
        })?;
        if !(24..=64).contains(&key.len()) {
            return Err(format!(
                "the secret holds {} bytes; write `{SECRET_PREFIX}` and base64 of 24 to 64 random bytes",
                key.len()
            ));
        }
        Ok(Secret { key })
    }

    /// The `webhook-signature` header's value for one attempt.
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &str) -> String {
        // `new_from_slice` accepts keys of any length for HMAC; the error arm is unreachable
        // but costs nothing to keep total.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return String::new();
        };
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of the Standard Webhooks reference libraries.
    #[test]
    fn signs_the_specification_test_vector() {
        let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
        let signature = secret.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn malformed_secrets_are_refused_with_a_sentence() {
        for bad in [
            "",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_***",
            "whsec_YWJj",
        ] {
            let err = Secret::parse(bad).expect_err(bad);
            assert!(err.contains("whsec_"), "{err}");
        }
        let secret = Secret::parse(" whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ").expect("trimmed");
        assert!(!format!("{secret:?}").contains("MfKQ"));
    }
}
