-- 0001_core: the entities of FEEDS.md, versioned row by row, and the reference data.
--
-- Row versioning. A nightly run must be able to read again, later, exactly
-- the rows it used. So no row is ever updated in place or deleted:
--
--   <entity>s            one row per key (identity table): the target of
--                        foreign keys, e.g. employers(employer_id).
--   <entity>_versions    one row per (key, version), version = 1, 2, ... per
--                        key, holding the full content of that version plus
--                          content_sha256  hex SHA-256 of the content (child
--                                          lists included), computed by the
--                                          loader, to skip unchanged rows;
--                          withdrawn       the key left its source (a snapshot
--                                          load no longer lists it); a
--                                          withdrawal is a new version;
--                          is_current      true on exactly the latest version
--                                          (partial unique index: at most one);
--                          feed_id         the load that wrote the version
--                                          (foreign key added with the feeds
--                                          table in 0002);
--                          recorded_at     when it was written.
--   <entity>_<list>      child rows of one version, keyed (key, version, code)
--                        with an ordinal (1-based, the order of the feed's
--                        list) so lists read back in their original order.
--   current_<entity>s    view: the current version of every key (withdrawn
--                        ones included; readers filter `NOT withdrawn`).
--
-- Writing a changed row: in one transaction, set is_current = false on the
-- old version and insert version + 1 with is_current = true (and its child
-- rows). Reading the current rows:
--     SELECT * FROM current_vacancies WHERE NOT withdrawn;
-- Reading the exact version a run used (the run records key and version):
--     SELECT * FROM vacancy_versions WHERE vacancy_id = $1 AND version = $2;
--     SELECT * FROM vacancy_required_skills WHERE vacancy_id = $1 AND version = $2 ORDER BY ordinal;
--
-- Minimum wages and exchange rates are versioned the same way (keys country
-- and currency). The WHO Health Workforce Support and Safeguards List is
-- versioned by edition: who_list_editions (one current edition) and
-- who_list_entries; this migration loads the shipped 2023 edition, generated
-- from Reference/who-safeguards-2023.csv (content_sha256 is that file's).
--
-- Code formats and ranges of FEEDS.md are domains and CHECK constraints, so
-- the database refuses what the loader should never have accepted. Decimals
-- are numeric (exact), never float. Migrations run inside a transaction
-- (the migrator's): no BEGIN/COMMIT here.

-- Code formats (FEEDS.md, "Codes").
CREATE DOMAIN identifier AS text CHECK (VALUE ~ '^[A-Za-z0-9._-]{1,64}$');
CREATE DOMAIN country_code AS text CHECK (VALUE ~ '^[A-Z]{2}$');
CREATE DOMAIN currency_code AS text CHECK (VALUE ~ '^[A-Z]{3}$');
CREATE DOMAIN language_code AS text CHECK (VALUE ~ '^[a-z]{2}$');
CREATE DOMAIN isco_code AS text CHECK (VALUE ~ '^[0-9]{4}$');
CREATE DOMAIN skill_code AS text CHECK (VALUE ~ '^[a-z0-9][a-z0-9._-]{0,63}$');
CREATE DOMAIN skill_level AS smallint CHECK (VALUE BETWEEN 1 AND 4);
-- CEFR as text: its byte order A1 < A2 < ... < C2 is the level order.
CREATE DOMAIN cefr_level AS text CHECK (VALUE IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2'));
CREATE DOMAIN isced_level AS smallint CHECK (VALUE BETWEEN 0 AND 8);
CREATE DOMAIN sha256_hex AS text CHECK (VALUE ~ '^[0-9a-f]{64}$');
CREATE DOMAIN row_version AS integer CHECK (VALUE >= 1);
CREATE DOMAIN list_ordinal AS smallint CHECK (VALUE >= 1);

-- The bookkeeping columns of every *_versions table (see the top), defined
-- once and copied with LIKE; the template is dropped at the end.
CREATE TEMP TABLE versioned_row (
    content_sha256 sha256_hex NOT NULL,
    withdrawn boolean NOT NULL DEFAULT false,
    is_current boolean NOT NULL DEFAULT true,
    feed_id bigint,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Employers --------------------------------------------------------------

CREATE TABLE employers (
    employer_id identifier PRIMARY KEY,
    first_recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE employer_versions (
    employer_id identifier NOT NULL REFERENCES employers,
    version row_version NOT NULL,
    name text NOT NULL CHECK (name <> ''),
    country country_code NOT NULL,
    sector text CHECK (sector <> ''),
    iris_certified boolean NOT NULL DEFAULT false,
    blocklisted boolean NOT NULL DEFAULT false,
    LIKE versioned_row INCLUDING DEFAULTS,
    PRIMARY KEY (employer_id, version)
);
CREATE UNIQUE INDEX employer_versions_one_current ON employer_versions (employer_id) WHERE is_current;
CREATE VIEW current_employers AS SELECT * FROM employer_versions WHERE is_current;

-- Recruiters -------------------------------------------------------------

CREATE TABLE recruiters (
    recruiter_id identifier PRIMARY KEY,
    first_recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recruiter_versions (
    recruiter_id identifier NOT NULL REFERENCES recruiters,
    version row_version NOT NULL,
    name text NOT NULL CHECK (name <> ''),
    license_country country_code NOT NULL,
    license_number text CHECK (license_number <> ''),   -- NULL: unlicensed
    license_expires date,
    iris_certified boolean NOT NULL DEFAULT false,
    blocklisted boolean NOT NULL DEFAULT false,
    LIKE versioned_row INCLUDING DEFAULTS,
    PRIMARY KEY (recruiter_id, version)
);
CREATE UNIQUE INDEX recruiter_versions_one_current ON recruiter_versions (recruiter_id) WHERE is_current;
CREATE VIEW current_recruiters AS SELECT * FROM recruiter_versions WHERE is_current;

-- Vacancies --------------------------------------------------------------

CREATE TABLE vacancies (
    vacancy_id identifier PRIMARY KEY,
    first_recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vacancy_versions (
    vacancy_id identifier NOT NULL REFERENCES vacancies,
    version row_version NOT NULL,
    employer_id identifier NOT NULL REFERENCES employers,
    recruiter_id identifier REFERENCES recruiters,
    isco_code isco_code NOT NULL,
    title text NOT NULL CHECK (title <> ''),
    destination_country country_code NOT NULL,
    openings integer NOT NULL CHECK (openings >= 1),
    min_education isced_level,
    min_experience_years numeric CHECK (min_experience_years >= 0),
    monthly_wage numeric NOT NULL CHECK (monthly_wage > 0),
    currency currency_code NOT NULL,
    hours_per_week numeric NOT NULL CHECK (hours_per_week > 0),
    contract_months integer CHECK (contract_months >= 1),
    worker_fee numeric NOT NULL DEFAULT 0 CHECK (worker_fee >= 0),
    passport_retention boolean NOT NULL DEFAULT false,
    g2g_agreement boolean NOT NULL DEFAULT false,
    start_date date,
    expires_on date,
    LIKE versioned_row INCLUDING DEFAULTS,
    PRIMARY KEY (vacancy_id, version)
);
CREATE UNIQUE INDEX vacancy_versions_one_current ON vacancy_versions (vacancy_id) WHERE is_current;
CREATE INDEX vacancy_versions_employer ON vacancy_versions (employer_id);
CREATE INDEX vacancy_versions_recruiter ON vacancy_versions (recruiter_id) WHERE recruiter_id IS NOT NULL;
CREATE VIEW current_vacancies AS SELECT * FROM vacancy_versions WHERE is_current;

-- required_skills: `code:min_level:E|O`.
CREATE TABLE vacancy_required_skills (
    vacancy_id identifier NOT NULL,
    version row_version NOT NULL,
    ordinal list_ordinal NOT NULL,
    skill_code skill_code NOT NULL,
    min_level skill_level NOT NULL,
    essential boolean NOT NULL,
    PRIMARY KEY (vacancy_id, version, skill_code),
    UNIQUE (vacancy_id, version, ordinal),
    FOREIGN KEY (vacancy_id, version) REFERENCES vacancy_versions
);

-- required_languages: `code:level`.
CREATE TABLE vacancy_required_languages (
    vacancy_id identifier NOT NULL,
    version row_version NOT NULL,
    ordinal list_ordinal NOT NULL,
    language_code language_code NOT NULL,
    level cefr_level NOT NULL,
    PRIMARY KEY (vacancy_id, version, language_code),
    UNIQUE (vacancy_id, version, ordinal),
    FOREIGN KEY (vacancy_id, version) REFERENCES vacancy_versions
);

-- contract_languages: the languages the written contract is given in.
CREATE TABLE vacancy_contract_languages (
    vacancy_id identifier NOT NULL,
    version row_version NOT NULL,
    ordinal list_ordinal NOT NULL,
    language_code language_code NOT NULL,
    PRIMARY KEY (vacancy_id, version, language_code),
    UNIQUE (vacancy_id, version, ordinal),
    FOREIGN KEY (vacancy_id, version) REFERENCES vacancy_versions
);

-- Workers (pseudonymous: no names, no contact details) --------------------

CREATE TABLE workers (
    worker_id identifier PRIMARY KEY,
    first_recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE worker_versions (
    worker_id identifier NOT NULL REFERENCES workers,
    version row_version NOT NULL,
    origin_country country_code NOT NULL,
    birth_year smallint NOT NULL CHECK (birth_year BETWEEN 0 AND 9999),
    gender text CHECK (gender IN ('F', 'M', 'X')),
    education_level isced_level NOT NULL,
    -- The least the worker accepts, in USD: a whole number of cents.
    min_monthly_wage_usd numeric
        CHECK (min_monthly_wage_usd >= 0 AND min_monthly_wage_usd * 100 = trunc(min_monthly_wage_usd * 100)),
    available_from date,
    consent boolean NOT NULL,
    recruiter_id identifier REFERENCES recruiters,
    LIKE versioned_row INCLUDING DEFAULTS,
    PRIMARY KEY (worker_id, version)
);
CREATE UNIQUE INDEX worker_versions_one_current ON worker_versions (worker_id) WHERE is_current;
CREATE INDEX worker_versions_recruiter ON worker_versions (recruiter_id) WHERE recruiter_id IS NOT NULL;
CREATE VIEW current_workers AS SELECT * FROM worker_versions WHERE is_current;

-- occupations: `isco:years`, at least one per worker (the loader's rule: a
-- CHECK cannot see other rows).
CREATE TABLE worker_occupations (
    worker_id identifier NOT NULL,
    version row_version NOT NULL,
    ordinal list_ordinal NOT NULL,
    isco_code isco_code NOT NULL,
    years numeric NOT NULL CHECK (years >= 0),
    PRIMARY KEY (worker_id, version, isco_code),
    UNIQUE (worker_id, version, ordinal),
    FOREIGN KEY (worker_id, version) REFERENCES worker_versions
);

-- skills: `code:level`.
CREATE TABLE worker_skills (
    worker_id identifier NOT NULL,
    version row_version NOT NULL,
    ordinal list_ordinal NOT NULL,
    skill_code skill_code NOT NULL,
    level skill_level NOT NULL,
    PRIMARY KEY (worker_id, version, skill_code),
    UNIQUE (worker_id, version, ordinal),
    FOREIGN KEY (worker_id, version) REFERENCES worker_versions
);

-- languages: `code:level` (CEFR).
CREATE TABLE worker_languages (
    worker_id identifier NOT NULL,
    version row_version NOT NULL,
    ordinal list_ordinal NOT NULL,
    language_code language_code NOT NULL,
    level cefr_level NOT NULL,
    PRIMARY KEY (worker_id, version, language_code),
    UNIQUE (worker_id, version, ordinal),
    FOREIGN KEY (worker_id, version) REFERENCES worker_versions
);

-- preferred_destinations: in order of preference (ordinal 1 = first choice).
CREATE TABLE worker_preferred_destinations (
    worker_id identifier NOT NULL,
    version row_version NOT NULL,
    ordinal list_ordinal NOT NULL,
    country country_code NOT NULL,
    PRIMARY KEY (worker_id, version, country),
    UNIQUE (worker_id, version, ordinal),
    FOREIGN KEY (worker_id, version) REFERENCES worker_versions
);

-- Reference data: minimum wages and exchange rates ----------------------

CREATE TABLE minimum_wages (
    country country_code PRIMARY KEY,
    first_recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE minimum_wage_versions (
    country country_code NOT NULL REFERENCES minimum_wages,
    version row_version NOT NULL,
    monthly_amount numeric NOT NULL CHECK (monthly_amount > 0),
    currency currency_code NOT NULL,
    LIKE versioned_row INCLUDING DEFAULTS,
    PRIMARY KEY (country, version)
);
CREATE UNIQUE INDEX minimum_wage_versions_one_current ON minimum_wage_versions (country) WHERE is_current;
CREATE VIEW current_minimum_wages AS SELECT * FROM minimum_wage_versions WHERE is_current;

CREATE TABLE fx_rates (
    currency currency_code PRIMARY KEY,
    first_recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fx_rate_versions (
    currency currency_code NOT NULL REFERENCES fx_rates,
    version row_version NOT NULL,
    usd_per_unit numeric NOT NULL CHECK (usd_per_unit > 0),
    LIKE versioned_row INCLUDING DEFAULTS,
    PRIMARY KEY (currency, version),
    -- USD is 1, whether or not a file lists it.
    CHECK (currency <> 'USD' OR usd_per_unit = 1)
);
CREATE UNIQUE INDEX fx_rate_versions_one_current ON fx_rate_versions (currency) WHERE is_current;
CREATE VIEW current_fx_rates AS SELECT * FROM fx_rate_versions WHERE is_current;

-- Reference data: the WHO Health Workforce Support and Safeguards List ----

CREATE TABLE who_list_editions (
    edition identifier PRIMARY KEY,          -- e.g. 2023; `unknown` when the file name has no year
    source text NOT NULL CHECK (source <> ''),
    content_sha256 sha256_hex NOT NULL,
    is_current boolean NOT NULL DEFAULT true,
    feed_id bigint,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX who_list_editions_one_current ON who_list_editions (is_current) WHERE is_current;

CREATE TABLE who_list_entries (
    edition identifier NOT NULL REFERENCES who_list_editions,
    country country_code NOT NULL,
    name text NOT NULL CHECK (name <> ''),
    who_region text NOT NULL CHECK (who_region IN ('AFR', 'AMR', 'SEAR', 'EUR', 'EMR', 'WPR')),
    PRIMARY KEY (edition, country)
);

CREATE VIEW current_who_list AS
    SELECT e.edition, e.country, e.name, e.who_region
    FROM who_list_entries e JOIN who_list_editions d ON d.edition = e.edition
    WHERE d.is_current;

DROP TABLE versioned_row;

-- The shipped 2023 edition: the 55 rows of Reference/who-safeguards-2023.csv, generated from it.
INSERT INTO who_list_editions (edition, source, content_sha256)
    VALUES ('2023', 'Reference/who-safeguards-2023.csv', 'fce116f6b6d1b8db2341ae90077ee4307591cbfb67361f604ab1075f165a7c9e');

INSERT INTO who_list_entries (edition, country, name, who_region) VALUES
    ('2023', 'AF', 'Afghanistan', 'EMR'),
    ('2023', 'AO', 'Angola', 'AFR'),
    ('2023', 'BD', 'Bangladesh', 'SEAR'),
    ('2023', 'BF', 'Burkina Faso', 'AFR'),
    ('2023', 'BI', 'Burundi', 'AFR'),
    ('2023', 'BJ', 'Benin', 'AFR'),
    ('2023', 'CD', 'Congo, The Democratic Republic of the', 'AFR'),
    ('2023', 'CF', 'Central African Republic', 'AFR'),
    ('2023', 'CG', 'Congo', 'AFR'),
    ('2023', 'CI', 'Côte d''Ivoire', 'AFR'),
    ('2023', 'CM', 'Cameroon', 'AFR'),
    ('2023', 'DJ', 'Djibouti', 'EMR'),
    ('2023', 'ER', 'Eritrea', 'AFR'),
    ('2023', 'ET', 'Ethiopia', 'AFR'),
    ('2023', 'FM', 'Micronesia, Federated States of', 'WPR'),
    ('2023', 'GA', 'Gabon', 'AFR'),
    ('2023', 'GH', 'Ghana', 'AFR'),
    ('2023', 'GM', 'Gambia', 'AFR'),
    ('2023', 'GN', 'Guinea', 'AFR'),
    ('2023', 'GQ', 'Equatorial Guinea', 'AFR'),
    ('2023', 'GW', 'Guinea-Bissau', 'AFR'),
    ('2023', 'HT', 'Haiti', 'AMR'),
    ('2023', 'KI', 'Kiribati', 'WPR'),
    ('2023', 'KM', 'Comoros', 'AFR'),
    ('2023', 'LA', 'Lao People''s Democratic Republic', 'WPR'),
    ('2023', 'LR', 'Liberia', 'AFR'),
    ('2023', 'LS', 'Lesotho', 'AFR'),
    ('2023', 'MG', 'Madagascar', 'AFR'),
    ('2023', 'ML', 'Mali', 'AFR'),
    ('2023', 'MR', 'Mauritania', 'AFR'),
    ('2023', 'MW', 'Malawi', 'AFR'),
    ('2023', 'MZ', 'Mozambique', 'AFR'),
    ('2023', 'NE', 'Niger', 'AFR'),
    ('2023', 'NG', 'Nigeria', 'AFR'),
    ('2023', 'NP', 'Nepal', 'SEAR'),
    ('2023', 'PG', 'Papua New Guinea', 'WPR'),
    ('2023', 'PK', 'Pakistan', 'EMR'),
    ('2023', 'RW', 'Rwanda', 'AFR'),
    ('2023', 'SB', 'Solomon Islands', 'WPR'),
    ('2023', 'SD', 'Sudan', 'EMR'),
    ('2023', 'SL', 'Sierra Leone', 'AFR'),
    ('2023', 'SN', 'Senegal', 'AFR'),
    ('2023', 'SO', 'Somalia', 'EMR'),
    ('2023', 'SS', 'South Sudan', 'AFR'),
    ('2023', 'TD', 'Chad', 'AFR'),
    ('2023', 'TG', 'Togo', 'AFR'),
    ('2023', 'TL', 'Timor-Leste', 'SEAR'),
    ('2023', 'TV', 'Tuvalu', 'WPR'),
    ('2023', 'TZ', 'Tanzania, United Republic of', 'AFR'),
    ('2023', 'UG', 'Uganda', 'AFR'),
    ('2023', 'VU', 'Vanuatu', 'WPR'),
    ('2023', 'WS', 'Samoa', 'WPR'),
    ('2023', 'YE', 'Yemen', 'EMR'),
    ('2023', 'ZM', 'Zambia', 'AFR'),
    ('2023', 'ZW', 'Zimbabwe', 'AFR');
