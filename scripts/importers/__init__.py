"""Step 1 of the data pipeline (scripts/import_sources.py): one importer per concern, each
``run(shared, ...) -> Tables`` returning rows for the tidy CSVs of scripts/schema.py.

- curated.py: data/curated/ (policy events, curated successions, local government changes) and
  the description of every source (sources.csv, importer_sources.csv);
- history.py: regions, area teams / local offices, CCGs and STPs, 2013-2022 (chd.py: the ONS
  Code History Database and its GSS-to-ODS pairing; area_teams.py: the area teams and local
  offices, London's three area teams of 2013-15 and their successions);
- small_areas.py (built first, from lsoa.py's ONS LSOA lookup editions and carry_back.py's April
  2013 geography): every LSOA in a block, and each block's CCG or sub-ICB location and district on
  every day; used by geography.py and areas.py;
- geography.py: ICBs and sub-ICB locations, their place names, ICB centroids, postcode districts
  (with area_postcodes.py); it runs local_authorities.py;
- areas.py: the small areas' tables, and from the blocks of every day (area_geography.py) the
  areas' populations (area_populations.py), the districts' overlaps and the successions' shares
  and transitions of July 2022, April 2023 and April 2026 (area_links.py);
- organisations.py: trusts (trusts.py), ICB partners (partners.py), GP practices (practices.py,
  with practice_ccgs.py: each practice's CCG on every day 2013-2022 from the ODS membership history
  and the point-in-time editions), PCNs (pcns.py, with pcn_ccgs.py: the CCG-era ePCN editions) and
  ICB websites; org_common.py holds what they share;
- common.py: the toolkit they share (dates and intervals, dated runs, the row builders, readers,
  the CSV writer).
"""
