-- Party rosters as the organisation department keeps them (docs/PARTY.md, "Roster import"): a
-- member's gender, birth date and resident ID number (personal data, privacy class party_member),
-- the ID number identifying the person across imports (NULL when not known: older rows); and the
-- member count an organisation reports, kept beside the count of its roster.
ALTER TABLE party_members ADD COLUMN gender TEXT NOT NULL DEFAULT '';
ALTER TABLE party_members ADD COLUMN birth_date TEXT NOT NULL DEFAULT '';
ALTER TABLE party_members ADD COLUMN id_number TEXT;
CREATE UNIQUE INDEX party_members_id_number ON party_members(id_number);
ALTER TABLE party_orgs ADD COLUMN reported_members INTEGER NOT NULL DEFAULT 0;
