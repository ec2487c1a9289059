"""Step 1 of the data pipeline (scripts/import_sources.py): one importer per concern, each
``run(shared, ...) -> Tables`` returning rows for the tidy CSVs of scripts/schema.py.

- curated.py: data/curated/ (policy events, curated successions, local government changes) and
  the description of every source (sources.csv, importer_sources.csv);
- history.py: regions, area teams / local offices, CCGs and STPs, 2013-2022 (chd.py: the ONS
  Code History Database and its GSS-to-ODS pairing; area_teams.py: the area teams and local
  offices, London's three area teams of 2013-15 and their successions);
- geography.py: ICBs and sub-ICB locations, their place names, ICB centroids, postcode districts;
  it runs local_authorities.py, transitions.py (July 2022, April 2023, April 2026) and
  populations.py, which share the LSOA lookups and Census 2021 weights of lsoa.py;
- organisations.py: trusts (trusts.py), ICB partners (partners.py), GP practices (practices.py,
  with practice_ccgs.py: each practice's CCG on every day 2013-2022 from the ODS membership history
  and the point-in-time editions), PCNs (pcns.py, with pcn_ccgs.py: the CCG-era ePCN editions) and
  ICB websites; org_common.py holds what they share;
- common.py: the toolkit they share (dates and intervals, dated runs, the row builders, readers,
  the CSV writer).
"""
