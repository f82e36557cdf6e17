//! The audit trail is a hash chain: each record's hash covers its own fields and the previous
//! record's hash, so an edited, inserted or deleted record breaks every link after it.
//!
//! The hash is keyed (HMAC-SHA256) with a secret that is not in the database
//! (`SKILLCOMP_AUDIT_KEY`): whoever owns the database can drop the triggers and rewrite rows, but
//! cannot recompute the seals, so a consistent rewrite still shows. Records written before the key
//! was introduced keep their plain SHA-256 seals; which records those are is vouched for by the
//! settings (`SKILLCOMP_AUDIT_KEYED_FROM`), never by the database, so no one can declare the
//! whole trail "from before keying" and reseal it without the key. A signed *anchor* of the head (`skillcomp audit-anchor`), kept outside, also catches a
//! rewrite by someone who has the key: the anchored record must still carry the anchored hash.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The chain's secret. Never stored in the database.
#[derive(Clone)]
pub struct ChainKey(Vec<u8>);

impl ChainKey {
    pub fn new(secret: &[u8]) -> ChainKey {
        ChainKey(secret.to_vec())
    }

    fn seal(&self, bytes: &[u8]) -> String {
        // HMAC takes a key of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key length");
        mac.update(bytes);
        hex(&mac.finalize().into_bytes())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash before the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields a record's hash covers, in a fixed order.
pub struct ChainedFields<'a> {
    pub seq: i64,
    pub id: &'a str,
    /// RFC 3339 with microseconds, UTC.
    pub at: &'a str,
    pub actor_user_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub before_json: Option<&'a str>,
    pub after_json: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

/// HMAC-SHA256 with `key` (plain SHA-256 without, for records from before keying), hex, over the
/// previous hash and every field, each length-prefixed so that no two different records can
/// produce the same input.
pub fn record_hash(key: Option<&ChainKey>, prev_hash: &str, f: &ChainedFields) -> String {
    let mut input = Vec::new();
    let seq = f.seq.to_string();
    let parts: [Option<&str>; 11] = [
        Some(prev_hash),
        Some(&seq),
        Some(f.id),
        Some(f.at),
        f.actor_user_id,
        Some(f.action),
        Some(f.entity_type),
        f.entity_id,
        f.before_json,
        f.after_json,
        f.request_id,
    ];
    for part in parts {
        match part {
            None => input.extend_from_slice(b"-;"),
            Some(text) => {
                input.extend_from_slice(text.len().to_string().as_bytes());
                input.push(b':');
                input.extend_from_slice(text.as_bytes());
                input.push(b';');
            }
        }
    }
    match key {
        Some(key) => key.seal(&input),
        None => hex(&Sha256::digest(&input)),
    }
}

const ANCHOR_PREFIX: &str = "skillcomp-audit-anchor v1";

/// A line to keep outside the system (printed, filed, mailed to the supervising body): the head's
/// sequence number and hash, signed with the key so that it cannot be made up later.
pub fn anchor_line(key: &ChainKey, seq: i64, hash: &str) -> String {
    let signature = key.seal(format!("anchor|{seq}|{hash}").as_bytes());
    format!("{ANCHOR_PREFIX} seq={seq} hash={hash} sig={signature}")
}

/// The (sequence number, hash) an anchor line vouches for, if its signature is the key's.
pub fn read_anchor(key: &ChainKey, line: &str) -> Result<(i64, String), String> {
    let rest = line.trim().strip_prefix(ANCHOR_PREFIX).ok_or("not a skillcomp audit anchor")?;
    let mut seq = None;
    let mut hash = None;
    let mut sig = None;
    for part in rest.split_whitespace() {
        match part.split_once('=') {
            Some(("seq", v)) => seq = v.parse::<i64>().ok(),
            Some(("hash", v)) => hash = Some(v.to_string()),
            Some(("sig", v)) => sig = Some(v.to_string()),
            _ => return Err(format!("unexpected '{part}' in the anchor")),
        }
    }
    let (Some(seq), Some(hash), Some(sig)) = (seq, hash, sig) else {
        return Err("the anchor needs seq=, hash= and sig=".into());
    };
    if anchor_line(key, seq, &hash) != format!("{ANCHOR_PREFIX} seq={seq} hash={hash} sig={sig}") {
        return Err("the anchor's signature is not this installation's key: it was altered or made elsewhere".into());
    }
    Ok((seq, hash))
}

/// What a walk over the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The record's stored hash is not the hash of its fields: it was edited.
    HashMismatch { seq: i64 },
    /// The record does not point at the previous record's hash: one was removed or inserted.
    BrokenLink { seq: i64 },
    /// Sequence numbers skip: records are missing before this one.
    Gap { expected: i64, found: i64 },
    /// The chain's head says there should be more (or other) records at the end.
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// The record carries a seal without the key, from before keying began at `keyed_from` (by
    /// the database), which the installation's settings have not vouched for.
    Unkeyed { seq: i64, keyed_from: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::HashMismatch { seq } => {
                write!(f, "record {seq} was altered: its hash does not match its contents")
            }
            ChainBreak::BrokenLink { seq } => {
                write!(f, "record {seq} does not follow the record before it: a record was removed or inserted")
            }
            ChainBreak::Gap { expected, found } => write!(f, "records {expected} to {} are missing", found - 1),
            ChainBreak::Unkeyed { seq, keyed_from } => write!(
                f,
                "record {seq} is sealed without the key: if records before {keyed_from} are this installation's history from before keying, set SKILLCOMP_AUDIT_KEYED_FROM={keyed_from}"
            ),
            ChainBreak::HeadMismatch { head_seq, last_seq } => {
                write!(f, "the chain head names record {head_seq} but the last record is {last_seq}: records at the end were removed or altered")
            }
        }
    }
}

