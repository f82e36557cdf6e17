//! The audit trail is a hash chain: each record's hash covers its own fields and the previous
//! record's hash, so an edited, inserted or deleted record breaks every link after it.

use sha2::{Digest, Sha256};

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

/// SHA-256 (hex) over the previous hash and every field, each length-prefixed so that no two
/// different records can produce the same input.
pub fn record_hash(prev_hash: &str, f: &ChainedFields) -> String {
    let mut hasher = Sha256::new();
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
            None => hasher.update(b"-;"),
            Some(text) => {
                hasher.update(text.len().to_string().as_bytes());
                hasher.update(b":");
                hasher.update(text.as_bytes());
                hasher.update(b";");
            }
        }
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
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
            ChainBreak::HeadMismatch { head_seq, last_seq } => {
                write!(f, "the chain head names record {head_seq} but the last record is {last_seq}: records at the end were removed or altered")
            }
        }
    }
}

/// Checks one record against the previous one; `stored_hash` is what the row says.
pub fn check_link(
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
    if record_hash(prev_hash, f) != stored_hash {
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
        let a = record_hash(GENESIS_HASH, &fields(1, "{\"name\":\"A\"}"));
        let b = record_hash(GENESIS_HASH, &fields(1, "{\"name\":\"B\"}"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let mut f = fields(1, "x");
        f.request_id = Some("");
        let with_empty = record_hash(GENESIS_HASH, &f);
        f.request_id = None;
        assert_ne!(with_empty, record_hash(GENESIS_HASH, &f));
    }

    #[test]
    fn links_report_edits_gaps_and_removals() {
        let f1 = fields(1, "x");
        let h1 = record_hash(GENESIS_HASH, &f1);
        assert_eq!(check_link(1, GENESIS_HASH, GENESIS_HASH, &h1, &f1), Ok(()));
        assert_eq!(check_link(1, GENESIS_HASH, GENESIS_HASH, "bad", &f1), Err(ChainBreak::HashMismatch { seq: 1 }));
        let f3 = fields(3, "y");
        assert_eq!(check_link(2, &h1, &h1, "h", &f3), Err(ChainBreak::Gap { expected: 2, found: 3 }));
        let f2 = fields(2, "y");
        assert_eq!(check_link(2, &h1, GENESIS_HASH, "h", &f2), Err(ChainBreak::BrokenLink { seq: 2 }));
    }
}
