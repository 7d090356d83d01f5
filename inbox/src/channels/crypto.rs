//! Provider credentials at rest: AES-256-GCM under `INBOX_SECRET_KEY`. A sealed value is the
//! 12-byte random nonce followed by the ciphertext; the associated data binds it to its channel,
//! so a value copied onto another row does not decrypt.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use anyhow::{bail, Context};

pub struct Cipher(Aes256Gcm);

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(<redacted>)")
    }
}

const NONCE_LEN: usize = 12;

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Cipher {
        Cipher(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)))
    }

    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> anyhow::Result<Vec<u8>> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .0
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            bail!("sealed value too short");
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| {
                anyhow::anyhow!(
                    "cannot decrypt: wrong INBOX_SECRET_KEY, or the value was tampered with"
                )
            })
            .context("stored channel credentials")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_channel() {
        let cipher = Cipher::new(&[7; 32]);
        let sealed = cipher.seal(b"meta:1", b"token").unwrap();
        assert_ne!(&sealed[NONCE_LEN..], b"token");
        assert_eq!(cipher.open(b"meta:1", &sealed).unwrap(), b"token");
        assert!(
            cipher.open(b"meta:2", &sealed).is_err(),
            "bound to its channel"
        );
        assert!(
            Cipher::new(&[8; 32]).open(b"meta:1", &sealed).is_err(),
            "needs the same key"
        );
        let mut tampered = sealed.clone();
        tampered[NONCE_LEN] ^= 1;
        assert!(cipher.open(b"meta:1", &tampered).is_err());
        assert_ne!(
            cipher.seal(b"meta:1", b"token").unwrap(),
            sealed,
            "a fresh nonce every time"
        );
    }
}
