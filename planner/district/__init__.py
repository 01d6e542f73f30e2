"""The district (issue 21): district, sub-district and community staff (区/街道/社区) bound
to a set of estates by the global admin, and their read-only overview of those estates
(decisions, tenders and savings, funding against the residents' band, collection, final
accounts, needs): aggregates only, never a person's name, ballot or payment."""
