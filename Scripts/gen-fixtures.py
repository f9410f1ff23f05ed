#!/usr/bin/env python3
"""Generate LabourMatch's sample feeds and golden outputs in Fixtures/, deterministically, and check them.

    python3 Scripts/gen-fixtures.py           # rewrite Fixtures/ (byte for byte the same), then check
    python3 Scripts/gen-fixtures.py --check   # write nothing: the files on disk must equal a fresh
                                              # generation; then validate and recompute, print counts

The check is this script's own, simple reimplementation of spec/FEEDS.md (row validation)
and spec/MATCHING.md (rules, fit, candidates, stable, greedy and optimal assignment). It writes
the golden result files of Fixtures/expected/ (which the Swift engine's tests compare with) and
asserts that every rule of MATCHING.md section 2 fires at run date 2026-11-29 with the default
policy, that the bad feeds are rejected exactly as Fixtures/README.md says, and that the
CSV and NDJSON twins hold the same data. Stdlib only (Python >= 3.11 for tomllib).

Randomness: only random.Random(SEED).random() is used (Mersenne Twister; its sequence is
the same on every Python 3), never choice/shuffle/sample whose algorithms may change.
"""

import argparse
import datetime
import decimal
import hashlib
import heapq
import itertools
import json
import math
import random
import re
import sys
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

SEED = 20261129
RUN_DATE = datetime.date(2026, 11, 29)
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Fixtures"
WHO_FILE = ROOT / "Reference" / "who-safeguards-2023.csv"  # the project's one copy of the WHO list, not generated
ISO_DIR = Path("/usr/share/iso-codes/json")

# --------------------------------------------------------------------------------------
# Field tables of FEEDS.md, in table order (the order rejections are decided in).
# (name, type, required)
# --------------------------------------------------------------------------------------

FIELDS = {
    "employers": [
        ("employer_id", "id", True), ("name", "text", True), ("country", "country", True),
        ("sector", "text", False), ("iris_certified", "bool", False), ("blocklisted", "bool", False),
    ],
    "recruiters": [
        ("recruiter_id", "id", True), ("name", "text", True), ("license_country", "country", True),
        ("license_number", "text", False), ("license_expires", "date", False),
        ("iris_certified", "bool", False), ("blocklisted", "bool", False),
    ],
    "vacancies": [
        ("vacancy_id", "id", True), ("employer_id", "id", True), ("recruiter_id", "id", False),
        ("isco_code", "isco", True), ("title", "text", True), ("destination_country", "country", True),
        ("openings", "int>=1", True), ("required_skills", "required_skills", False),
        ("required_languages", "language_levels", False), ("min_education", "isced", False),
        ("min_experience_years", "dec>=0", False), ("monthly_wage", "dec>0", True),
        ("currency", "currency", True), ("hours_per_week", "dec>0", True),
        ("contract_months", "int>=1", False), ("contract_languages", "languages", False),
        ("worker_fee", "dec>=0", False), ("passport_retention", "bool", False),
        ("g2g_agreement", "bool", False), ("start_date", "date", False), ("expires_on", "date", False),
    ],
    "workers": [
        ("worker_id", "id", True), ("origin_country", "country", True), ("birth_year", "year", True),
        ("gender", "gender", False), ("education_level", "isced", True),
        ("occupations", "occupations", True), ("skills", "skills", False),
        ("languages", "language_levels", False), ("preferred_destinations", "countries", False),
        ("min_monthly_wage_usd", "cents>=0", False), ("available_from", "date", False),
        ("consent", "bool", True), ("recruiter_id", "id", False),
    ],
    "minimum_wages": [
        ("country", "country", True), ("monthly_amount", "dec>0", True), ("currency", "currency", True),
    ],
    "fx_rates": [("currency", "currency", True), ("usd_per_unit", "dec>0", True)],
}
KEY = {"employers": "employer_id", "recruiters": "recruiter_id", "vacancies": "vacancy_id",
       "workers": "worker_id", "minimum_wages": "country", "fx_rates": "currency"}
FILE_STEM = {"employers": "employers", "recruiters": "recruiters", "vacancies": "vacancies",
             "workers": "workers", "minimum_wages": "minimum-wages", "fx_rates": "fx-rates"}
# List types: JSON object parts (name, part type) in CSV order; None = list of strings.
LIST_PARTS = {
    "required_skills": [("code", "skill"), ("min_level", "level"), ("essential", "flag")],
    "language_levels": [("code", "language"), ("level", "cefr")],
    "skills": [("code", "skill"), ("level", "level")],
    "occupations": [("isco", "isco"), ("years", "dec>=0")],
    "languages": None,
    "countries": None,
}
LIST_ITEM_TYPE = {"languages": "language", "countries": "country"}
INT_TYPES = {"int>=1", "isced", "year", "level"}
DEC_TYPES = {"dec>=0", "dec>0", "cents>=0"}
CEFR = ["A1", "A2", "B1", "B2", "C1", "C2"]


def cefr(level):
    """A1=1 ... C2=6."""
    return CEFR.index(level) + 1


# --------------------------------------------------------------------------------------
# Deterministic randomness
# --------------------------------------------------------------------------------------

