-- Evidence holding personal data (孕产妇, 精神病人 lists: 个人信息保护法): marked by the
-- uploader, opened only by those entitled, each opening in the audit log; its bytes are
-- deleted once the campaign is locked and its retention has run (purged_at), the row
-- with its name and SHA-256 kept.
ALTER TABLE evidence ADD COLUMN personal BIGINT NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN purged_at BIGINT;
