//! The trades use cases.
