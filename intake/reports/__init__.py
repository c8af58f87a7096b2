"""Indicators for coordinators, partners and funders."""
