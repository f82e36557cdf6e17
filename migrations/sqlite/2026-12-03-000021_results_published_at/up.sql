-- When a result set was published (announced to the contestants). The appeal window (申诉期)
-- counts from the event's first publication, not from the first computation, which nobody saw.
ALTER TABLE result_sets ADD COLUMN published_at TIMESTAMP;
UPDATE result_sets SET published_at = computed_at WHERE status IN ('publicity', 'final');
