#!/usr/bin/env python3
"""Generate large, valid feeds for `Scripts/bench load`, deterministically.

    python3 Scripts/gen-bench-feeds.py DIR ROWS

Writes DIR/employers.csv (2,000 rows), DIR/recruiters.csv (300 rows) and
DIR/vacancies-ROWS.csv (ROWS rows) whose every row is valid under FEEDS.md and
refers only to the employers and recruiters written beside it. The vacancies
look like the fixtures': titles with commas (so quoted), 1 to 4 required
skills, 1 or 2 required languages, 0 to 2 contract languages, optional
fields left empty now and then. Stdlib only; the same arguments always
give the same bytes (random.Random(SEED).random() alone, as gen-fixtures.py).
"""

import random
import sys
from pathlib import Path

SEED = 20261130
EMPLOYERS = 2000
RECRUITERS = 300

COUNTRIES = ["DE", "CA", "AE", "SA", "QA", "JP", "GB", "AU", "NZ", "IT", "ES", "NL", "KR", "SG", "US"]
ORIGINS = ["PH", "NP", "BD", "IN", "LK", "VN", "ID", "KE", "GH", "UG"]
CURRENCY = {"DE": "EUR", "CA": "CAD", "AE": "AED", "SA": "SAR", "QA": "QAR", "JP": "JPY", "GB": "GBP",
            "AU": "AUD", "NZ": "NZD", "IT": "EUR", "ES": "EUR", "NL": "EUR", "KR": "KRW", "SG": "SGD",
            "US": "USD"}
LANGUAGES = ["en", "de", "fr", "ar", "ja", "ko", "es", "it", "nl"]
LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2"]
SKILLS = ["patient-care", "medication-administration", "iv-therapy", "vital-signs", "wound-care",
          "elderly-care", "emergency-care", "personal-hygiene-support", "mobility-assistance",
          "welding", "pipefitting", "scaffolding", "masonry", "carpentry", "electrical-installation",
          "plumbing", "excavation", "occupational-safety", "manual-handling", "forklift",
          "food-preparation", "food-safety", "housekeeping", "front-desk", "customer-service",
          "pruning", "harvesting", "packing", "greenhouse", "irrigation", "javascript", "sql", "git",
          "networking", "truck-driving", "logistics", "machine-operation", "quality-control",
          "childcare", "cleaning", "laundry", "cooking", "baking", "butchery", "fish-processing",
          "sewing", "painting", "tiling", "roofing", "glazing"]
JOBS = [("2221", "Registered Nurse"), ("3221", "Nursing Assistant"), ("5321", "Care Assistant"),
        ("7212", "Welder"), ("7126", "Plumber"), ("7411", "Electrician"), ("9313", "Construction Labourer"),
        ("5120", "Cook"), ("9112", "Cleaner"), ("9211", "Farm Hand"), ("8332", "Truck Driver"),
        ("2512", "Software Developer"), ("4224", "Hotel Receptionist"), ("7512", "Baker")]
SITES = ["Night Shift", "Intensive Care", "Triple Win", "Harbour Site", "North Campus", "Main Kitchen",
         "Greenhouse 4", "Warehouse B", "City Clinic", "Seasonal"]


def csv_cell(value):
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit("usage: gen-bench-feeds.py DIR ROWS")
    out, rows = Path(sys.argv[1]), int(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(SEED).random

    def pick(items):
        return items[int(rnd() * len(items))]

    def sample(items, n):
        chosen = []
        while len(chosen) < n:
            item = pick(items)
            if item not in chosen:
                chosen.append(item)
        return chosen

    with open(out / "employers.csv", "w", newline="") as f:
        f.write("employer_id,name,country,sector,iris_certified,blocklisted\n")
        for i in range(1, EMPLOYERS + 1):
            country = pick(COUNTRIES)
            f.write(f"BE{i:05d},{csv_cell(f'Employer {i}, {country} Ltd.')},{country},"
                    f"{pick(['health', 'construction', 'hospitality', 'agriculture', ''])},"
                    f"{'true' if rnd() < 0.3 else 'false'},{'true' if rnd() < 0.02 else 'false'}\n")
    with open(out / "recruiters.csv", "w", newline="") as f:
        f.write("recruiter_id,name,license_country,license_number,license_expires,iris_certified,blocklisted\n")
        for i in range(1, RECRUITERS + 1):
            licensed = rnd() < 0.85
            f.write(f"BR{i:04d},Agency {i} Overseas Placement,{pick(ORIGINS)},"
                    f"{f'LIC-{i:05d}' if licensed else ''},{'2027-12-31' if licensed else ''},"
                    f"{'true' if rnd() < 0.4 else 'false'},false\n")

    header = ("vacancy_id,employer_id,recruiter_id,isco_code,title,destination_country,openings,"
              "required_skills,required_languages,min_education,min_experience_years,monthly_wage,currency,"
              "hours_per_week,contract_months,contract_languages,worker_fee,passport_retention,g2g_agreement,"
              "start_date,expires_on\n")
    with open(out / f"vacancies-{rows}.csv", "w", newline="") as f:
        f.write(header)
        lines = []
        for i in range(1, rows + 1):
            isco, job = pick(JOBS)
            country = pick(COUNTRIES)
            skills = ";".join(f"{s}:{1 + int(rnd() * 4)}:{'E' if rnd() < 0.6 else 'O'}"
                              for s in sample(SKILLS, 1 + int(rnd() * 4)))
            langs = ";".join(f"{l}:{pick(LEVELS)}" for l in sample(LANGUAGES, 1 + int(rnd() * 2)))
            contract = ";".join(sample(LANGUAGES, int(rnd() * 3)))
            wage = f"{1500 + int(rnd() * 350000) / 100:.2f}"
            month = 1 + int(rnd() * 12)
            lines.append(",".join([
                f"BV{i:08d}", f"BE{1 + int(rnd() * EMPLOYERS):05d}",
                f"BR{1 + int(rnd() * RECRUITERS):04d}" if rnd() < 0.6 else "",
                isco, csv_cell(f"{job}, {pick(SITES)}"), country, str(1 + int(rnd() * 20)),
                skills, langs, str(int(rnd() * 9)) if rnd() < 0.7 else "",
                str(int(rnd() * 10)) if rnd() < 0.5 else "", wage, CURRENCY[country],
                pick(["38.5", "40", "44", "48", "35"]), str(6 + int(rnd() * 30)) if rnd() < 0.8 else "",
                contract, "0" if rnd() < 0.9 else str(int(rnd() * 500)),
                "false", "true" if rnd() < 0.1 else "false",
                f"2027-{month:02d}-01", f"2027-{month:02d}-{1 + int(rnd() * 28):02d}" if rnd() < 0.7 else "",
            ]))
            if len(lines) == 10000:
                f.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
