-- Chat transcripts go out through the email channels' sender: email_outbound
-- takes a third kind of mail, a chat channel names the email channel it
-- sends from, and a transcript records how far it got.
ALTER TABLE email_outbound DROP CONSTRAINT IF EXISTS email_outbound_kind_check;
ALTER TABLE email_outbound ADD CONSTRAINT email_outbound_kind_check CHECK (kind IN ('reply','ack','transcript'));

ALTER TABLE chat_channels ADD COLUMN email_channel_id BIGINT REFERENCES email_channels(id) ON DELETE SET NULL;

-- state: queued (waiting for the sender), held (no email channel can send
-- it: reason says why; retried when one can), handed (outbound_id is the
-- mail, whose status says whether it went).
ALTER TABLE chat_transcripts ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE chat_transcripts ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_transcripts ADD COLUMN state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','held','handed'));
ALTER TABLE chat_transcripts ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_transcripts ADD COLUMN outbound_id BIGINT REFERENCES email_outbound(id) ON DELETE SET NULL;
CREATE INDEX chat_transcripts_state ON chat_transcripts(state, id);