class Dice:
    """Draws built on random() alone, so the sequence never depends on the Python version."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def real(self):
        return self.rng.random()

    def chance(self, p):
        return self.rng.random() < p

    def index(self, n):
        return min(int(self.rng.random() * n), n - 1)

    def pick(self, seq):
        return seq[self.index(len(seq))]

    def weighted(self, pairs):
        total = sum(w for _, w in pairs)
        x = self.rng.random() * total
        for value, w in pairs:
            x -= w
            if x < 0:
                return value
        return pairs[-1][0]

    def shuffled(self, seq):
        out = list(seq)
        for i in range(len(out) - 1, 0, -1):
            j = self.index(i + 1)
            out[i], out[j] = out[j], out[i]
        return out


# --------------------------------------------------------------------------------------
# Reference data: employers, recruiters, minimum wages, exchange rates
# --------------------------------------------------------------------------------------

# Every good record is a dict field -> CSV cell text ('' = absent); NDJSON is derived from it.
EMPLOYERS = [
    # id, name, country, sector, iris_certified, blocklisted
    ("E01", "Klinikum Rheinland gGmbH", "DE", "health", "true", "false"),
    ("E02", "Maple Health Network", "CA", "health", "true", "false"),
    ("E03", "Emirates Skyline Contracting LLC", "AE", "construction", "false", "false"),
    ("E04", "Al Waha Hospitality Group", "SA", "hospitality", "false", "false"),
    ("E05", "Pearl Coast Construction W.L.L.", "QA", "construction", "false", "true"),
    ("E06", "Sakura Care & Food Services Co., Ltd.", "JP", "care", "false", "false"),
    ("E07", "Northbridge Health & Care Ltd", "GB", "health", "true", "false"),
    ("E08", "Southern Cross Growers Pty Ltd", "AU", "agriculture", "false", "false"),
    ("E09", "Terre del Sud, Società Agricola", "IT", "agriculture", "false", "false"),
    ("E10", "Cloudwerk Software GmbH", "DE", "ict", "true", "false"),
    ("E11", "Al Shifa Medical Center", "SA", "", "false", "false"),
]

RECRUITERS = [
    # id, name, license_country, license_number, license_expires, iris_certified, blocklisted
    ("R01", "Bayanihan Ethical Staffing Inc.", "PH", "DMW-081-LB-2024", "2027-12-31", "true", "false"),
    ("R02", "Himalaya Overseas Placement Pvt. Ltd.", "NP", "DoFE-1187/062", "2026-11-29", "true", "false"),
    ("R03", "Delta Manpower Services", "BD", "RL-1432", "2026-06-30", "false", "false"),
    ("R04", "Quick Gulf Jobs", "IN", "", "", "false", "false"),
    ("R05", "Crescent Global Recruitment", "PK", "OEP-2317/RWP", "2028-05-31", "false", "true"),
    ("R06", "Nairobi Skills Bridge Ltd", "KE", "NEA/PEA/0914", "", "false", "false"),
]

# Monthly statutory (or lowest sectoral) minimum wages, gross. AE and SA have none on file
# (no general minimum for migrant workers), so their vacancies count under MIN_WAGE_UNKNOWN.
MINIMUM_WAGES = [
    ("AU", "4108.00", "AUD"),   # AUD 24.95/h, 948.00 a week
    ("CA", "3077.00", "CAD"),   # federal CAD 17.75/h x 40 h
    ("DE", "2161.00", "EUR"),
    ("GB", "2116.00", "GBP"),   # National Living Wage GBP 12.21/h x 40 h
    ("IT", "1250.00", "EUR"),   # no statutory minimum: lowest sectoral (agriculture), illustrative
    ("JP", "183000", "JPY"),    # about JPY 1055/h x 173.8 h
    ("KW", "75.000", "KWD"),    # private sector minimum; KWD has no exchange rate on file
    ("NZ", "4073.33", "NZD"),   # NZD 23.50/h x 40 h
    ("QA", "1800", "QAR"),      # QAR 1000 basic + 300 food + 500 housing
]

FX_RATES = [  # USD per unit; USD itself and KWD deliberately absent
    ("AED", "0.272294"), ("AUD", "0.651000"), ("BDT", "0.008190"), ("CAD", "0.712000"),
    ("EUR", "1.158000"), ("GBP", "1.315000"), ("INR", "0.011250"), ("JPY", "0.006420"),
    ("NZD", "0.566000"), ("PHP", "0.017050"), ("QAR", "0.274725"), ("SAR", "0.266667"),
]


def rows_of(kind, tuples):
    names = [f for f, _, _ in FIELDS[kind]]
    return [dict(zip(names, t)) for t in tuples]


# --------------------------------------------------------------------------------------
# Vacancies
# --------------------------------------------------------------------------------------

DESTINATION = {  # currency, default contract languages
    "DE": ("EUR", "de;en"), "IT": ("EUR", "it;en"), "CA": ("CAD", "en;fr"), "GB": ("GBP", "en"),
    "JP": ("JPY", "ja"), "AU": ("AUD", "en"), "NZ": ("NZD", "en"), "AE": ("AED", "en;ar"),
    "SA": ("SAR", "en;ar"), "QA": ("QAR", "en;ar"), "KW": ("KWD", "ar;en"),
}


def vacancy(vid, employer, recruiter, isco, title, dest, openings, skills, languages, wage, hours,
            edu="", exp="", currency=None, months="24", contract=None, fee="0", passport="false",
            g2g="false", start="2027-03-01", expires="2027-01-31"):
    cur, contract_default = DESTINATION[dest]
    return {
        "vacancy_id": vid, "employer_id": employer, "recruiter_id": recruiter, "isco_code": isco,
        "title": title, "destination_country": dest, "openings": str(openings),
        "required_skills": skills, "required_languages": languages, "min_education": edu,
        "min_experience_years": exp, "monthly_wage": wage, "currency": currency or cur,
        "hours_per_week": hours, "contract_months": months,
        "contract_languages": contract_default if contract is None else contract,
        "worker_fee": fee, "passport_retention": passport, "g2g_agreement": g2g,
        "start_date": start, "expires_on": expires,
    }


NURSE_SKILLS = "patient-care:3:E;medication-administration:3:E"
CARE_SKILLS = "elderly-care:2:E;personal-hygiene-support:2:E"

VACANCIES = [
    # Health and care, Germany (Triple Win is a government-to-government programme)
    vacancy("V001", "E01", "", "2221", "Registered Nurse (Pflegefachkraft), Triple Win", "DE", 6,
            NURSE_SKILLS + ";iv-therapy:2:O", "de:B1", "3450.00", "38.5", edu="6", exp="1",
            g2g="true", start="2027-04-01", expires="2027-02-15"),
    vacancy("V002", "E01", "R01", "2221", "Registered Nurse, Intensive Care", "DE", 3,
            "patient-care:4:E;iv-therapy:3:E;emergency-care:3:E;vital-signs:3:O", "de:B2",
            "3850.00", "38.5", edu="6", exp="3", months=""),
    vacancy("V003", "E01", "", "3221", "Nursing Assistant (Pflegeassistenz)", "DE", 4,
            "patient-care:2:E;vital-signs:2:E;elderly-care:2:O", "de:B1", "2650.00", "40"),
    vacancy("V004", "E01", "", "5321", "Care Assistant, Elderly Care", "DE", 5,
            CARE_SKILLS + ";mobility-assistance:1:O", "de:B1", "2450.00", "40"),
    vacancy("V005", "E01", "", "2211", "Assistant Physician, Internal Medicine", "DE", 2,
            "diagnosis:3:E;patient-care:3:E;emergency-care:2:O", "de:C1", "5600.00", "42",
            edu="7", exp="2", months=""),
    # Canada
    vacancy("V006", "E02", "R01", "2221", "Registered Nurse, Medical-Surgical", "CA", 5,
            NURSE_SKILLS + ";wound-care:2:O", "en:B2", "6400.00", "37.5", edu="6", exp="2"),
    vacancy("V007", "E02", "R06", "3221", "Licensed Practical Nurse", "CA", 4,
            "patient-care:3:E;vital-signs:2:E;wound-care:2:O", "en:B2", "4800.00", "37.5",
            edu="5", exp="1"),
    vacancy("V008", "E02", "R01", "5321", "Personal Support Worker", "CA", 6,
            CARE_SKILLS + ";mobility-assistance:2:O", "en:B1", "3650.00", "40"),
    vacancy("V009", "E02", "", "2211", "Family Physician, Rural Practice", "CA", 1,
            "diagnosis:3:E;patient-care:3:E", "en:C1", "18500.00", "45", edu="7", exp="3",
            contract="en"),
    # United Kingdom (the UK-Nepal arrangement on nurses is government to government)
    vacancy("V010", "E07", "R02", "2221", "Staff Nurse (Band 5), UK-Nepal G2G", "GB", 4,
            NURSE_SKILLS + ";infection-control:2:O", "en:B2", "2587.00", "37.5", edu="6", exp="1",
            g2g="true", months="36"),
    vacancy("V011", "E07", "", "2221", "Staff Nurse, Older Adults", "GB", 3,
            "patient-care:3:E;elderly-care:2:E;medication-administration:3:E", "en:B2", "2587.00",
            "37.5", edu="6", months="36"),
    vacancy("V012", "E07", "", "5321", "Senior Care Assistant", "GB", 4,
            "elderly-care:3:E;personal-hygiene-support:2:E;medication-administration:2:O", "en:B1",
            "2116.00", "39", months="36"),  # exactly the minimum: not below it
    vacancy("V013", "E07", "R06", "5321", "Care Assistant, Night Shift", "GB", 3,
            CARE_SKILLS, "en:B1", "1950.00", "36", months="36"),  # below GBP 2116
    # Saudi Arabia, health (no minimum wage on file)
    vacancy("V014", "E11", "R06", "2221", "Staff Nurse, Medical Ward", "SA", 5,
            NURSE_SKILLS + ";iv-therapy:2:O", "en:B1", "9500.00", "48", edu="6", exp="2"),
    vacancy("V015", "E11", "R05", "2221", "ICU Nurse", "SA", 2,
            "patient-care:3:E;iv-therapy:3:E;emergency-care:2:E", "en:B1", "11000.00", "48",
            edu="6", exp="3"),
    # Japan: care, nursing (the JPEPA is government to government), food, farming
    vacancy("V016", "E06", "", "5321", "Kaigo Care Worker (Specified Skilled Worker)", "JP", 6,
            CARE_SKILLS + ";mobility-assistance:2:O", "ja:A2", "215000", "40", months="60"),
    vacancy("V017", "E06", "R01", "2221", "Nurse Candidate (JPEPA)", "JP", 3,
            "patient-care:3:E;vital-signs:2:O", "ja:A2;en:B1", "260000", "40", edu="6", exp="3",
            contract="ja;en", g2g="true", months="36"),
    vacancy("V018", "E06", "", "5321", "Care Worker, Day Service", "JP", 3,
            CARE_SKILLS, "ja:B1", "225000", "40", contract="ja;en", months="60"),
    # Construction, United Arab Emirates (no minimum wage on file) and Qatar
    vacancy("V019", "E03", "R06", "7112", "Bricklayer", "AE", 8,
            "bricklaying:3:E;blueprint-reading:1:O", "en:A2", "2200.00", "48", exp="2"),
    vacancy("V020", "E03", "R06", "7212", "Pipe Welder (6G)", "AE", 4,
            "welding:3:E;pipe-fitting:2:E;blueprint-reading:2:O", "en:A2", "3200.00", "60", exp="3"),
    vacancy("V021", "E03", "", "9313", "General Construction Labourer", "AE", 10,
            "occupational-safety:1:E;manual-handling:2:O", "en:A2", "1500.00", "48", contract=""),
    vacancy("V022", "E03", "R04", "7115", "Shuttering Carpenter", "AE", 6,
            "carpentry:3:E;formwork:2:E", "en:A2", "2400.00", "48"),
    vacancy("V023", "E03", "R03", "9313", "Site Helper", "AE", 8,
            "occupational-safety:1:E;manual-handling:1:O", "en:A2", "1400.00", "48"),
    vacancy("V024", "E03", "", "7115", "Finishing Carpenter, Lusail project", "QA", 3,
            "carpentry:3:E;power-tools:2:O", "en:A2", "2600", "48"),
    vacancy("V025", "E05", "R05", "7112", "Block Mason", "QA", 6,
            "bricklaying:2:E", "en:A2", "2000", "48", fee="1200", passport="true"),
    vacancy("V026", "E05", "", "9313", "Construction Labourer", "QA", 10,
            "occupational-safety:1:E;manual-handling:1:O", "en:A2", "1800", "48"),
    vacancy("V027", "E03", "R06", "7212", "Structural Welder", "QA", 3,
            "welding:3:E;blueprint-reading:2:O", "en:A2", "3000", "44", exp="2"),
    vacancy("V028", "E03", "", "7112", "Bricklayer, Villa Projects", "AE", 5,
            "bricklaying:2:E;concrete-work:2:O", "en:A2", "2000.00", "48", exp="1"),
    # Hospitality, Saudi Arabia and Kuwait
    vacancy("V029", "E04", "R06", "5131", "Waiter, Hotel Restaurant", "SA", 6,
            "customer-service:2:E;food-safety:1:O", "en:B1", "2400.00", "48", passport="true"),
    vacancy("V030", "E04", "R06", "5120", "Commis Chef", "SA", 4,
            "cooking:2:E;food-safety:2:E;food-preparation:2:O", "en:A2", "3500.00", "48", fee="1500"),
    vacancy("V031", "E04", "", "9412", "Kitchen Steward", "SA", 5,
            "food-safety:1:E;food-preparation:1:O", "en:A2", "1800.00", "54"),
    vacancy("V032", "E04", "", "5120", "Cook, Arabic Cuisine", "SA", 2,
            "cooking:3:E;food-safety:2:E", "ar:A2", "4200.00", "48", contract="ar"),
    vacancy("V033", "E04", "", "5131", "Banquet Waiter", "KW", 4,
            "customer-service:2:E", "en:A2", "140.000", "48"),
    vacancy("V034", "E04", "", "9412", "Kitchen Helper", "KW", 5,
            "food-safety:1:E;food-preparation:1:O", "en:A2", "450.00", "48", currency="USD"),
    vacancy("V035", "E04", "", "5131", "Room Service Attendant", "SA", 3,
            "customer-service:2:E;food-safety:1:O", "en:B1", "2300.00", "48"),
    # Japan, food and farming
    vacancy("V036", "E06", "", "5120", "Line Cook, Food Service (SSW)", "JP", 3,
            "cooking:2:E;food-safety:2:E", "ja:A2", "230000", "40", months="60"),
    vacancy("V037", "E06", "", "6111", "Greenhouse Vegetable Grower", "JP", 4,
            "crop-harvesting:2:E;irrigation:1:O", "ja:A2", "160000", "40", contract="ja;en",
            months="36"),  # below JPY 183000
    vacancy("V038", "E06", "", "9211", "Farm Worker, Vegetables", "JP", 4,
            "crop-harvesting:1:E;manual-handling:1:O", "ja:A2", "190000", "40", contract="ja;en",
            months="36"),
    # Australia and New Zealand, seasonal and horticulture
    vacancy("V039", "E08", "R01", "9211", "Fruit Picker (PALM scheme)", "AU", 10,
            "crop-harvesting:2:E;pruning:1:O", "en:A2", "4250.00", "38", months="9",
            start="2027-02-01"),
    vacancy("V040", "E08", "", "6111", "Horticulture Hand, Vegetables", "AU", 4,
            "crop-harvesting:2:E;irrigation:2:E;tractor-operation:2:O", "en:B1", "4400.00", "38",
            exp="1", months="12"),
    vacancy("V041", "E08", "R06", "9211", "Orchard Worker (RSE)", "NZ", 8,
            "crop-harvesting:1:E;pruning:2:O", "en:A2", "4150.00", "40", months="7",
            start="2027-01-15"),
    vacancy("V042", "E08", "", "6111", "Orchard Supervisor", "NZ", 2,
            "crop-harvesting:3:E;irrigation:2:E;tractor-operation:2:O", "en:B1", "4900.00", "40",
            exp="3", months="12"),
    # Italy, seasonal farming
    vacancy("V043", "E09", "", "9211", "Bracciante agricolo (seasonal farm worker)", "IT", 10,
            "crop-harvesting:1:E", "en:A2", "1450.00", "39", months="6", start="2027-05-01",
            expires="2027-03-31"),
    vacancy("V044", "E09", "R06", "6111", "Addetto serra (greenhouse grower)", "IT", 3,
            "crop-harvesting:2:E;irrigation:2:O", "en:A2", "1550.00", "39", months="9",
            start="2027-04-01", expires="2027-03-15"),
    # ICT (worker_fee left absent: the default 0)
    vacancy("V045", "E10", "", "2512", "Backend Developer (Python)", "DE", 3,
            "python:3:E;sql:2:E;cloud-ops:2:O", "en:B2", "5400.00", "40", edu="6", exp="3",
            contract="en;de", months="", fee=""),
    vacancy("V046", "E10", "", "2512", "Java Developer", "DE", 2,
            "java:3:E;sql:2:E;git:2:O", "en:B2;de:A2", "5100.00", "40", edu="6", exp="2",
            contract="en;de", months="", fee=""),
    vacancy("V047", "E10", "", "2513", "Frontend Developer", "GB", 2,
            "javascript:3:E;html-css:3:E;git:2:O", "en:B2", "4200.00", "37.5", edu="5", exp="2",
            months="", fee=""),
    vacancy("V048", "E10", "", "3512", "IT Support Technician", "DE", 2,
            "it-support:2:E;networking:2:O;linux:1:O", "en:B1;de:A2", "3300.00", "40",
            contract="en;de", months="", fee=""),
    vacancy("V049", "E10", "", "2512", "Software Developer, Toronto office", "CA", 3,
            "python:3:E;sql:2:E;java:2:O", "en:B2", "7800.00", "37.5", edu="6", exp="2",
            contract="en", months="", fee=""),
    vacancy("V050", "E10", "", "3512", "Service Desk Analyst", "GB", 3,
            "it-support:2:E;networking:2:O;windows-admin:2:O", "en:B2", "2600.00", "37.5",
            months="", fee=""),
    # Edge cases of taking part: one expired before the run date, one expiring on it
    vacancy("V051", "E07", "", "2221", "Staff Nurse, Surgical Ward (closed)", "GB", 2,
            NURSE_SKILLS, "en:B2", "2587.00", "37.5", edu="6", months="36", expires="2026-10-31"),
    vacancy("V052", "E11", "", "3221", "Nursing Assistant", "SA", 4,
            "patient-care:2:E;vital-signs:2:E", "en:B1", "5200.00", "48", expires="2026-11-29"),
]


# --------------------------------------------------------------------------------------
# Workers
# --------------------------------------------------------------------------------------

# ISCO unit group -> (sector, usual ISCED level, skill pool, how many workers have it first).
# Some groups have no vacancy: they match one on 3 digits (2222, 5322, 7111, 9312, 6112, 2519,
# 3511), on 2 digits (2240) or not at all (8322, 4110).
OCCUPATIONS = {
    "2221": ("health", 6, ["patient-care", "medication-administration", "iv-therapy", "wound-care",
                           "infection-control", "vital-signs", "emergency-care", "elderly-care"], 58),
    "2222": ("health", 6, ["patient-care", "midwifery", "infection-control", "vital-signs"], 5),
    "3221": ("health", 5, ["patient-care", "vital-signs", "wound-care", "medication-administration",
                           "elderly-care"], 16),
    "2211": ("health", 7, ["diagnosis", "patient-care", "emergency-care", "prescribing"], 8),
    "2240": ("health", 6, ["emergency-care", "patient-care", "vital-signs"], 3),
    "5321": ("care", 3, ["elderly-care", "personal-hygiene-support", "mobility-assistance",
                         "infection-control", "medication-administration"], 30),
    "5322": ("care", 3, ["elderly-care", "personal-hygiene-support", "mobility-assistance",
                         "cooking"], 7),
    "7112": ("construction", 2, ["bricklaying", "blueprint-reading", "concrete-work",
                                 "occupational-safety"], 16),
    "7115": ("construction", 2, ["carpentry", "formwork", "blueprint-reading", "power-tools",
                                 "occupational-safety"], 12),
    "7111": ("construction", 2, ["bricklaying", "carpentry", "concrete-work",
                                 "occupational-safety"], 4),
    "7212": ("construction", 3, ["welding", "pipe-fitting", "blueprint-reading",
                                 "occupational-safety"], 10),
    "9313": ("construction", 2, ["occupational-safety", "manual-handling", "concrete-work",
                                 "scaffolding"], 16),
    "9312": ("construction", 1, ["occupational-safety", "manual-handling", "excavation"], 4),
    "6111": ("agriculture", 2, ["crop-harvesting", "irrigation", "tractor-operation",
                                "pesticide-handling"], 10),
    "6112": ("agriculture", 2, ["pruning", "crop-harvesting", "irrigation"], 3),
    "9211": ("agriculture", 1, ["crop-harvesting", "pruning", "manual-handling", "packing"], 20),
    "5120": ("hospitality", 3, ["cooking", "food-safety", "food-preparation", "menu-planning"], 15),
    "5131": ("hospitality", 3, ["customer-service", "food-safety", "cash-handling"], 12),
    "9412": ("hospitality", 2, ["food-preparation", "food-safety", "dishwashing"], 12),
    "2512": ("ict", 6, ["python", "java", "sql", "git", "cloud-ops"], 12),
    "2513": ("ict", 6, ["javascript", "html-css", "sql", "git"], 6),
    "2519": ("ict", 6, ["software-testing", "python", "sql"], 2),
    "3512": ("ict", 5, ["it-support", "networking", "linux", "windows-admin"], 8),
    "3511": ("ict", 5, ["linux", "networking", "cloud-ops"], 2),
    "8322": ("other", 2, ["driving", "vehicle-maintenance"], 5),
    "4110": ("other", 3, ["data-entry", "office-software"], 4),
}
SECOND_OCCUPATION = {  # a related earlier job some workers also had
    "2221": ["5321", "3221"], "3221": ["5321"], "5321": ["5322", "9412"], "7112": ["9313", "7111"],
    "7115": ["9313"], "7212": ["9313"], "9313": ["7112", "9211"], "9211": ["6111", "9313"],
    "6111": ["9211"], "5120": ["9412", "5131"], "5131": ["9412", "5120"], "9412": ["5120", "9211"],
    "2512": ["2513", "2519"], "2513": ["2512"], "3512": ["3511", "2512"], "8322": ["9313"],
}
SECTOR_DESTINATIONS = {
    "health": ["DE", "CA", "GB", "SA", "JP"], "care": ["DE", "CA", "GB", "JP"],
    "construction": ["AE", "QA"], "agriculture": ["AU", "NZ", "JP", "IT"],
    "hospitality": ["SA", "KW", "JP"], "ict": ["DE", "GB", "CA"], "other": ["AE", "SA", "QA", "CA"],
}
ALL_DESTINATIONS = sorted(DESTINATION)
ORIGINS = {  # sector -> origin weights
    "health": [("PH", 20), ("IN", 14), ("KE", 8), ("NP", 8), ("GH", 7), ("NG", 8), ("ZW", 6),
               ("UG", 4), ("LK", 5), ("PK", 4), ("BD", 3)],
    "care": [("PH", 10), ("NP", 8), ("ID", 8), ("VN", 8), ("LK", 6), ("KE", 6), ("UG", 5),
             ("ZW", 5), ("IN", 6), ("MA", 3)],
    "construction": [("IN", 14), ("NP", 12), ("BD", 12), ("PK", 10), ("LK", 4), ("GH", 3),
                     ("NG", 3), ("UG", 4), ("MA", 3), ("PH", 5)],
    "agriculture": [("MA", 10), ("VN", 8), ("ID", 6), ("NP", 6), ("PH", 6), ("KE", 5), ("UG", 5),
                    ("ZW", 3), ("IN", 4), ("BD", 3)],
    "hospitality": [("PH", 14), ("IN", 10), ("NP", 8), ("LK", 6), ("KE", 6), ("MA", 5), ("ID", 5),
                    ("VN", 4), ("BD", 4), ("UG", 4)],
    "ict": [("IN", 16), ("PH", 8), ("VN", 6), ("NG", 8), ("KE", 6), ("PK", 6), ("MA", 4),
            ("GH", 4), ("LK", 4), ("BD", 3)],
}
ORIGINS["other"] = ORIGINS["construction"]
NATIVE_LANGUAGE = {"PH": "tl", "IN": "hi", "NP": "ne", "BD": "bn", "LK": "si", "VN": "vi",
                   "ID": "id", "KE": "sw", "GH": "tw", "MA": "ar", "PK": "ur", "NG": "yo",
                   "UG": "lg", "ZW": "sn"}
ENGLISH = {"PH": 4, "IN": 4, "KE": 4, "GH": 5, "NG": 5, "UG": 4, "ZW": 5, "LK": 3, "PK": 3,
           "NP": 3, "BD": 3, "VN": 2, "ID": 2, "MA": 2}  # usual CEFR level (1..6)
RECRUITER_BY_ORIGIN = {"PH": ("R01", 0.45), "NP": ("R02", 0.45), "BD": ("R03", 0.35),
                       "IN": ("R04", 0.15), "PK": ("R05", 0.35), "KE": ("R06", 0.4),
                       "UG": ("R06", 0.3)}
WAGE_FLOOR_USD = {"health": 1800, "care": 1200, "construction": 450, "agriculture": 700,
                  "hospitality": 500, "ict": 2500, "other": 600}
AVAILABLE_FROM = ["2026-10-01", "2026-12-01", "2027-01-01", "2027-02-01", "2027-03-01",
                  "2027-04-15", "2027-06-01"]
GULF = {"AE", "SA", "QA", "KW"}

# Workers forced to a profile so that each worker rule fires, and its edge does not.
FORCED = {
    13: {"consent": "false"}, 77: {"consent": "false"}, 150: {"consent": "false"},
    264: {"consent": "false"},
    42: {"birth_year": 2008, "isco": "9211"},   # 2026 - 2008 - 1 = 17: underage
    199: {"birth_year": 2008, "isco": "9412"},
    100: {"birth_year": 2007, "isco": "9211", "recruiter_id": ""},  # 2026 - 2007 - 1 = 18: not underage
    233: {"birth_year": 2007, "isco": "5131", "recruiter_id": ""},
}


def years_text(years):
    return str(int(years)) if years == int(years) else f"{years:.1f}"


def level_text(n):
    return CEFR[max(1, min(6, n)) - 1]


def make_worker(dice, number, isco):
    forced = FORCED.get(number, {})
    isco = forced.get("isco", isco)
    sector, edu_base, pool, _ = OCCUPATIONS[isco]
    origin = dice.weighted(ORIGINS[sector])
    birth_year = forced.get("birth_year", 1966 + int((dice.real() + dice.real()) / 2 * 40))
    age = RUN_DATE.year - birth_year
    max_years = max(0.5, min(18.0, age - 20.0))
    years = max(0.5, round(dice.real() * max_years * 2) / 2)
    occupations = [(isco, years)]
    skills = {}
    for code in pool:
        if dice.chance(0.75):
            skills[code] = dice.weighted([(1, 1), (2, 3), (3, 4), (4, 2)])
    if not skills:
        skills[pool[0]] = 2
    if isco in SECOND_OCCUPATION and dice.chance(0.25) and years >= 2:
        second = dice.pick(SECOND_OCCUPATION[isco])
        occupations.append((second, max(0.5, round(dice.real() * years) / 1)))
        extra = OCCUPATIONS[second][2][0]
        skills.setdefault(extra, dice.weighted([(1, 2), (2, 3), (3, 1)]))
    if dice.chance(0.04):
        skills = {}  # a profile that lists no skills at all

    count = dice.weighted([(0, 30), (1, 30), (2, 25), (3, 15)])
    destinations = dice.shuffled(SECTOR_DESTINATIONS[sector])[:count]
    if destinations and dice.chance(0.1):
        other = dice.pick(ALL_DESTINATIONS)
        if other not in destinations:
            destinations[-1] = other

    languages = {NATIVE_LANGUAGE[origin]: "C2"}
    if origin == "MA":
        languages["fr"] = dice.pick(["B1", "B2", "C1"])
    english = ENGLISH[origin] + dice.weighted([(-1, 1), (0, 2), (1, 1)])
    if sector in ("health", "ict"):
        english = max(english + 1, 3)
    if english >= 1:
        languages["en"] = level_text(english)
    wants = set(destinations)
    if ("DE" in wants and dice.chance(0.75)) or \
            (not wants and sector in ("health", "care") and dice.chance(0.15)):
        languages["de"] = dice.weighted([("A2", 2), ("B1", 4), ("B2", 3), ("C1", 1)])
    if "JP" in wants and dice.chance(0.8):
        languages["ja"] = dice.weighted([("A1", 1), ("A2", 5), ("B1", 3), ("B2", 1)])
    if wants & GULF and "ar" not in languages and dice.chance(0.35):
        languages["ar"] = dice.weighted([("A1", 2), ("A2", 3), ("B1", 2)])
    if "CA" in wants and "fr" not in languages and dice.chance(0.2):
        languages["fr"] = dice.pick(["A2", "B1", "B2"])
    if "IT" in wants and dice.chance(0.4):
        languages["it"] = dice.pick(["A1", "A2"])

    wage = ""
    if dice.chance(0.3):
        amount = int(WAGE_FLOOR_USD[sector] * (0.7 + dice.real() * 0.8) / 10) * 10
        wage = f"{amount}.50" if dice.chance(0.2) else str(amount)
    available = dice.pick(AVAILABLE_FROM) if dice.chance(0.35) else ""
    if sector in ("health", "care"):
        gender = dice.weighted([("F", 75), ("M", 22), ("X", 1), ("", 2)])
    elif sector == "construction":
        gender = dice.weighted([("M", 95), ("F", 2), ("", 3)])
    else:
        gender = dice.weighted([("F", 40), ("M", 55), ("X", 2), ("", 3)])
    recruiter = ""
    if origin in RECRUITER_BY_ORIGIN and dice.chance(RECRUITER_BY_ORIGIN[origin][1]):
        recruiter = RECRUITER_BY_ORIGIN[origin][0]
    recruiter = forced.get("recruiter_id", recruiter)
    education = max(0, min(8, edu_base + dice.weighted([(-1, 1), (0, 3), (1, 1)])))
    return {
        "worker_id": f"W{number:04d}", "origin_country": origin, "birth_year": str(birth_year),
        "gender": gender, "education_level": str(education),
        "occupations": ";".join(f"{code}:{years_text(y)}" for code, y in occupations),
        "skills": ";".join(f"{code}:{level}" for code, level in skills.items()),
        "languages": ";".join(f"{code}:{level}" for code, level in languages.items()),
        "preferred_destinations": ";".join(destinations), "min_monthly_wage_usd": wage,
        "available_from": available, "consent": forced.get("consent", "true"),
        "recruiter_id": recruiter,
    }


def make_workers():
    dice = Dice(SEED)
    quota = [isco for isco, spec in OCCUPATIONS.items() for _ in range(spec[3])]
    return [make_worker(dice, n, isco) for n, isco in enumerate(dice.shuffled(quota), start=1)]


# --------------------------------------------------------------------------------------
# Writers: CSV (RFC 4180, LF) and NDJSON, both from the same cell texts
# --------------------------------------------------------------------------------------

def csv_cell(text):
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(cells):
    return ",".join(csv_cell(c) for c in cells)


def csv_file(kind, records, newline="\n"):
    names = [f for f, _, _ in FIELDS[kind]]
    lines = [csv_line(names)] + [csv_line([r[n] for n in names]) for r in records]
    return (newline.join(lines) + newline).encode()


def split_items(cell):
    return [[part.strip(" ") for part in item.split(":")] for item in cell.split(";")]


def json_scalar(ftype, text):
    if ftype in INT_TYPES or ftype in DEC_TYPES:
        return text  # the number as written, so both twins hold the same exact decimal
    if ftype in ("bool", "flag"):
        return {"true": "true", "false": "false", "1": "true", "0": "false", "E": "true",
                "O": "false"}[text.lower() if ftype == "bool" else text]
    return json.dumps(text, ensure_ascii=False)


def json_value(ftype, text):
    if ftype not in LIST_PARTS:
        return json_scalar(ftype, text)
    parts = LIST_PARTS[ftype]
    if parts is None:
        return "[" + ",".join(json.dumps(item[0], ensure_ascii=False)
                              for item in split_items(text)) + "]"
    objects = []
    for item in split_items(text):
        members = [f'"{name}":{json_scalar(ptype, value)}' for (name, ptype), value in zip(parts, item)]
        objects.append("{" + ",".join(members) + "}")
    return "[" + ",".join(objects) + "]"


def ndjson_line(kind, record):
    members = [f'"{name}":{json_value(ftype, record[name])}'
               for name, ftype, _ in FIELDS[kind] if record.get(name, "") != ""]
    return "{" + ",".join(members) + "}"


def ndjson_file(kind, records):
    return "".join(ndjson_line(kind, r) + "\n" for r in records).encode()


# --------------------------------------------------------------------------------------
# Validator: this script's own reading of FEEDS.md, used on every file it writes
# --------------------------------------------------------------------------------------

class FileError(Exception):
    """A whole-file error (exit status 2 in the engine)."""


class Invalid(Exception):
    """A cell that is not a valid value."""


def load_codes():
    def codes(name, table, key):
        path = ISO_DIR / name
        return {e[key] for e in json.loads(path.read_text())[table] if key in e}
    return {"country": codes("iso_3166-1.json", "3166-1", "alpha_2"),
            "currency": codes("iso_4217.json", "4217", "alpha_3"),
            "language": codes("iso_639-2.json", "639-2", "alpha_2")}


CODES = None
ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
SKILL_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
INT_RE = re.compile(r"-?[0-9]+")
DEC_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_text(ftype, text):
    """A scalar from its text (a CSV cell, or a JSON string): the typed value or Invalid."""
    if ftype == "text":
        return text
    if ftype == "id":
        if ID_RE.fullmatch(text):
            return text
    elif ftype in ("country", "currency", "language"):
        if text in CODES[ftype]:
            return text
    elif ftype == "isco":
        if re.fullmatch(r"[0-9]{4}", text):
            return text
    elif ftype == "skill":
        if SKILL_RE.fullmatch(text):
            return text
    elif ftype == "cefr":
        if text in CEFR:
            return text
    elif ftype == "gender":
        if text in ("F", "M", "X"):
            return text
    elif ftype == "flag":
        if text in ("E", "O"):
            return text == "E"
    elif ftype == "bool":
        if text.lower() in ("true", "1"):
            return True
        if text.lower() in ("false", "0"):
            return False
    elif ftype == "date":
        if DATE_RE.fullmatch(text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass
    elif ftype in INT_TYPES:
        if INT_RE.fullmatch(text):
            return check_range(ftype, int(text))
    elif ftype in DEC_TYPES:
        if DEC_RE.fullmatch(text):
            return check_range(ftype, Fraction(text))
    else:
        raise AssertionError(ftype)
    raise Invalid(text)


def check_range(ftype, value):
    ok = {"int>=1": lambda v: v >= 1, "isced": lambda v: 0 <= v <= 8,
          "year": lambda v: 1000 <= v <= 9999, "level": lambda v: 1 <= v <= 4,
          "dec>=0": lambda v: v >= 0, "dec>0": lambda v: v > 0,
          "cents>=0": lambda v: v >= 0 and (v * 100).denominator == 1}[ftype](value)
    if not ok:
        raise Invalid(str(value))
    return value


def check_json_scalar(ftype, value):
    """A scalar from a JSON value: integers must be JSON integers, decimals any number."""
    if ftype in INT_TYPES:
        if type(value) is not int:
            raise Invalid(repr(value))
        return check_range(ftype, value)
    if ftype in DEC_TYPES:
        if type(value) not in (int, Decimal):
            raise Invalid(repr(value))
        return check_range(ftype, Fraction(value))
    if ftype in ("bool", "flag"):
        if type(value) is not bool:
            raise Invalid(repr(value))
        return value
    if type(value) is not str:
        raise Invalid(repr(value))
    return check_text(ftype, value)


def check_list(ftype, items):
    """items: [[part texts]] from CSV or [JSON values] from NDJSON; returns a tuple of tuples."""
    parts = LIST_PARTS[ftype]
    out, seen = [], set()
    for item in items:
        if parts is None:
            value = item[0] if isinstance(item, list) else item
            if value == "" or isinstance(item, list) and len(item) != 1:
                raise Invalid("empty or compound item")
            code = (check_text if isinstance(item, list) else check_json_scalar)(
                LIST_ITEM_TYPE[ftype], value)
            out.append((code,))
        elif isinstance(item, list):
            if len(item) != len(parts) or "" in item:
                raise Invalid("wrong parts")
            out.append(tuple(check_text(ptype, text) for (_, ptype), text in zip(parts, item)))
        else:
            if not isinstance(item, dict) or set(item) != {name for name, _ in parts}:
                raise Invalid("wrong parts")
            out.append(tuple(check_json_scalar(ptype, item[name]) for name, ptype in parts))
        if out[-1][0] in seen:
            raise Invalid("repeated code")
        seen.add(out[-1][0])
    return tuple(out)


def check_cell(ftype, text):
    if ftype in LIST_PARTS:
        return check_list(ftype, split_items(text))
    return check_text(ftype, text)


def check_json(ftype, value):
    if ftype in LIST_PARTS:
        if not isinstance(value, list):
            raise Invalid("not an array")
        return check_list(ftype, value)
    return check_json_scalar(ftype, value)


def csv_records(data):
    """RFC 4180 records: yields (line, raw bytes, [field bytes] or None when malformed).
    Empty lines are skipped (they still count for line numbers). Bad quoting flags the record
    and the scan goes on as RFC 4180 reads it (as Python's csv module does): a quote inside an
    unquoted field, and text after a closing quote up to the next comma or line end, are
    literal; a later field that starts with a quote still opens a quoted section."""
    pos, line, n = 0, 1, len(data)

    def at_line_end(p):
        return p >= n or data[p] == 0x0A or data[p:p + 2] == b"\r\n"

    while pos < n:
        start, start_line = pos, line
        if at_line_end(pos):
            pos += 2 if data[pos] == 0x0D else 1
            line += 1
            continue
        fields, malformed, open_at_end = [], False, False
        while True:
            buf = bytearray()
            quoted = data[pos:pos + 1] == b'"'
            if quoted:
                pos += 1
                while True:
                    if pos >= n:
                        malformed = open_at_end = True
                        break
                    c = data[pos]
                    if c == 0x22:
                        if data[pos + 1:pos + 2] == b'"':
                            buf.append(c)
                            pos += 2
                            continue
                        pos += 1
                        break
                    if c == 0x0A:
                        line += 1
                    buf.append(c)
                    pos += 1
            # Unquoted text, or text after a closing quote (flagged), up to a comma or line end.
            while not open_at_end and not at_line_end(pos) and data[pos] != 0x2C:
                if quoted or data[pos] == 0x22:
                    malformed = True
                buf.append(data[pos])
                pos += 1
            fields.append(bytes(buf))
            if open_at_end or at_line_end(pos):
                break
            pos += 1  # the comma
        end = pos
        if pos < n:
            pos += 2 if data[pos] == 0x0D else 1
        line += 1
        raw = data[start:end]
        if open_at_end:
            # A quote never closed takes the rest of the file; raw is the record "without its
            # final line end" (FEEDS.md), and the file's last line end is that.
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
        yield start_line, raw, None if malformed else fields


def ndjson_records(data):
    """Yields (line, raw bytes) for every non-empty line (CR of a CRLF removed; a CR on a last
    line with no LF is a bare CR, part of the line)."""
    lines = data.split(b"\n")
    ended = [True] * (len(lines) - 1) + [False]
    if lines[-1] == b"":
        lines.pop()
    for number, (raw, has_lf) in enumerate(zip(lines, ended), start=1):
        if has_lf and raw.endswith(b"\r"):
            raw = raw[:-1]
        if raw:
            yield number, raw


class RepeatedKey(Exception):
    pass


def json_object(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise RepeatedKey(keys)
    return dict(pairs)


def reject_constant(name):
    raise ValueError(name)


def validate(kind, data, fmt, known):
    """Validates one feed file. Returns (accepted {key: record},
    rejections [(line, field, reason, key, raw bytes without the final line end)]).
    known: {'employers': set, 'recruiters': set} for references. Raises FileError."""
    table = FIELDS[kind]
    names = [f for f, _, _ in table]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    rows = []  # (line, raw, cells dict or None)
    if fmt == "csv":
        if not data:
            raise FileError("empty file: no header")
        records = csv_records(data)
        if data[:1] == b"\n" or data[:2] == b"\r\n":
            raise FileError("the first line is empty: no header")
        _, _, header = next(records)
        if header is None:
            raise FileError("malformed header")
        header = [h.decode() for h in header]
        for h in header:
            if h not in names:
                raise FileError(f"unknown column {h}")
            if header.count(h) > 1:
                raise FileError(f"column {h} named twice")
        for name, _, required in table:
            if required and name not in header:
                raise FileError(f"required column {name} missing")
        for line, raw, fields in records:
            cells = None
            if fields is not None and len(fields) == len(header):
                try:
                    cells = {h: f.decode("utf-8") for h, f in zip(header, fields)}
                except UnicodeDecodeError:
                    cells = None
            rows.append((line, raw, cells))
    else:
        for line, raw in ndjson_records(data):
            try:
                obj = json.loads(raw.decode("utf-8"), object_pairs_hook=json_object,
                                 parse_float=Decimal, parse_constant=reject_constant)
                if not isinstance(obj, dict):
                    obj = None
            except (UnicodeDecodeError, ValueError, RepeatedKey):
                obj = None
            if obj is not None:
                types = {f: t for f, t, _ in table}
                for key, value in obj.items():
                    if key not in names:
                        raise FileError(f"unknown key {key}")
                    # The keys of a list item's object are spec keys too (FEEDS.md: "A key not in
                    # this spec fails the whole file"); a missing one is INVALID_VALUE later.
                    parts = LIST_PARTS.get(types[key])
                    if parts and isinstance(value, list):
                        for item in value:
                            if isinstance(item, dict):
                                for k in item:
                                    if k not in {name for name, _ in parts}:
                                        raise FileError(f"unknown key {key}.{k}")
            rows.append((line, raw, obj))

    accepted, rejections = {}, []
    for line, raw, cells in rows:
        key = None
        if cells is not None:
            k = cells.get(KEY[kind])
            key = k if isinstance(k, str) and k else None
        record, problem = check_row(kind, fmt, cells, known, accepted)
        if problem:
            rejections.append((line, problem[0], problem[1], key, raw))
        else:
            accepted[record[KEY[kind]]] = record
    return accepted, rejections


def check_row(kind, fmt, cells, known, accepted):
    """(record, None) or (None, (field, reason)): the first problem in FEEDS.md's order."""
    if cells is None:
        return None, ("", "MALFORMED_ROW")
    record = {}
    for name, ftype, required in FIELDS[kind]:
        value = cells.get(name)
        if value is None or value == "" or value == []:
            if required:
                return None, (name, "MISSING_FIELD")
            record[name] = None
            continue
        try:
            record[name] = check_cell(ftype, value) if fmt == "csv" else check_json(ftype, value)
        except Invalid:
            return None, (name, "INVALID_VALUE")
    if kind == "fx_rates" and record["currency"] == "USD" and record["usd_per_unit"] != 1:
        return None, ("usd_per_unit", "INVALID_VALUE")
    if kind == "vacancies" and record["employer_id"] not in known["employers"]:
        return None, ("employer_id", "UNKNOWN_EMPLOYER")
    if kind in ("vacancies", "workers") and record["recruiter_id"] is not None \
            and record["recruiter_id"] not in known["recruiters"]:
        return None, ("recruiter_id", "UNKNOWN_RECRUITER")
    if record[KEY[kind]] in accepted:
        return None, (KEY[kind], "DUPLICATE_KEY")
    return record, None


# --------------------------------------------------------------------------------------
# Engine: this script's own reading of MATCHING.md sections 1 to 6
# --------------------------------------------------------------------------------------

DEFAULT_POLICY = {
    "min_fit": Fraction(1, 2), "max_weekly_hours": Fraction(48), "min_age": 18,
    "contract_language_min": "B1", "health_isco_prefixes": ["22", "32"],
    "weights": {"occupation": Fraction(25, 100), "skills": Fraction(35, 100),
                "experience": Fraction(15, 100), "languages": Fraction(15, 100),
                "education": Fraction(10, 100)},
}


def read_policy(text):
    raw = tomllib.loads(text, parse_float=Decimal)
    policy = {**DEFAULT_POLICY, "weights": dict(DEFAULT_POLICY["weights"])}
    for key, value in raw.items():
        if key == "weights":
            for name, weight in value.items():
                assert name in policy["weights"], name
                policy["weights"][name] = Fraction(weight)
        elif key in ("min_fit", "max_weekly_hours"):
            policy[key] = Fraction(value)
        else:
            assert key in policy, key
            policy[key] = value
    return policy


def shortest(value):
    if isinstance(value, int):
        return str(value)
    if value.denominator == 1:
        return str(value.numerator)
    with decimal.localcontext(prec=2100):  # exact for any policy decimal (never the default 28 digits)
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f").rstrip("0").rstrip(".")


def canonical_policy(policy):
    lines = {"contract_language_min": policy["contract_language_min"],
             "health_isco_prefixes": ",".join(sorted(policy["health_isco_prefixes"])),
             "max_weekly_hours": shortest(policy["max_weekly_hours"]),
             "min_age": str(policy["min_age"]), "min_fit": shortest(policy["min_fit"])}
    for name, weight in policy["weights"].items():
        lines[f"weights.{name}"] = shortest(weight)
    return "".join(f"{k}={lines[k]}\n" for k in sorted(lines, key=lambda s: s.encode()))


def round_half_away(x):
    return math.floor(x + Fraction(1, 2)) if x >= 0 else -math.floor(-x + Fraction(1, 2))


def fit_micro(worker, vacancy, weights):
    isco = vacancy["isco_code"]
    occupation = Fraction(0)
    years = Fraction(0)
    for code, y in worker["occupations"]:
        if code == isco:
            occupation, years = max(occupation, 1), max(years, y)
        elif code[:3] == isco[:3]:
            occupation, years = max(occupation, Fraction(6, 10)), max(years, y / 2)
        elif code[:2] == isco[:2]:
            occupation = max(occupation, Fraction(3, 10))
    has = {code: level for code, level in worker["skills"] or ()}
    credits = {True: [], False: []}
    for code, minimum, essential in vacancy["required_skills"] or ():
        level = has.get(code, 0)
        credits[essential].append(Fraction(1) if level >= minimum else
                                  Fraction(1, 2) if level == minimum - 1 and level >= 1 else Fraction(0))
    ess = sum(credits[True]) / len(credits[True]) if credits[True] else None
    opt = sum(credits[False]) / len(credits[False]) if credits[False] else None
    skills = (Fraction(4, 5) * ess + Fraction(1, 5) * opt if ess is not None and opt is not None
              else ess if ess is not None else opt if opt is not None else Fraction(1))
    required = vacancy["min_experience_years"] or Fraction(0)
    experience = Fraction(1) if required == 0 else min(Fraction(1), years / required)
    speaks = {code: cefr(level) for code, level in worker["languages"] or ()}
    marks = []
    for code, level in vacancy["required_languages"] or ():
        have, need = speaks.get(code, 0), cefr(level)
        marks.append(Fraction(1) if have >= need else
                     Fraction(1, 2) if have == need - 1 and have >= 1 else Fraction(0))
    languages = sum(marks) / len(marks) if marks else Fraction(1)
    minimum = vacancy["min_education"]
    education = (Fraction(1) if minimum is None or worker["education_level"] >= minimum else
                 Fraction(1, 2) if worker["education_level"] == minimum - 1 else Fraction(0))
    w = weights
    total = (w["occupation"] * occupation + w["skills"] * skills + w["experience"] * experience
             + w["languages"] * languages + w["education"] * education)
    return round_half_away(total / sum(w.values()) * 1_000_000)


def recruiter_reasons(recruiters, recruiter_id, day):
    if recruiter_id is None:
        return []
    r = recruiters[recruiter_id]
    reasons = []
    if r["blocklisted"]:
        reasons.append("RECRUITER_BLOCKLISTED")
    if r["license_number"] is None:
        reasons.append("RECRUITER_UNLICENSED")
    if r["license_expires"] is not None and r["license_expires"] < day:
        reasons.append("RECRUITER_LICENSE_EXPIRED")
    return reasons


def vacancy_reasons(v, feeds, policy, rates, day):
    reasons = []
    if (v["worker_fee"] or 0) > 0:
        reasons.append("RECRUITMENT_FEE_CHARGED")
    if v["passport_retention"]:
        reasons.append("PASSPORT_RETENTION")
    if not v["contract_languages"]:
        reasons.append("NO_WRITTEN_CONTRACT")
    if v["hours_per_week"] > policy["max_weekly_hours"]:
        reasons.append("EXCESSIVE_HOURS")
    minimum = feeds["minimum_wages"].get(v["destination_country"])
    if v["currency"] not in rates or minimum and minimum["currency"] not in rates:
        reasons.append("FX_RATE_MISSING")
    elif minimum and v["monthly_wage"] * rates[v["currency"]] < \
            minimum["monthly_amount"] * rates[minimum["currency"]]:
        reasons.append("WAGE_BELOW_MINIMUM")
    if feeds["employers"][v["employer_id"]]["blocklisted"]:
        reasons.append("EMPLOYER_BLOCKLISTED")
    return reasons + recruiter_reasons(feeds["recruiters"], v["recruiter_id"], day)


def worker_reasons(w, feeds, policy, day):
    reasons = []
    if not w["consent"]:
        reasons.append("NO_CONSENT")
    if day.year - w["birth_year"] - 1 < policy["min_age"]:
        reasons.append("UNDERAGE")
    return reasons + recruiter_reasons(feeds["recruiters"], w["recruiter_id"], day)


def by_bytes(s):
    return s.encode()


def fit_text(micro):
    """fit_micro / 1e6 with exactly six decimals (fit_micro is never negative)."""
    return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"


def run(feeds, policy, who, day=RUN_DATE):
    """One matching run: exclusions, candidates, and the stable, greedy and optimal matchings."""
    rates = {c: r["usd_per_unit"] for c, r in feeds["fx_rates"].items()}
    rates["USD"] = Fraction(1)
    vacancies = {k: v for k, v in feeds["vacancies"].items()
                 if v["expires_on"] is None or v["expires_on"] >= day}
    workers = feeds["workers"]
    exclusions = []
    for vid, v in vacancies.items():
        exclusions += [("vacancy", "", vid, r) for r in vacancy_reasons(v, feeds, policy, rates, day)]
    for wid, w in workers.items():
        exclusions += [("worker", wid, "", r) for r in worker_reasons(w, feeds, policy, day)]
    # Two sets: a worker and a vacancy may share an id text without excluding each other.
    excluded_v = {e[2] for e in exclusions if e[0] == "vacancy"}
    excluded_w = {e[1] for e in exclusions if e[0] == "worker"}
    eligible_v = {k: v for k, v in vacancies.items() if k not in excluded_v}
    eligible_w = {k: w for k, w in workers.items() if k not in excluded_w}
    candidates = {}  # (wid, vid) -> fit_micro
    cents = {vid: round_half_away(v["monthly_wage"] * rates[v["currency"]] * 100)
             for vid, v in eligible_v.items()}
    need = cefr(policy["contract_language_min"])
    for wid, w in eligible_w.items():
        speaks = {code: cefr(level) for code, level in w["languages"] or ()}
        for vid, v in eligible_v.items():
            fm = fit_micro(w, v, policy["weights"])
            if fm < policy["min_fit"] * 1_000_000:
                continue
            if w["preferred_destinations"] and \
                    (v["destination_country"],) not in w["preferred_destinations"]:
                continue
            if w["min_monthly_wage_usd"] is not None and cents[vid] < w["min_monthly_wage_usd"] * 100:
                continue
            if w["available_from"] and v["start_date"] and w["available_from"] > v["start_date"]:
                continue
            pair = []
            if any(v["isco_code"].startswith(p) for p in policy["health_isco_prefixes"]) \
                    and w["origin_country"] in who and not v["g2g_agreement"]:
                pair.append("WHO_SAFEGUARD_LIST")
            if not any(speaks.get(code, 0) >= need for (code,) in v["contract_languages"]):
                pair.append("CONTRACT_LANGUAGE_NOT_UNDERSTOOD")
            exclusions += [("pair", wid, vid, r) for r in pair]
            if not pair:
                candidates[(wid, vid)] = fm

    def preference(wid, vid):
        order = [c for (c,) in workers[wid]["preferred_destinations"] or ()]
        dest = vacancies[vid]["destination_country"]
        return (order.index(dest) if order else 0, -cents[vid], by_bytes(vid))

    lists = {}
    for (wid, vid) in candidates:
        lists.setdefault(wid, []).append(vid)
    for wid in lists:
        lists[wid].sort(key=lambda vid: preference(wid, vid))
    rank = {(wid, vid): i + 1 for wid, vids in lists.items() for i, vid in enumerate(vids)}
    capacity = {vid: v["openings"] for vid, v in eligible_v.items()}

    # Worker-proposing deferred acceptance with capacities.
    held = {vid: [] for vid in eligible_v}
    nxt = {wid: 0 for wid in lists}
    free = sorted(lists, key=by_bytes)
    while free:
        wid = free.pop()
        if nxt[wid] >= len(lists[wid]):
            continue
        vid = lists[wid][nxt[wid]]
        nxt[wid] += 1
        held[vid].append(wid)
        held[vid].sort(key=lambda x: (-candidates[(x, vid)], by_bytes(x)))
        if len(held[vid]) > capacity[vid]:
            free.append(held[vid].pop())
    stable = {(wid, vid) for vid, ws in held.items() for wid in ws}
    # Stability, checked directly: no candidate pair would both rather be together.
    partner = {wid: vid for wid, vid in stable}
    for (wid, vid), fm in candidates.items():
        if partner.get(wid) == vid or wid in partner and rank[(wid, partner[wid])] < rank[(wid, vid)]:
            continue
        worst = held[vid][-1] if held[vid] else None
        expect(len(held[vid]) == capacity[vid] and worst is not None and
               (-candidates[(worst, vid)], by_bytes(worst)) < (-fm, by_bytes(wid)),
               f"blocking pair {wid}/{vid}")

    greedy, used_w, load = set(), set(), {vid: 0 for vid in eligible_v}
    for (wid, vid), fm in sorted(candidates.items(),
                                 key=lambda kv: (-kv[1], by_bytes(kv[0][0]), by_bytes(kv[0][1]))):
        if wid not in used_w and load[vid] < capacity[vid]:
            greedy.add((wid, vid))
            used_w.add(wid)
            load[vid] += 1

    optimal = optimal_figures(candidates, rank, capacity)

    def tally(matches):
        check_matching(matches, candidates, capacity)
        return {"matched": len(matches),
                "unmatched_workers": len(eligible_w) - len(matches),
                "unfilled_openings": sum(capacity.values()) - len(matches),
                "fit_sum": fit_text(sum(candidates[p] for p in matches)),
                "worker_rank_sum": sum(rank[p] for p in matches)}

    reasons = {}
    for e in exclusions:
        reasons[e[3]] = reasons.get(e[3], 0) + 1
    per_vacancy = {}
    for (_, vid) in candidates:
        per_vacancy[vid] = per_vacancy.get(vid, 0) + 1
    result = {
        "counts": {
            "workers": len(workers), "vacancies": len(vacancies),
            "openings": sum(v["openings"] for v in vacancies.values()),
            "eligible_workers": len(eligible_w), "eligible_vacancies": len(eligible_v),
            "eligible_openings": sum(capacity.values()),
            "candidates": len(candidates)},
        "stable": tally(stable), "greedy": tally(greedy),
        "optimal": {"matched": optimal["matched"],
                    "unmatched_workers": len(eligible_w) - optimal["matched"],
                    "unfilled_openings": sum(capacity.values()) - optimal["matched"],
                    "fit_sum": fit_text(optimal["fit_sum"]),
                    "worker_rank_sum": optimal["worker_rank_sum"]},
        "optimal_check": optimal["networkx"],
        "matches": {"stable": stable, "greedy": greedy},
        "candidates": candidates, "rank": rank,
        "exclusions": dict(sorted(reasons.items(), key=lambda kv: by_bytes(kv[0]))),
        "exclusion_rows": sorted(exclusions, key=lambda e: tuple(map(by_bytes, e))),
        "min_wage_unknown": sorted(vid for vid, v in vacancies.items()
                                   if v["destination_country"] not in feeds["minimum_wages"]),
        "not_taking_part": sorted(set(feeds["vacancies"]) - set(vacancies)),
        "workers_with_candidates": len(lists),
        "oversubscribed": sorted(vid for vid, n in per_vacancy.items() if n > capacity[vid]),
        "per_vacancy": per_vacancy,
    }
    for name in ("stable", "greedy"):
        # The optimum is at least as good as any other matching, lexicographically.
        other = result[name]
        expect((-optimal["fit_sum"], optimal["worker_rank_sum"]) <=
               (-sum(candidates[p] for p in result["matches"][name]), other["worker_rank_sum"]),
               f"optimal is worse than {name}")
    return result


def self_test_fit():
    """The worked example of MATCHING.md section 3: 0.7984375 exactly, so 798438 (doubles give
    798437.4999... and would round down)."""
    vacancy = {"isco_code": "2221", "required_skills": None, "min_experience_years": Fraction("6.4"),
               "required_languages": (("de", "B1"),), "min_education": None}
    worker = {"occupations": (("2221", Fraction(1)),), "skills": None, "languages": (("de", "A2"),),
              "education_level": 0}
    expect(fit_micro(worker, vacancy, DEFAULT_POLICY["weights"]) == 798438, "MATCHING.md fit example")
    expect(fit_text(565000) == "0.565000" and fit_text(1_000_000) == "1.000000", "fit text")


def check_matching(matches, candidates, capacity):
    """Only candidates, each worker at most once, each vacancy within its openings."""
    expect(all(p in candidates for p in matches), "a match that is not a candidate")
    workers = [w for w, _ in matches]
    expect(len(workers) == len(set(workers)), "a worker matched twice")
    for vid, n in capacity.items():
        expect(sum(1 for _, v in matches if v == vid) <= n, f"{vid} over its openings")


# --------------------------------------------------------------------------------------
# Strategy `optimal`: the largest sum of fit_micro, then the smallest sum of worker_rank
# --------------------------------------------------------------------------------------

def min_cost_matching(costs, capacity):
    """The matching (workers 1, vacancies `capacity`) of least total cost, over matchings of
    any size: successive shortest paths with Dijkstra on reduced costs (Johnson potentials),
    stopping at the first augmenting path whose cost is not negative. The cost of the k-th
    shortest path never decreases (min-cost flow is convex in the flow), so that is optimal.
    costs: {(wid, vid): integer}. Returns the set of matched pairs."""
    wids = sorted({w for w, _ in costs}, key=by_bytes)
    vids = sorted({v for _, v in costs}, key=by_bytes)
    node = {("w", w): i + 2 for i, w in enumerate(wids)}
    node.update({("v", v): i + 2 + len(wids) for i, v in enumerate(vids)})
    n, source, sink = 2 + len(wids) + len(vids), 0, 1
    graph = [[] for _ in range(n)]  # edges: [to, residual capacity, cost, index of reverse]

    def edge(a, b, cap, cost):
        graph[a].append([b, cap, cost, len(graph[b])])
        graph[b].append([a, 0, -cost, len(graph[a]) - 1])
    for w in wids:
        edge(source, node[("w", w)], 1, 0)
    for (w, v), cost in sorted(costs.items(), key=lambda kv: (by_bytes(kv[0][0]), by_bytes(kv[0][1]))):
        edge(node[("w", w)], node[("v", v)], 1, cost)
    for v in vids:
        edge(node[("v", v)], sink, capacity[v], 0)
    # Initial potentials: shortest distances in the (acyclic) starting graph.
    pot = [0] * n
    for v in vids:
        pot[node[("v", v)]] = min(c for (_, v2), c in costs.items() if v2 == v)
    pot[sink] = min(pot[node[("v", v)]] for v in vids) if vids else 0
    while True:
        dist, back = [None] * n, [None] * n
        dist[source] = 0
        heap = [(0, source)]
        while heap:
            d, u = heapq.heappop(heap)
            if d > dist[u]:
                continue
            for i, (b, cap, cost, _) in enumerate(graph[u]):
                if cap > 0:
                    nd = d + cost + pot[u] - pot[b]
                    expect(cost + pot[u] - pot[b] >= 0, "negative reduced cost")
                    if dist[b] is None or nd < dist[b]:
                        dist[b], back[b] = nd, (u, i)
                        heapq.heappush(heap, (nd, b))
        if dist[sink] is None or dist[sink] + pot[sink] - pot[source] >= 0:
            break
        for u in range(n):
            if dist[u] is not None:
                pot[u] += dist[u]
        u = sink
        while u != source:
            a, i = back[u]
            graph[a][i][1] -= 1
            graph[u][graph[a][i][3]][1] += 1
            u = a
    name = {i: key for key, i in node.items()}
    return {(name[a][1], name[b][1]) for a in range(n) if a in name and name[a][0] == "w"
            for b, cap, _, _ in graph[a] if b in name and name[b][0] == "v" and cap == 0}


def lexicographic_costs(candidates, rank, tie=0):
    """Integer costs whose least sum is the largest fit sum, then the smallest rank sum, then
    (tie -1 or +1) the most or fewest matches. big exceeds any rank sum or match count."""
    big = len(candidates) + 1
    return {p: (-fm * big + rank[p]) * big + tie for p, fm in candidates.items()}


def optimal_figures(candidates, rank, capacity):
    """fit_sum (micro), worker_rank_sum and matched of the optimal strategy. Optimal matchings
    are not unique; these figures are checked to be the same for all of them (the match count
    is computed both as small and as large as the optimum allows)."""
    def figures(pairs):
        check_matching(pairs, candidates, capacity)
        return (sum(candidates[p] for p in pairs), sum(rank[p] for p in pairs), len(pairs))
    fewest = figures(min_cost_matching(lexicographic_costs(candidates, rank, +1), capacity))
    most = figures(min_cost_matching(lexicographic_costs(candidates, rank, -1), capacity))
    expect(fewest[:2] == most[:2], "optimal: the two tie-breaks disagree on fit or rank sums")
    expect(fewest[2] == most[2], f"optimal: the match count is not unique ({fewest[2]} to {most[2]})")
    checked = networkx_figures(candidates, rank, capacity)
    if checked is not None:
        expect(checked[:2] == fewest[:2], f"optimal: networkx finds {checked}, this script {fewest}")
    return {"fit_sum": fewest[0], "worker_rank_sum": fewest[1], "matched": fewest[2],
            "networkx": checked is not None}


def networkx_figures(candidates, rank, capacity):
    """The same optimum from networkx's network simplex, when networkx is importable (a second,
    independent solver); None otherwise."""
    try:
        import networkx
    except ImportError:
        return None
    costs = lexicographic_costs(candidates, rank)
    wids = sorted({w for w, _ in candidates}, key=by_bytes)
    graph = networkx.DiGraph()
    graph.add_node("s", demand=-len(wids))
    graph.add_node("t", demand=len(wids))
    graph.add_edge("s", "t", capacity=len(wids), weight=0)  # workers left unmatched
    for w in wids:
        graph.add_edge("s", ("w", w), capacity=1, weight=0)
    for (w, v), cost in costs.items():
        graph.add_edge(("w", w), ("v", v), capacity=1, weight=cost)
    for v in {v for _, v in candidates}:
        graph.add_edge(("v", v), "t", capacity=capacity[v], weight=0)
    _, flow = networkx.network_simplex(graph)
    pairs = {(w, v) for (w, v) in candidates if flow[("w", w)][("v", v)] == 1}
    check_matching(pairs, candidates, capacity)
    return (sum(candidates[p] for p in pairs), sum(rank[p] for p in pairs), len(pairs))


def self_test_optimal():
    """min_cost_matching against exhaustive search on small random instances."""
    dice = Dice(SEED + 1)
    for _ in range(60):
        wids = [f"w{i}" for i in range(1 + dice.index(5))]
        vids = [f"v{i}" for i in range(1 + dice.index(3))]
        capacity = {v: 1 + dice.index(2) for v in vids}
        candidates, rank = {}, {}
        for w in wids:
            mine = [v for v in vids if dice.chance(0.6)]
            for r, v in enumerate(dice.shuffled(mine), start=1):
                candidates[(w, v)] = dice.pick([0, 500_000, 600_000, 750_000, 1_000_000])
                rank[(w, v)] = r
        if not candidates:
            continue
        best = None
        for choice in itertools.product(*[[None] + [v for v in vids if (w, v) in candidates]
                                          for w in wids]):
            pairs = {(w, v) for w, v in zip(wids, choice) if v is not None}
            if any(sum(1 for _, v2 in pairs if v2 == v) > capacity[v] for v in vids):
                continue
            key = (-sum(candidates[p] for p in pairs), sum(rank[p] for p in pairs))
            if best is None or key < best[0]:
                best = (key, {len(pairs)})
            elif key == best[0]:
                best[1].add(len(pairs))
        for tie, count in ((+1, min(best[1])), (-1, max(best[1]))):
            pairs = min_cost_matching(lexicographic_costs(candidates, rank, tie), capacity)
            check_matching(pairs, candidates, capacity)
            got = (-sum(candidates[p] for p in pairs), sum(rank[p] for p in pairs))
            expect(got == best[0] and len(pairs) == count,
                   f"min_cost_matching {got} {len(pairs)}, exhaustive {best}")


# --------------------------------------------------------------------------------------
# Bad feeds: every case is written next to the outcome it must have
# --------------------------------------------------------------------------------------

OK = ("accepted", "")
EMPTY_LINE = b""


def bad(reason, field=""):
    return (reason, field)


def vrow(vid, **changes):
    """A valid vacancy row (references the good employers and recruiters), then changes."""
    base = vacancy(vid, "E01", "R01", "2221", "Registered Nurse", "DE", 2, "patient-care:3:E",
                   "de:B1", "3450.00", "38.5", edu="6")
    base.update(changes)
    return base


def wrow(wid, **changes):
    base = {"worker_id": wid, "origin_country": "PH", "birth_year": "1990", "gender": "F",
            "education_level": "6", "occupations": "2221:5", "skills": "patient-care:3;iv-therapy:2",
            "languages": "tl:C2;en:B2", "preferred_destinations": "DE;GB",
            "min_monthly_wage_usd": "2000", "available_from": "2027-01-01", "consent": "true",
            "recruiter_id": "R01"}
    base.update(changes)
    return base


def json_members(kind, record, raw=None, drop=()):
    """NDJSON text of a record; raw maps a field to the JSON text to write instead."""
    raw = raw or {}
    members = []
    for name, ftype, _ in FIELDS[kind]:
        if name in drop:
            continue
        if name in raw:
            members.append(f'"{name}":{raw[name]}')
        elif record.get(name, "") != "":
            members.append(f'"{name}":{json_value(ftype, record[name])}')
    return members


def jline(kind, record, raw=None, drop=(), extra=()):
    return ("{" + ",".join(json_members(kind, record, raw, drop) + list(extra)) + "}").encode()


V_COLUMNS = [f for f, _, _ in FIELDS["vacancies"]]
# Workers' bad CSV lists its columns in another order than the table: rejections still
# follow the table's order, not the file's.
W_COLUMNS = ["worker_id", "consent", "recruiter_id", "occupations", "origin_country", "birth_year",
             "gender", "education_level", "skills", "languages", "preferred_destinations",
             "min_monthly_wage_usd", "available_from"]


def vcsv(record):
    return csv_line([record[c] for c in V_COLUMNS]).encode()


def wcsv(record):
    return csv_line([record[c] for c in W_COLUMNS]).encode()


def vacancy_csv_cases():
    cells = [vrow("VB07")[c] for c in V_COLUMNS]
    return [
        ("a valid row", vcsv(vrow("VB01")), OK),
        ("SQL-looking title, taken verbatim", vcsv(vrow("VB02", title="'); DROP TABLE employers;--")), OK),
        ("quoted title with a comma and a line break (2 physical lines)",
         vcsv(vrow("VB03", title="Nurse, night shift\nWard 3 (Köln)")), OK),
        ('quoted title with doubled quotes: Nurse "night" shift',
         vcsv(vrow("VB04", title='Nurse "night" shift')), OK),
        ("empty line: skipped, not a row", EMPTY_LINE, None),
        ("bad quoting: text after a closing quote",
         vcsv(vrow("VB05", title="TITLE")).replace(b"TITLE", b'"Nurse "night" shift"'), bad("MALFORMED_ROW")),
        ("one field too few", csv_line(cells[:-1]).encode().replace(b"VB07", b"VB06"), bad("MALFORMED_ROW")),
        ("one field too many", csv_line(cells + [""]).encode(), bad("MALFORMED_ROW")),
        ("invalid UTF-8 (byte FF) in the title",
         vcsv(vrow("VB08", title="Pflegekraft TITLE")).replace(b"TITLE", b"\xff"), bad("MALFORMED_ROW")),
        ("title empty", vcsv(vrow("VB09", title="")), bad("MISSING_FIELD", "title")),
        ("employer_id empty", vcsv(vrow("VB10", employer_id="")), bad("MISSING_FIELD", "employer_id")),
        ("openings ' 3' (not trimmed)", vcsv(vrow("VB11", openings=" 3")), bad("INVALID_VALUE", "openings")),
        ("openings 'three'", vcsv(vrow("VB12", openings="three")), bad("INVALID_VALUE", "openings")),
        ("openings 0 (must be >= 1)", vcsv(vrow("VB13", openings="0")), bad("INVALID_VALUE", "openings")),
        ("destination_country UK (ISO code is GB)", vcsv(vrow("VB14", destination_country="UK")),
         bad("INVALID_VALUE", "destination_country")),
        ("currency EURO", vcsv(vrow("VB15", currency="EURO")), bad("INVALID_VALUE", "currency")),
        ("required_languages de:B3 (not CEFR)", vcsv(vrow("VB16", required_languages="de:B3")),
         bad("INVALID_VALUE", "required_languages")),
        ("contract_languages 'en;' (empty item)", vcsv(vrow("VB17", contract_languages="en;")),
         bad("INVALID_VALUE", "contract_languages")),
        ("contract_languages 'en;en' (same code twice)", vcsv(vrow("VB18", contract_languages="en;en")),
         bad("INVALID_VALUE", "contract_languages")),
        ("expires_on 2026-02-30 (no such day)", vcsv(vrow("VB19", expires_on="2026-02-30")),
         bad("INVALID_VALUE", "expires_on")),
        ("worker_fee -50", vcsv(vrow("VB20", worker_fee="-50")), bad("INVALID_VALUE", "worker_fee")),
        ("monthly_wage 0 (must be > 0)", vcsv(vrow("VB21", monthly_wage="0")),
         bad("INVALID_VALUE", "monthly_wage")),
        ("required_skills level 5 (levels are 1-4)", vcsv(vrow("VB22", required_skills="patient-care:5:E")),
         bad("INVALID_VALUE", "required_skills")),
        ("required_skills flag 'e' (upper case only)", vcsv(vrow("VB23", required_skills="patient-care:3:e")),
         bad("INVALID_VALUE", "required_skills")),
        ("isco_code 222 (3 digits)", vcsv(vrow("VB24", isco_code="222")), bad("INVALID_VALUE", "isco_code")),
        ("hours_per_week 1e2 (no exponent in CSV)", vcsv(vrow("VB25", hours_per_week="1e2")),
         bad("INVALID_VALUE", "hours_per_week")),
        ("passport_retention 'yes'", vcsv(vrow("VB26", passport_retention="yes")),
         bad("INVALID_VALUE", "passport_retention")),
        ("vacancy_id with a space", vcsv(vrow("VB 27")), bad("INVALID_VALUE", "vacancy_id")),
        ("min_experience_years -1", vcsv(vrow("VB28", min_experience_years="-1")),
         bad("INVALID_VALUE", "min_experience_years")),
        ("booleans FALSE and 0, spaces around list items and parts",
         vcsv(vrow("VB29", passport_retention="FALSE", g2g_agreement="0",
                   required_languages=" de : B1 ; en:A2 ")), OK),
        ("non-ASCII title, no recruiter, no contract languages (loads; a run excludes it)",
         vcsv(vrow("VB30", title="Pflegefachkraft (m/w/d) – Köln", recruiter_id="",
                   contract_languages="")), OK),
        ("bad country, bad currency, unknown employer: the first field in table order wins",
         vcsv(vrow("VB31", employer_id="E99", destination_country="UK", currency="EURO")),
         bad("INVALID_VALUE", "destination_country")),
        ("employer E99 not loaded", vcsv(vrow("VB32", employer_id="E99")),
         bad("UNKNOWN_EMPLOYER", "employer_id")),
        ("recruiter R99 not loaded", vcsv(vrow("VB33", recruiter_id="R99")),
         bad("UNKNOWN_RECRUITER", "recruiter_id")),
        ("unknown employer and unknown recruiter: employer first",
         vcsv(vrow("VB34", employer_id="E99", recruiter_id="R99")), bad("UNKNOWN_EMPLOYER", "employer_id")),
        ("VB01 again", vcsv(vrow("VB01", openings="5")), bad("DUPLICATE_KEY", "vacancy_id")),
        ("VB02 again with recruiter R99: the reference is checked first",
         vcsv(vrow("VB02", recruiter_id="R99")), bad("UNKNOWN_RECRUITER", "recruiter_id")),
        ("VB11 again, valid: a rejected row does not hold its key", vcsv(vrow("VB11")), OK),
    ]


def vacancy_ndjson_cases():
    K = "vacancies"

    def j(vid, raw=None, drop=(), extra=(), **changes):
        return jline(K, vrow(vid, **changes), raw, drop, extra)
    return [
        ("a valid row", j("VB01"), OK),
        ("SQL-looking title, taken verbatim", j("VB02", title="'); DROP TABLE employers;--"), OK),
        ("title with a comma and an escaped line break", j("VB03", title="Nurse, night shift\nWard 3 (Köln)"), OK),
        ("monthly_wage 3.1e3 (3100) and hours_per_week 38.5: any JSON number",
         j("VB04", raw={"monthly_wage": "3.1e3"}), OK),
        ('null, "" and [] mean absent', j("VB05", raw={"recruiter_id": "null", "required_skills": "[]",
                                                     "contract_months": '""', "start_date": "null"}), OK),
        ("empty line: skipped, not a row", EMPTY_LINE, None),
        ("invalid JSON (no closing brace)", j("VB06")[:-1], bad("MALFORMED_ROW")),
        ("not an object", b'["VB07","E01"]', bad("MALFORMED_ROW")),
        ("key openings twice", j("VB08", extra=['"openings":3']), bad("MALFORMED_ROW")),
        ("key level twice inside a list item",
         j("VB09", raw={"required_languages": '[{"code":"de","level":"B1","level":"B2"}]'}),
         bad("MALFORMED_ROW")),
        ("invalid UTF-8 (byte FF) inside a string", j("VB10", title="Pflegekraft TITLE").replace(b"TITLE", b"\xff"),
         bad("MALFORMED_ROW")),
        ("title key missing", j("VB11", drop=("title",)), bad("MISSING_FIELD", "title")),
        ('title ""', j("VB12", raw={"title": '""'}), bad("MISSING_FIELD", "title")),
        ("currency null", j("VB13", raw={"currency": "null"}), bad("MISSING_FIELD", "currency")),
        ("openings 3.0 (integers have no fraction)", j("VB14", raw={"openings": "3.0"}),
         bad("INVALID_VALUE", "openings")),
        ('openings "3" (a string)', j("VB15", raw={"openings": '"3"'}), bad("INVALID_VALUE", "openings")),
        ("openings true", j("VB16", raw={"openings": "true"}), bad("INVALID_VALUE", "openings")),
        ('destination_country "UK"', j("VB17", destination_country="UK"),
         bad("INVALID_VALUE", "destination_country")),
        ('currency "eur" (upper case only)', j("VB18", currency="eur"), bad("INVALID_VALUE", "currency")),
        ("required_languages level B3", j("VB19", required_languages="de:B3"),
         bad("INVALID_VALUE", "required_languages")),
        ('contract_languages ["en",""] (empty item)', j("VB20", raw={"contract_languages": '["en",""]'}),
         bad("INVALID_VALUE", "contract_languages")),
        ('contract_languages ["en","en"]', j("VB21", raw={"contract_languages": '["en","en"]'}),
         bad("INVALID_VALUE", "contract_languages")),
        ('contract_languages "en" (a string, not an array)', j("VB22", raw={"contract_languages": '"en"'}),
         bad("INVALID_VALUE", "contract_languages")),
        ('expires_on "2026-02-30"', j("VB23", expires_on="2026-02-30"), bad("INVALID_VALUE", "expires_on")),
        ("worker_fee -50", j("VB24", worker_fee="-50"), bad("INVALID_VALUE", "worker_fee")),
        ("monthly_wage 0", j("VB25", monthly_wage="0"), bad("INVALID_VALUE", "monthly_wage")),
        ('monthly_wage "3450.00" (a string)', j("VB26", raw={"monthly_wage": '"3450.00"'}),
         bad("INVALID_VALUE", "monthly_wage")),
        ('passport_retention "false" (a string)', j("VB27", raw={"passport_retention": '"false"'}),
         bad("INVALID_VALUE", "passport_retention")),
        ('required_skills essential "E" (not a boolean)',
         j("VB28", raw={"required_skills": '[{"code":"patient-care","min_level":3,"essential":"E"}]'}),
         bad("INVALID_VALUE", "required_skills")),
        ("bad country and unknown employer: the field comes first",
         j("VB29", employer_id="E99", destination_country="UK"), bad("INVALID_VALUE", "destination_country")),
        ("employer E99 not loaded", j("VB30", employer_id="E99"), bad("UNKNOWN_EMPLOYER", "employer_id")),
        ("recruiter R99 not loaded", j("VB31", recruiter_id="R99"), bad("UNKNOWN_RECRUITER", "recruiter_id")),
        ("VB01 again", j("VB01", openings="5"), bad("DUPLICATE_KEY", "vacancy_id")),
        ("VB14 again, valid: a rejected row does not hold its key", j("VB14"), OK),
        ("a valid row on the last line, with no final line end", j("VB32"), OK),
    ]


def worker_csv_cases():
    cells = [wrow("W9006")[c] for c in W_COLUMNS]
    return [
        ("a valid row", wcsv(wrow("W9001")), OK),
        ("consent TRUE, no gender, spaces around list items and parts",
         wcsv(wrow("W9002", consent="TRUE", gender="", languages="tl:C2 ; en : B2")), OK),
        ("consent 1, no recruiter, no skills", wcsv(wrow("W9003", consent="1", recruiter_id="", skills="")), OK),
        ("registered through the blocklisted R05: loads (a run excludes it)",
         wcsv(wrow("W9004", origin_country="PK", languages="ur:C2;en:B2", recruiter_id="R05")), OK),
        ("empty line: skipped, not a row", EMPTY_LINE, None),
        ("bad quoting: text after a closing quote",
         wcsv(wrow("W9005", occupations="OCC")).replace(b"OCC", b'"2221:5"x'), bad("MALFORMED_ROW")),
        ("one field too few", csv_line(cells[:-1]).encode(), bad("MALFORMED_ROW")),
        ("invalid UTF-8 (byte FF) in worker_id", wcsv(wrow("W90XQ")).replace(b"XQ", b"\xff7"),
         bad("MALFORMED_ROW")),
        ("occupations empty (required)", wcsv(wrow("W9008", occupations="")), bad("MISSING_FIELD", "occupations")),
        ("consent empty (required)", wcsv(wrow("W9009", consent="")), bad("MISSING_FIELD", "consent")),
        ("birth_year ' 1990' (not trimmed)", wcsv(wrow("W9010", birth_year=" 1990")),
         bad("INVALID_VALUE", "birth_year")),
        ("birth_year 1990.0", wcsv(wrow("W9011", birth_year="1990.0")), bad("INVALID_VALUE", "birth_year")),
        ("origin_country 'ph' (upper case only)", wcsv(wrow("W9012", origin_country="ph")),
         bad("INVALID_VALUE", "origin_country")),
        ("languages 'en:B1;' (empty item)", wcsv(wrow("W9013", languages="en:B1;")),
         bad("INVALID_VALUE", "languages")),
        ("languages 'en:B1;en:B2' (same code twice)", wcsv(wrow("W9014", languages="en:B1;en:B2")),
         bad("INVALID_VALUE", "languages")),
        ("languages 'en:b2' (CEFR upper case only)", wcsv(wrow("W9015", languages="en:b2")),
         bad("INVALID_VALUE", "languages")),
        ("preferred_destinations 'DE;DE'", wcsv(wrow("W9016", preferred_destinations="DE;DE")),
         bad("INVALID_VALUE", "preferred_destinations")),
        ("available_from 2026-02-30", wcsv(wrow("W9017", available_from="2026-02-30")),
         bad("INVALID_VALUE", "available_from")),
        ("min_monthly_wage_usd 1500.505 (not whole cents)", wcsv(wrow("W9018", min_monthly_wage_usd="1500.505")),
         bad("INVALID_VALUE", "min_monthly_wage_usd")),
        ("min_monthly_wage_usd -100", wcsv(wrow("W9019", min_monthly_wage_usd="-100")),
         bad("INVALID_VALUE", "min_monthly_wage_usd")),
        ("gender 'female'", wcsv(wrow("W9020", gender="female")), bad("INVALID_VALUE", "gender")),
        ("consent 'yes'", wcsv(wrow("W9021", consent="yes")), bad("INVALID_VALUE", "consent")),
        ("skills level 0", wcsv(wrow("W9022", skills="patient-care:0")), bad("INVALID_VALUE", "skills")),
        ("occupations '2221' (no years)", wcsv(wrow("W9023", occupations="2221")),
         bad("INVALID_VALUE", "occupations")),
        ("occupations '2221:-1'", wcsv(wrow("W9024", occupations="2221:-1")), bad("INVALID_VALUE", "occupations")),
        ("education_level 9 (ISCED is 0-8)", wcsv(wrow("W9025", education_level="9")),
         bad("INVALID_VALUE", "education_level")),
        ("worker_id with a space", wcsv(wrow("W 9026")), bad("INVALID_VALUE", "worker_id")),
        ("consent 'yes' (earlier column) and origin 'XX': table order, not column order",
         wcsv(wrow("W9027", consent="yes", origin_country="XX")), bad("INVALID_VALUE", "origin_country")),
        ("birth_year 'x' and recruiter R99: the field comes first",
         wcsv(wrow("W9028", birth_year="x", recruiter_id="R99")), bad("INVALID_VALUE", "birth_year")),
        ("recruiter R99 not loaded", wcsv(wrow("W9029", recruiter_id="R99")),
         bad("UNKNOWN_RECRUITER", "recruiter_id")),
        ("W9001 again", wcsv(wrow("W9001", birth_year="1991")), bad("DUPLICATE_KEY", "worker_id")),
        ("W9010 again, valid: a rejected row does not hold its key", wcsv(wrow("W9010")), OK),
    ]


def worker_ndjson_cases():
    K = "workers"

    def j(wid, raw=None, drop=(), extra=(), **changes):
        return jline(K, wrow(wid, **changes), raw, drop, extra)
    return [
        ("a valid row", j("W9001"), OK),
        ("years 5.5, min_monthly_wage_usd 1.5e3 (1500: whole cents)",
         j("W9002", occupations="2221:5.5", raw={"min_monthly_wage_usd": "1.5e3"}), OK),
        ('null, "" and [] mean absent', j("W9003", raw={"gender": "null", "skills": "[]",
                                                      "available_from": '""', "recruiter_id": "null"}), OK),
        ("empty line: skipped, not a row", EMPTY_LINE, None),
        ("invalid JSON (trailing comma)", j("W9004")[:-1] + b",}", bad("MALFORMED_ROW")),
        ("key consent twice", j("W9005", extra=['"consent":false']), bad("MALFORMED_ROW")),
        ("key years twice inside an occupations item",
         j("W9006", raw={"occupations": '[{"isco":"2221","years":5,"years":6}]'}), bad("MALFORMED_ROW")),
        ("a JSON string, not an object", b'"W9007"', bad("MALFORMED_ROW")),
        ("occupations [] (absent, and required)", j("W9008", raw={"occupations": "[]"}),
         bad("MISSING_FIELD", "occupations")),
        ("consent null (absent, and required)", j("W9009", raw={"consent": "null"}),
         bad("MISSING_FIELD", "consent")),
        ('birth_year "1990" (a string)', j("W9010", raw={"birth_year": '"1990"'}), bad("INVALID_VALUE", "birth_year")),
        ("birth_year 1990.0", j("W9011", raw={"birth_year": "1990.0"}), bad("INVALID_VALUE", "birth_year")),
        ("skills level 3.0", j("W9012", raw={"skills": '[{"code":"patient-care","level":3.0}]'}),
         bad("INVALID_VALUE", "skills")),
        ('occupations years "5" (a string)', j("W9013", raw={"occupations": '[{"isco":"2221","years":"5"}]'}),
         bad("INVALID_VALUE", "occupations")),
        ("languages en twice", j("W9014", languages="en:B2;en:C1"), bad("INVALID_VALUE", "languages")),
        ('preferred_destinations ["DE","DE"]', j("W9015", preferred_destinations="DE;DE"),
         bad("INVALID_VALUE", "preferred_destinations")),
        ('preferred_destinations "DE" (not an array)', j("W9016", raw={"preferred_destinations": '"DE"'}),
         bad("INVALID_VALUE", "preferred_destinations")),
        ('consent "true" (a string)', j("W9017", raw={"consent": '"true"'}), bad("INVALID_VALUE", "consent")),
        ("consent 1 (NDJSON booleans are true/false)", j("W9018", raw={"consent": "1"}),
         bad("INVALID_VALUE", "consent")),
        ('gender "f"', j("W9019", gender="f"), bad("INVALID_VALUE", "gender")),
        ("min_monthly_wage_usd 1500.505", j("W9020", min_monthly_wage_usd="1500.505"),
         bad("INVALID_VALUE", "min_monthly_wage_usd")),
        ('available_from "2026-02-30"', j("W9021", available_from="2026-02-30"),
         bad("INVALID_VALUE", "available_from")),
        ("recruiter R99 not loaded", j("W9022", recruiter_id="R99"), bad("UNKNOWN_RECRUITER", "recruiter_id")),
        ("W9001 again", j("W9001", birth_year="1991"), bad("DUPLICATE_KEY", "worker_id")),
        ("W9011 again, valid: a rejected row does not hold its key", j("W9011"), OK),
    ]


def reference_csv_cases():
    return {
        "minimum_wages": [
            ("a valid row", b"DE,2161.00,EUR", OK),
            ("country UK", b"UK,2116.00,GBP", bad("INVALID_VALUE", "country")),
            ("monthly_amount 0", b"FR,0,EUR", bad("INVALID_VALUE", "monthly_amount")),
            ("currency YEN", b"JP,183000,YEN", bad("INVALID_VALUE", "currency")),
            ("DE again", b"DE,2200.00,EUR", bad("DUPLICATE_KEY", "country")),
        ],
        "fx_rates": [
            ("a valid row", b"EUR,1.158000", OK),
            ("USD listed as 1.000000: accepted (it equals 1)", b"USD,1.000000", OK),
            ("usd_per_unit 0", b"GBP,0", bad("INVALID_VALUE", "usd_per_unit")),
            ("one field too many", b"CHF,1,25", bad("MALFORMED_ROW")),
            ("usd_per_unit 6.42e-3 (no exponent in CSV)", b"JPY,6.42e-3", bad("INVALID_VALUE", "usd_per_unit")),
            ("USD again as 1.1: INVALID_VALUE comes before DUPLICATE_KEY", b"USD,1.1",
             bad("INVALID_VALUE", "usd_per_unit")),
            ("EUR again", b"EUR,1.16", bad("DUPLICATE_KEY", "currency")),
        ],
    }


def assemble(header, cases, newline=b"\n", bom=False, final_newline=True):
    """File bytes and the expectations with line numbers: [(line, key, description, outcome)]."""
    out, expectations, line = [], [], 2 if header is not None else 1
    if header is not None:
        out.append(header)
    for description, record, outcome in cases:
        out.append(record)
        if outcome is not None:
            expectations.append((line, description, outcome))
        line += 1 + record.count(b"\n")
    data = newline.join(out) + (newline if final_newline else b"")
    return (b"\xef\xbb\xbf" if bom else b"") + data, expectations


ROW_FILES = [  # path, kind, format, how the file is built
    ("bad/vacancies-rows.csv", "vacancies", "csv",
     lambda: assemble(csv_line(V_COLUMNS).encode(), vacancy_csv_cases(), bom=True)),
    ("bad/vacancies-rows.ndjson", "vacancies", "ndjson",
     lambda: assemble(None, vacancy_ndjson_cases(), final_newline=False)),
    ("bad/workers-rows.csv", "workers", "csv",
     lambda: assemble(csv_line(W_COLUMNS).encode(), worker_csv_cases(), newline=b"\r\n")),
    ("bad/workers-rows.ndjson", "workers", "ndjson", lambda: assemble(None, worker_ndjson_cases())),
    ("bad/minimum-wages-rows.csv", "minimum_wages", "csv",
     lambda: assemble(b"country,monthly_amount,currency", reference_csv_cases()["minimum_wages"])),
    ("bad/fx-rates-rows.csv", "fx_rates", "csv",
     lambda: assemble(b"currency,usd_per_unit", reference_csv_cases()["fx_rates"])),
]


def file_error_cases():
    """Whole-file errors: path, kind, format, bytes, the name the message must give, description."""
    vhead = [c for c in V_COLUMNS if c != "currency"]
    good_v = vrow("VF01")
    whead = [f for f, _, _ in FIELDS["workers"]]
    return [
        ("bad/vacancies-missing-column.csv", "vacancies", "csv",
         (csv_line(vhead) + "\n" + csv_line([good_v[c] for c in vhead]) + "\n").encode(),
         "currency", "required column `currency` missing from the header"),
        ("bad/workers-unknown-column.csv", "workers", "csv",
         (csv_line(whead + ["name"]) + "\n" + csv_line([wrow("W9101")[c] for c in whead] + ["Maria Santos"])
          + "\n").encode(),
         "name", "column `name` is not in the spec (worker records are pseudonymous)"),
        ("bad/employers-duplicate-column.csv", "employers", "csv",
         b"employer_id,name,country,sector,country\nE91,Twice Ltd,DE,health,DE\n",
         "country", "column `country` named twice"),
        ("bad/recruiters-empty.csv", "recruiters", "csv", b"", "", "empty file (0 bytes): no header"),
        ("bad/vacancies-empty-first-line.csv", "vacancies", "csv",
         b"\n" + csv_file("vacancies", [vrow("VF02")]), "",
         "the first line is empty, so there is no header (the real header on line 2 does not count)"),
        ("bad/workers-unknown-key.ndjson", "workers", "ndjson",
         jline("workers", wrow("W9102")) + b"\n"
         + jline("workers", wrow("W9103"), extra=['"passport_number":"P1234567"']) + b"\n",
         "passport_number", "line 2 has the key `passport_number`, not in the spec: the whole file fails"),
    ]


# --------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------

POLICY_DEFAULT = """\
# LabourMatch matching policy: the defaults of spec/MATCHING.md section 8, written out in full.
min_fit = 0.5
max_weekly_hours = 48
min_age = 18
contract_language_min = "B1"
health_isco_prefixes = ["22", "32"]

[weights]
occupation = 0.25
skills = 0.35
experience = 0.15
languages = 0.15
education = 0.10
"""

POLICY_STRICT = """\
# A stricter variant of the default policy: a higher fit threshold, a 45-hour week, and more
# weight on occupation and experience, less on education. The prefixes are written unsorted
# on purpose (the canonical text sorts them).
min_fit = 0.6
max_weekly_hours = 45
min_age = 18
contract_language_min = "B1"
health_isco_prefixes = ["32", "22"]

[weights]
occupation = 0.30
skills = 0.30
experience = 0.20
languages = 0.15
education = 0.05
"""


# --------------------------------------------------------------------------------------
# Build and check
# --------------------------------------------------------------------------------------

def build():
    """Every generated file except README.md: {path relative to Fixtures/: bytes}."""
    records = {
        "employers": rows_of("employers", EMPLOYERS), "recruiters": rows_of("recruiters", RECRUITERS),
        "vacancies": VACANCIES, "workers": make_workers(),
        "minimum_wages": rows_of("minimum_wages", MINIMUM_WAGES), "fx_rates": rows_of("fx_rates", FX_RATES),
    }
    files = {}
    for kind, rows in records.items():
        files[f"{FILE_STEM[kind]}.csv"] = csv_file(kind, rows)
        files[f"{FILE_STEM[kind]}.ndjson"] = ndjson_file(kind, rows)
    files["policy.toml"] = POLICY_DEFAULT.encode()
    files["policy-strict.toml"] = POLICY_STRICT.encode()
    for path, _, _, make in ROW_FILES:
        files[path] = make()[0]
    for path, _, _, data, _, _ in file_error_cases():
        files[path] = data
    files["bad/vacancies-empty.ndjson"] = b""
    return files


def read_who():
    lines = WHO_FILE.read_text().splitlines()[1:]
    return {line.split(",")[0] for line in lines if line}


def expect(condition, message):
    if not condition:
        raise SystemExit(f"check failed: {message}")


def check(files):
    """Validates every file and recomputes the run; returns what README.md reports."""
    global CODES
    CODES = load_codes()
    feeds, known, sizes = {}, {"employers": set(), "recruiters": set()}, {}
    for kind in ["employers", "recruiters", "minimum_wages", "fx_rates", "vacancies", "workers"]:
        parsed = []
        for fmt in ("csv", "ndjson"):
            path = f"{FILE_STEM[kind]}.{fmt}"
            accepted, rejections = validate(kind, files[path], fmt, known)
            expect(not rejections, f"{path} has rejections {rejections}")
            parsed.append(accepted)
        expect(parsed[0] == parsed[1], f"{FILE_STEM[kind]}.csv and .ndjson differ")
        feeds[kind] = parsed[0]
        sizes[kind] = len(parsed[0])
        if kind in known:
            known[kind] = set(parsed[0])

    who = read_who()
    default = read_policy(files["policy.toml"].decode())
    expect(default == DEFAULT_POLICY, "policy.toml is not the default policy")
    strict = read_policy(files["policy-strict.toml"].decode())
    result = run(feeds, default, who)
    strict_result = run(feeds, strict, who)
    rows = result["exclusion_rows"]

    def fired(reason, subject):
        return sorted({(e[1], e[2]) for e in rows if e[0] == subject and e[3] == reason})

    vacancy_rules = ["RECRUITMENT_FEE_CHARGED", "PASSPORT_RETENTION", "NO_WRITTEN_CONTRACT",
                     "EXCESSIVE_HOURS", "WAGE_BELOW_MINIMUM", "FX_RATE_MISSING", "EMPLOYER_BLOCKLISTED",
                     "RECRUITER_BLOCKLISTED", "RECRUITER_UNLICENSED", "RECRUITER_LICENSE_EXPIRED"]
    worker_rules = ["NO_CONSENT", "UNDERAGE", "RECRUITER_BLOCKLISTED", "RECRUITER_UNLICENSED",
                    "RECRUITER_LICENSE_EXPIRED"]
    pair_rules = ["WHO_SAFEGUARD_LIST", "CONTRACT_LANGUAGE_NOT_UNDERSTOOD"]
    table = [("vacancy", r, [v for _, v in fired(r, "vacancy")]) for r in vacancy_rules]
    table += [("worker", r, [w for w, _ in fired(r, "worker")]) for r in worker_rules]
    table += [("pair", r, [f"{w}/{v}" for w, v in fired(r, "pair")]) for r in pair_rules]
    for subject, reason, ids in table:
        expect(ids, f"{subject} rule {reason} never fires")
    expect(result["min_wage_unknown"], "MIN_WAGE_UNKNOWN never counted")
    expect(result["oversubscribed"], "no vacancy is oversubscribed")
    expect(result["not_taking_part"] == ["V051"], "V051 alone must be expired")

    def reasons_of(subject_id):
        return {e[3] for e in rows if subject_id in (e[1], e[2]) and e[0] != "pair"}
    # Edges that must not fire.
    expect("EXCESSIVE_HOURS" not in reasons_of("V014"), "48 hours must not be excessive")
    expect("WAGE_BELOW_MINIMUM" not in reasons_of("V012"), "a wage equal to the minimum is not below it")
    expect("WAGE_BELOW_MINIMUM" not in reasons_of("V026"), "a wage equal to the minimum is not below it")
    expect(not reasons_of("V010"), "R02's licence expires on the run date: not expired")
    expect("V052" in feeds["vacancies"] and "V052" not in result["not_taking_part"], "V052 takes part")
    expect(reasons_of("V034") == {"FX_RATE_MISSING"}, "V034: only the minimum wage's currency lacks a rate")
    for wid in ("W0100", "W0233"):
        expect("UNDERAGE" not in reasons_of(wid), f"{wid} born 2007 is 18")
    expect(any(v["g2g_agreement"] and v["isco_code"][:2] in ("22", "32") and
               vid not in {e[2] for e in rows if e[0] == "vacancy"}
               for vid, v in feeds["vacancies"].items()), "an eligible health vacancy under a G2G agreement")

    bad_files, rejected = [], {}
    for path, kind, fmt, make in ROW_FILES:
        data, expectations = make()
        expect(files[path] == data, path)
        accepted, rejections = validate(kind, data, fmt, known)
        want = [(line, outcome[1], outcome[0]) for line, _, outcome in expectations if outcome != OK]
        got = [(line, field, reason) for line, field, reason, _, _ in rejections]
        expect(got == want, f"{path}: expected {want}\n got {got}")
        n_ok = sum(1 for _, _, o in expectations if o == OK)
        expect(len(accepted) == n_ok, f"{path}: {len(accepted)} accepted, expected {n_ok}")
        bad_files.append((path, kind, fmt, expectations, len(accepted), len(rejections)))
        rejected[path] = (kind, rejections)
    file_errors = []
    for path, kind, fmt, data, name, description in file_error_cases():
        try:
            validate(kind, data, fmt, known)
            expect(False, f"{path} must fail as a whole")
        except FileError as error:
            expect(name in str(error), f"{path}: {error} does not name {name}")
        file_errors.append((path, description))
    expect(validate("vacancies", b"", "ndjson", known) == ({}, []), "an empty NDJSON file has no rows")

    self_test_fit()
    self_test_optimal()
    check_replacement_decoding()
    return {"sizes": sizes, "feeds": feeds, "result": result, "strict": strict_result, "table": table,
            "bad_files": bad_files, "rejections": rejected, "file_errors": file_errors,
            "policies": {"policy.toml": canonical_policy(default),
                         "policy-strict.toml": canonical_policy(strict)}}


# --------------------------------------------------------------------------------------
# Golden outputs (Fixtures/expected/): MATCHING.md section 7 and FEEDS.md "Offline runs"
# --------------------------------------------------------------------------------------

COUNT_KEYS = ["workers", "vacancies", "openings", "eligible_workers", "eligible_vacancies",
              "eligible_openings", "candidates", "matched", "unmatched_workers", "unfilled_openings"]
INPUT_SHA256_PLACEHOLDER = "<engine>"  # the engine's own construction; the Swift tests skip it
EXPECTED_RUNS = [  # directory, policy file, strategies
    ("default", "policy.toml", ["stable", "greedy", "optimal"]),
    ("strict", "policy-strict.toml", ["stable"]),
]


def who_list_edition(path=WHO_FILE):
    """The first 4-digit year in the list file's name, else `unknown` (MATCHING.md section 2)."""
    found = re.search(r"[0-9]{4}", path.name)
    return found.group(0) if found else "unknown"


def csv_text(header, rows):
    """CSV with a header row, RFC 4180 quoting only where needed, every line ending in LF."""
    return "".join(csv_line(cells) + "\n" for cells in [header] + rows).encode()


def pair_rows(pairs, result):
    """worker_id,vacancy_id,fit,worker_rank rows, sorted by the bytes of worker_id, vacancy_id."""
    ordered = sorted(pairs, key=lambda p: (by_bytes(p[0]), by_bytes(p[1])))
    return [[w, v, fit_text(result["candidates"][(w, v)]), str(result["rank"][(w, v)])]
            for w, v in ordered]


def json_object_lines(name, members, indent, last=False):
    """`"name": {...}` over several lines, or `{}` when there are no members."""
    pad = " " * indent
    end = "" if last else ","
    if not members:
        return [f'{pad}"{name}": {{}}{end}']
    inner = [f'{pad}  {json.dumps(k)}: {v}' for k, v in members]
    return [f'{pad}"{name}": {{'] + [line + "," for line in inner[:-1]] + [inner[-1], f"{pad}}}{end}"]


def summary_json(result, strategy, policy_text):
    """summary.json in the exact layout of MATCHING.md section 7 (2-space indentation)."""
    tally = result[strategy]
    counts = {**result["counts"], **{k: tally[k] for k in ("matched", "unmatched_workers",
                                                           "unfilled_openings")}}
    expect(list(counts) == COUNT_KEYS, f"count keys {list(counts)}")
    exclusions = sorted(((k, n) for k, n in result["exclusions"].items() if n),
                        key=lambda kv: by_bytes(kv[0]))
    lines = ["{",
             f'  "strategy": {json.dumps(strategy)},',
             f'  "run_date": "{RUN_DATE.isoformat()}",',
             f'  "policy_sha256": "{hashlib.sha256(policy_text.encode()).hexdigest()}",',
             f'  "input_sha256": "{INPUT_SHA256_PLACEHOLDER}",',
             f'  "who_list_edition": {json.dumps(who_list_edition())},']
    lines += json_object_lines("counts", [(k, str(counts[k])) for k in COUNT_KEYS], 2)
    lines += [f'  "fit_sum": "{tally["fit_sum"]}",',
              f'  "worker_rank_sum": {tally["worker_rank_sum"]},']
    lines += json_object_lines("exclusions", [(k, str(n)) for k, n in exclusions], 2)
    lines += json_object_lines("warnings", [("MIN_WAGE_UNKNOWN", str(len(result["min_wage_unknown"])))],
                               2, last=True)
    text = "\n".join(lines + ["}"]) + "\n"
    expect(json.loads(text)["counts"] == counts, "summary.json does not read back")
    return text.encode()


def rejections_csv(kind, rejections):
    """rejections.csv of FEEDS.md "Offline runs" for one file's rejections: raw without its line
    end, each maximal invalid UTF-8 subsequence one U+FFFD; sorted by file, then line."""
    rows = sorted(rejections, key=lambda r: (by_bytes(kind), r[0]))
    return csv_text(["file", "line", "field", "reason", "raw"],
                    [[kind, str(line), "" if reason == "MALFORMED_ROW" else field, reason,
                      raw.decode("utf-8", "replace")]
                     for line, field, reason, _, raw in rows])


def check_replacement_decoding():
    """Python's decoder replaces each maximal subpart of an ill-formed sequence by one U+FFFD,
    as Unicode 15 section 3.9 (Table 3-11) and Swift's String(decoding:as:) do."""
    table_3_11 = bytes.fromhex("61F18080E180C262806380BF64").decode("utf-8", "replace")
    expect(table_3_11 == "a\ufffd\ufffd\ufffdb\ufffdc\ufffd\ufffdd", "U+FFFD replacement practice")
    for hexa, count in (("C0AF", 2), ("E080AF", 3), ("EDA080", 3), ("F4908080", 4), ("E282", 1),
                        ("F09F98", 1)):
        expect(bytes.fromhex(hexa).decode("utf-8", "replace") == "\ufffd" * count, hexa)


def expected_files(report):
    """Every file of Fixtures/expected/: {path relative to Fixtures/: bytes}."""
    files = {}
    results = {"default": report["result"], "strict": report["strict"]}
    for name, policy_file, strategies in EXPECTED_RUNS:
        result, policy_text = results[name], report["policies"][policy_file]
        for strategy in strategies:
            base = f"expected/{name}/{strategy}/"
            if strategy != "optimal":  # optimal matchings are not unique: figures only
                files[base + "matches.csv"] = csv_text(
                    ["worker_id", "vacancy_id", "fit", "worker_rank"],
                    pair_rows(result["matches"][strategy], result))
                files[base + "candidates.csv"] = csv_text(
                    ["worker_id", "vacancy_id", "fit", "worker_rank"],
                    pair_rows(result["candidates"], result))
                files[base + "exclusions.csv"] = csv_text(
                    ["subject", "worker_id", "vacancy_id", "reason"],
                    [list(e) for e in result["exclusion_rows"]])
            files[base + "summary.json"] = summary_json(result, strategy, policy_text)
    for path, (kind, rejections) in report["rejections"].items():
        files[f"expected/rejections/{Path(path).name}.rejections.csv"] = rejections_csv(kind, rejections)
    return files


# --------------------------------------------------------------------------------------
# README.md
# --------------------------------------------------------------------------------------

def id_list(ids, most=14):
    shown = ", ".join(ids[:most])
    return shown + (f", ... ({len(ids)} in all)" if len(ids) > most else f" ({len(ids)})")


def markdown_cell(text):
    return text.replace("|", "\\|").replace("\n", "\\n")


def summary_lines(result, strategy):
    counts = dict(result["counts"])
    tally = result[strategy]
    counts.update({k: tally[k] for k in ("matched", "unmatched_workers", "unfilled_openings")})
    return [f"- `counts`: " + ", ".join(f"`{k}` {v}" for k, v in counts.items()),
            f"- `fit_sum` `{tally['fit_sum']}`, `worker_rank_sum` {tally['worker_rank_sum']}",
            "- `exclusions`: " + ", ".join(f"`{k}` {v}" for k, v in result["exclusions"].items()),
            f"- `warnings`: `MIN_WAGE_UNKNOWN` {len(result['min_wage_unknown'])}"]


def expected_readme(report):
    """The README section on Fixtures/expected/."""
    out = [
        "## Golden outputs (`expected/`)",
        "",
        "The result files an offline run over the good feeds must write, byte for byte, at run",
        "date 2026-11-29, in the formats of MATCHING.md section 7 and FEEDS.md \"Offline runs\".",
        "They come from the script's own Python implementation of the spec (exact fractions for",
        "`fit_micro`, its own rules, candidates, deferred acceptance, greedy pass and min-cost",
        "matching), written without looking at the Swift engine; the Swift tests run the engine on",
        "the same feeds and compare its files with these, so two independent implementations must",
        "agree. Regenerate them with the script, never by hand (nor from the engine's output);",
        "`--check` also fails on a file in `expected/` that the script does not write.",
        "",
        "| path | what |",
        "|---|---|",
    ]
    for name, policy_file, strategies in EXPECTED_RUNS:
        for strategy in strategies:
            if strategy == "optimal":
                out.append(f"| `{name}/{strategy}/summary.json` | `--strategy optimal` with `{policy_file}`: "
                           "summary only, since optimal matchings are not unique (the counts, `fit_sum` "
                           "and `worker_rank_sum` are; the script checks that the match count is the same "
                           "for the fewest and the most matches an optimum allows) |")
            else:
                out.append(f"| `{name}/{strategy}/` | `--strategy {strategy} --candidates` with "
                           f"`{policy_file}`: `matches.csv`, `candidates.csv`, `exclusions.csv`, `summary.json` |")
    out += [
        "| `rejections/NAME.rejections.csv` | for each row file `bad/NAME` (loaded with the good "
        "employers and recruiters), its rows of `rejections.csv` alone |",
        "",
        "Formats: CSV with a header row, LF after every line, quoting",
        "(RFC 4180) only for a value holding a comma, a quote, CR or LF; `fit` is `fit_micro / 1e6`",
        "with six decimals; `matches.csv` sorted by `worker_id`, `candidates.csv` by `worker_id,",
        "vacancy_id`, `exclusions.csv` by `subject, worker_id, vacancy_id, reason` (bytes, an",
        "empty id first). `summary.json` is laid out exactly (the spec gives its keys and shape,",
        "this fixes the text): 2-space indentation, one key per line in the order of",
        "MATCHING.md, `exclusions` keys sorted by bytes (reasons with no row left out, `{}` when",
        "none), `warnings` always with `MIN_WAGE_UNKNOWN`, and a final LF. Its `input_sha256` is",
        f"the literal `{INPUT_SHA256_PLACEHOLDER}`: that digest's construction is the engine's, so the",
        "tests leave that one value out of the comparison. `policy_sha256` is the SHA-256 of the",
        "canonical policy texts above.",
        "",
        "In `rejections.csv`, `file` is the feed kind (`vacancies`, `workers`, `minimum_wages`,",
        "`fx_rates`), `field` is empty for `MALFORMED_ROW`, and `raw` is the record as it stands in",
        "the file without its final line end (after the BOM; a record over two lines keeps its LF),",
        "each maximal invalid UTF-8 subsequence replaced by one U+FFFD; rows are sorted by line.",
        "",
        "| run | candidates | matched | fit_sum | worker_rank_sum |",
        "|---|---|---|---|---|",
    ]
    results = {"default": report["result"], "strict": report["strict"]}
    for name, _, strategies in EXPECTED_RUNS:
        for strategy in strategies:
            r = results[name]
            out.append(f"| {name} {strategy} | {r['counts']['candidates']} | {r[strategy]['matched']} | "
                       f"{r[strategy]['fit_sum']} | {r[strategy]['worker_rank_sum']} |")
    out.append("")
    return out


def readme(report):
    sizes, result, feeds = report["sizes"], report["result"], report["feeds"]
    openings = sum(v["openings"] for v in feeds["vacancies"].values())
    out = [
        "# Fixtures: sample feeds for LabourMatch",
        "",
        "A small, realistic, entirely fictional data set in the formats of `spec/FEEDS.md`, for",
        "tests, demos and the offline examples. Everything here is written by",
        "`Scripts/gen-fixtures.py`, this README included (the WHO list the runs use is the",
        "project's one copy, `Reference/who-safeguards-2023.csv`):",
        "",
        "```sh",
        "python3 Scripts/gen-fixtures.py          # rewrite Fixtures/ (byte for byte the same each time)",
        "python3 Scripts/gen-fixtures.py --check  # write nothing; fail if a file differs from a fresh run",
        "```",
        "",
        "The script is seeded (stdlib only) and checks what it writes with its own small",
        "reimplementation of FEEDS.md (row validation) and MATCHING.md (rules, fit, candidates,",
        "stable and greedy assignment). The figures below come from that check. Do not edit",
        "the files by hand: change the script and run it. `.gitattributes` keeps git from",
        "converting line ends (the CRLF, BOM and invalid UTF-8 in `bad/` are deliberate).",
        "",
        "**Run date.** The examples assume the run date `D` = 2026-11-29",
        "(`labourmatch match --date 2026-11-29`); rules about dates and ages depend on it.",
        "",
        "## Files",
        "",
        "| file | rows | what |",
        "|---|---|---|",
        f"| `employers.csv`, `.ndjson` | {sizes['employers']} | employers; E05 blocklisted; E01, E02, E07, E10 IRIS-certified; one name holds a comma |",
        f"| `recruiters.csv`, `.ndjson` | {sizes['recruiters']} | agencies: R01 IRIS, licence to 2027-12-31; R02 IRIS, licence ends **on** 2026-11-29 (not expired); R03 licence expired 2026-06-30; R04 unlicensed (no `license_number`); R05 blocklisted; R06 licensed, no expiry date |",
        f"| `vacancies.csv`, `.ndjson` | {sizes['vacancies']} | {openings} openings in {len({v['destination_country'] for v in feeds['vacancies'].values()})} destinations: health (2221, 3221, 2211), care (5321), construction (7112, 7115, 7212, 9313), agriculture (6111, 9211), hospitality (5120, 5131, 9412), ICT (2512, 2513, 3512) |",
        f"| `workers.csv`, `.ndjson` | {sizes['workers']} | pseudonymous workers W0001-W{sizes['workers']:04d} from {len({w['origin_country'] for w in feeds['workers'].values()})} origins |",
        f"| `minimum-wages.csv`, `.ndjson` | {sizes['minimum_wages']} | monthly minimums; none for AE and SA (MIN_WAGE_UNKNOWN); KW's is in KWD, which has no rate |",
        f"| `fx-rates.csv`, `.ndjson` | {sizes['fx_rates']} | USD per unit, six decimals; USD itself omitted (it is 1), KWD deliberately missing |",
        "| `policy.toml` | | the default policy, every key written out (MATCHING.md section 8) |",
        "| `policy-strict.toml` | | a stricter variant: `min_fit` 0.6, 45-hour week, other weights |",
        "| `bad/` | | broken feeds for tests, below |",
        "| `expected/` | | golden result files of offline runs over these feeds, below |",
        "",
        "CSV and NDJSON twins hold the same data: the same field names, list cells as JSON",
        "arrays (of objects for skills, languages and occupations, of strings for",
        "`preferred_destinations` and `contract_languages`), integers as JSON integers, decimals as",
        "JSON numbers written exactly as in the CSV, booleans as JSON booleans, absent values",
        "omitted. CSV columns are in the order of the FEEDS.md tables, lines end in LF.",
        "",
        "Worker origins: PH, IN, NP, BD, LK, VN, ID, KE, GH, MA, PK, NG, UG, ZW. Of these BD, GH,",
        "NG, NP, PK, UG and ZW are on the WHO list, and health workers come from all of them.",
        "Occupations mostly equal a vacancy's ISCO code; some match on 3 digits only (2222,",
        "5322, 7111, 9312, 6112, 2519, 3511), one on 2 digits (2240), some on none (8322, 4110).",
        "",
        "## What fires (run date 2026-11-29, `policy.toml`)",
        "",
        "Every rule of MATCHING.md section 2 fires at least once. Pair rules are listed as",
        "`worker/vacancy`; they are recorded only for pairs that meet conditions 1-3 of section 4.",
        "",
        "| subject | rule | ids |",
        "|---|---|---|",
    ]
    for subject, reason, ids in report["table"]:
        out.append(f"| {subject} | {reason} | {id_list(ids, 8 if subject == 'pair' else 14)} |")
    out += [
        f"| warning | MIN_WAGE_UNKNOWN | {id_list(result['min_wage_unknown'])} |",
        "",
        "Edges that must **not** fire, and why:",
        "",
        "| id | edge |",
        "|---|---|",
        "| V051 | `expires_on` 2026-10-31 < D: does not take part (no exclusion, counted nowhere) |",
        "| V052 | `expires_on` = D: takes part |",
        "| V014, V019, V021... | `hours_per_week` exactly 48: not EXCESSIVE_HOURS (all 48-hour vacancies fire under `policy-strict.toml`, 45) |",
        "| V012 | GBP 2116.00, equal to GB's minimum: not WAGE_BELOW_MINIMUM (V026: QAR 1800, likewise) |",
        "| V010 | recruiter R02, licence ending on D: not RECRUITER_LICENSE_EXPIRED; G2G, so no WHO_SAFEGUARD_LIST either |",
        "| V034 | paid in USD (always 1), but KW's minimum is in KWD, which has no rate: FX_RATE_MISSING only |",
        "| V001, V010, V017 | health vacancies with `g2g_agreement` true: WHO-list origins may match them |",
        "| V045...V050 | `worker_fee` absent: the default 0 |",
        "| W0100, W0233 | born 2007: 2026 - 2007 - 1 = 18, not UNDERAGE (W0042, W0199 born 2008: 17, UNDERAGE) |",
        "| workers of R02 | not excluded: the licence is valid through D |",
        "",
        "## Expected results",
        "",
        "From the script's own computation (MATCHING.md sections 1-6), so that an engine test can",
        "compare. Default policy, strategy `stable`:",
        "",
    ]
    out += summary_lines(result, "stable")
    out += [
        "",
        f"Strategy `greedy`: `matched` {result['greedy']['matched']}, `fit_sum` `{result['greedy']['fit_sum']}`, "
        f"`worker_rank_sum` {result['greedy']['worker_rank_sum']}.",
        f"Strategy `optimal`: `matched` {result['optimal']['matched']}, `fit_sum` `{result['optimal']['fit_sum']}`, "
        f"`worker_rank_sum` {result['optimal']['worker_rank_sum']}.",
        f"Workers with at least one candidate: {result['workers_with_candidates']} of {result['counts']['eligible_workers']} eligible.",
        f"Oversubscribed vacancies (more candidates than openings): {id_list(result['oversubscribed'], 30)}.",
        "",
        "With `policy-strict.toml`, strategy `stable`:",
        "",
    ]
    out += summary_lines(report["strict"], "stable")
    out += ["", "Canonical policy texts (MATCHING.md section 7) and their SHA-256:", ""]
    for name, text in report["policies"].items():
        digest = hashlib.sha256(text.encode()).hexdigest()
        out += [f"`{name}`: `{digest}`", "", "```", text.rstrip("\n"), "```", ""]
    out += expected_readme(report)
    out += [
        "## Bad feeds (`bad/`)",
        "",
        "Load them with the good `employers.csv` and `recruiters.csv` (the references name E01,",
        "R01, R05...). E99 and R99 exist nowhere.",
        "",
        "### Whole-file errors (exit status 2, nothing written; the message names the column or key)",
        "",
        "| file | expected |",
        "|---|---|",
    ]
    for path, description in report["file_errors"]:
        out.append(f"| `{path}` | {description} |")
    out += [
        "| `bad/vacancies-empty.ndjson` | not an error: an empty NDJSON file has no rows. A `snapshot` load of it is refused (exit status 2) unless `--allow-empty`; a `delta` load changes nothing |",
        "",
        "### Row rejections",
        "",
        "A row gets one rejection, the first problem in the order `MALFORMED_ROW`, then the",
        "fields in the order of the FEEDS.md tables, then `UNKNOWN_EMPLOYER`, `UNKNOWN_RECRUITER`,",
        "`DUPLICATE_KEY`. Line numbers: in CSV the header is line 1; empty lines count; a record",
        "spanning two lines has the number of its first. `field` is empty for `MALFORMED_ROW`.",
        "Every file also has accepted rows; `accepted + rejected = data rows`.",
        "",
    ]
    notes = {
        "bad/vacancies-rows.csv": "Starts with a BOM; LF line ends; line 4 holds a quoted title with a comma and a line break, so the next record is on line 6.",
        "bad/vacancies-rows.ndjson": "LF line ends; the last line has no final line end.",
        "bad/workers-rows.csv": "CRLF line ends; the columns are in another order than the FEEDS.md table (`worker_id,consent,recruiter_id,occupations,origin_country,...`), so the row of `W9027` tests table order against column order.",
        "bad/workers-rows.ndjson": "LF line ends.",
        "bad/minimum-wages-rows.csv": "",
        "bad/fx-rates-rows.csv": "",
    }
    for path, kind, fmt, expectations, n_accepted, n_rejected in report["bad_files"]:
        out += [f"#### `{path}` ({kind})", ""]
        if notes[path]:
            out += [notes[path], ""]
        out += [f"Data rows {n_accepted + n_rejected}: **accepted {n_accepted}**, **rejected {n_rejected}**.", "",
                "| line | case | expected | field |", "|---|---|---|---|"]
        for line, description, outcome in expectations:
            reason, field = outcome
            out.append(f"| {line} | {markdown_cell(description)} | {reason} | {field} |")
        out.append("")
    return ("\n".join(out).rstrip("\n") + "\n").encode()


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

def print_counts(report):
    r = report["result"]
    print("rows: " + ", ".join(f"{k} {v}" for k, v in report["sizes"].items()))
    print("openings: " + str(sum(v["openings"] for v in report["feeds"]["vacancies"].values())))
    for strategy in ("stable", "greedy", "optimal"):
        print(f"default policy, {strategy}: " + json.dumps({**r["counts"], **r[strategy]}))
    print("optimal cross-checked with networkx: " + ("yes" if r["optimal_check"] else
                                                     "no (networkx not importable)"))
    print("exclusions: " + json.dumps(r["exclusions"]))
    print(f"MIN_WAGE_UNKNOWN {len(r['min_wage_unknown'])}; workers with candidates "
          f"{r['workers_with_candidates']} of {r['counts']['eligible_workers']} eligible; "
          f"oversubscribed {', '.join(r['oversubscribed'])}")
    s = report["strict"]
    print("strict policy, stable: " + json.dumps({**s["counts"], **s["stable"]}))
    print("strict exclusions: " + json.dumps(s["exclusions"]))
    for subject, reason, ids in report["table"]:
        print(f"  {subject:7} {reason:34} {id_list(ids, 6)}")
    for path, _, _, _, n_accepted, n_rejected in report["bad_files"]:
        print(f"  {path}: accepted {n_accepted}, rejected {n_rejected}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail unless Fixtures/ equals a fresh generation")
    args = parser.parse_args()
    files = build()
    report = check(files)
    files.update(expected_files(report))
    files["README.md"] = readme(report)
    # Fixtures/expected/ is the script's alone: a file there that it does not write is stale.
    extra = sorted(str(f.relative_to(FIXTURES)) for f in (FIXTURES / "expected").rglob("*")
                   if f.is_file() and str(f.relative_to(FIXTURES)) not in files)
    if args.check:
        stale = [p for p, data in files.items()
                 if not (FIXTURES / p).is_file() or (FIXTURES / p).read_bytes() != data] + extra
        print_counts(report)
        if stale:
            print("differs from a fresh generation: " + ", ".join(sorted(stale)), file=sys.stderr)
            return 1
        print(f"ok: {len(files)} files in Fixtures/ equal a fresh generation")
        return 0
    for path in extra:
        (FIXTURES / path).unlink()
    for path, data in files.items():
        target = FIXTURES / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print_counts(report)
    print(f"wrote {len(files)} files to Fixtures/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