/// Checks one record against the previous one; `stored_hash` is what the row says.
pub fn check_link(
    key: Option<&ChainKey>,
    expected_seq: i64,
    prev_hash: &str,
    stored_prev: &str,
    stored_hash: &str,
    f: &ChainedFields,
) -> Result<(), ChainBreak> {
    if f.seq != expected_seq {
        return Err(ChainBreak::Gap { expected: expected_seq, found: f.seq });
    }
    if stored_prev != prev_hash {
        return Err(ChainBreak::BrokenLink { seq: f.seq });
    }
    if record_hash(key, prev_hash, f) != stored_hash {
        return Err(ChainBreak::HashMismatch { seq: f.seq });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(seq: i64, after: &str) -> ChainedFields<'_> {
        ChainedFields {
            seq,
            id: "id",
            at: "2026-11-24T00:00:00.000000Z",
            actor_user_id: Some("u"),
            action: "organisation.create",
            entity_type: "organisation",
            entity_id: Some("o"),
            before_json: None,
            after_json: Some(after),
            request_id: None,
        }
    }

    #[test]
    fn a_changed_field_changes_the_hash() {
        let a = record_hash(None, GENESIS_HASH, &fields(1, "{\"name\":\"A\"}"));
        let b = record_hash(None, GENESIS_HASH, &fields(1, "{\"name\":\"B\"}"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let mut f = fields(1, "x");
        f.request_id = Some("");
        let with_empty = record_hash(None, GENESIS_HASH, &f);
        f.request_id = None;
        assert_ne!(with_empty, record_hash(None, GENESIS_HASH, &f));
    }

    #[test]
    fn links_report_edits_gaps_and_removals() {
        let f1 = fields(1, "x");
        let h1 = record_hash(None, GENESIS_HASH, &f1);
        assert_eq!(check_link(None, 1, GENESIS_HASH, GENESIS_HASH, &h1, &f1), Ok(()));
        assert_eq!(
            check_link(None, 1, GENESIS_HASH, GENESIS_HASH, "bad", &f1),
            Err(ChainBreak::HashMismatch { seq: 1 })
        );
        let f3 = fields(3, "y");
        assert_eq!(check_link(None, 2, &h1, &h1, "h", &f3), Err(ChainBreak::Gap { expected: 2, found: 3 }));
        let f2 = fields(2, "y");
        assert_eq!(check_link(None, 2, &h1, GENESIS_HASH, "h", &f2), Err(ChainBreak::BrokenLink { seq: 2 }));
    }

    #[test]
    fn a_keyed_seal_cannot_be_recomputed_without_the_key() {
        let key = ChainKey::new(b"the installation's secret");
        let f = fields(1, "{}");
        let sealed = record_hash(Some(&key), GENESIS_HASH, &f);
        assert_ne!(sealed, record_hash(None, GENESIS_HASH, &f), "not the plain hash");
        assert_ne!(sealed, record_hash(Some(&ChainKey::new(b"a guess")), GENESIS_HASH, &f));
        assert!(check_link(Some(&key), 1, GENESIS_HASH, GENESIS_HASH, &sealed, &f).is_ok());
        let plain = record_hash(None, GENESIS_HASH, &f);
        assert_eq!(
            check_link(Some(&key), 1, GENESIS_HASH, GENESIS_HASH, &plain, &f),
            Err(ChainBreak::HashMismatch { seq: 1 })
        );
    }

    #[test]
    fn an_anchor_reads_back_only_with_its_key_and_unaltered() {
        let key = ChainKey::new(b"k");
        let line = anchor_line(&key, 42, "ab12");
        assert_eq!(read_anchor(&key, &line), Ok((42, "ab12".to_string())));
        assert!(read_anchor(&ChainKey::new(b"other"), &line).is_err());
        assert!(read_anchor(&key, &line.replace("seq=42", "seq=41")).is_err());
        assert!(read_anchor(&key, "seq=1 hash=x sig=y").is_err());
    }
}
