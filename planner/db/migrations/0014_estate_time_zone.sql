-- Each estate's time zone (issue 16): what people read (minutes, payment notices, exports,
-- the web pages) shows times in it. An IANA name, checked against zoneinfo by the service.
ALTER TABLE estates ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Shanghai';
