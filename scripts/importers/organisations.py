"""Organisations inside the ICSs: NHS trusts, GP practices, PCNs, partner councils, ICB websites.

``run(shared)`` reads the raw files under ``shared`` (../shared/sources) and returns tidy rows for
orgs, codes, names, attributes, memberships, successions, populations and editions (the sources
they cite are described in data/curated/importer_sources.csv). It creates orgs of kinds trust,
practice, pcn and la (only the councils named as ICB partners that are not local authority
districts; districts are created by the geography importer as ``la:<LAD23 code>``). ICBs,
sub-ICB locations, CCGs and regions belong to other importers and are only referenced here.

One module per concern: trusts.py, partners.py, practices.py (with practice_ccgs.py, the CCG
history 2013-2022), pcns.py (with pcn_ccgs.py, the CCG-era ePCN editions), and here the ICB
websites; org_common.py holds what they share (dating conventions, source ids, ``Geo``, ``Out``).
"""

from __future__ import annotations

from pathlib import Path

from .common import Tables, read_csv
from .org_common import ERA36_START, ERA42_END, ERA_START, S_ICBURL22, S_ICBURL26, Geo, Out, icb_short, load_geo
from .partners import import_partners
from .pcns import import_pcns
from .practices import import_practices
from .trusts import import_trust_successions, import_trusts

# --- 5. ICB websites -----------------------------------------------------------------------------


def import_websites(shared: Path, geo: Geo, out: Out) -> None:
    urls26 = {}
    for r in read_csv(shared / "organisations" / "community_davewest84_icb_urls_2026-08.csv"):
        assert r["ods_code"] in geo.icb36, r["ods_code"]
        if r["url_root"].strip():
            urls26[r["ods_code"]] = r["url_root"].strip()
            out.t.attr(f"icb:{r['ods_code']}", "website", r["url_root"].strip(), ERA36_START, "", S_ICBURL26)
    for r in read_csv(shared / "geography" / "derived_icb22_websites_thirdparty_unverified.csv"):
        code = geo.icb_names42[icb_short(r["name"])]
        if code not in geo.icb36:
            out.t.attr(f"icb:{code}", "website", r["url"].strip(), ERA_START, ERA42_END, S_ICBURL22)
        elif code not in urls26:
            out.t.attr(f"icb:{code}", "website", r["url"].strip(), ERA_START, "", S_ICBURL22)


def run(shared: Path, successions: list[dict] = ()) -> Tables:
    """`successions`: those the other importers found (CCG mergers and boundary changes, the July
    2022 transitions); they let practices' CCG history go back before their commissioner join date."""
    shared = Path(shared)
    geo = load_geo(shared)
    out = Out(geo)
    trusts = import_trusts(shared, geo, out)
    import_partners(shared, geo, trusts, out)
    practices, gpmap, epraccur = import_practices(shared, geo, out, successions)
    import_pcns(shared, geo, practices, gpmap, epraccur, out, successions)
    import_websites(shared, geo, out)
    import_trust_successions(shared, trusts, out)
    out.settle()
    return out.t
