#!/usr/bin/env python3
"""Write a seeded synthetic national-scale instance for `Scripts/bench`: the six feeds of FEEDS.md.

    python3 Scripts/gen-synthetic.py --workers 200000 --vacancies 40000 --out .bench/data/L [--seed 6]

The same arguments always give byte-identical files (only random.Random(seed).random() is used,
whose sequence is the same on every Python 3; never choice/shuffle/sample). Stdlib only.

The shape is meant to look like a national programme, not like noise:
- about 300 ISCO-08 unit groups (4 digits) under real sub-major groups, with Zipf-skewed sizes so a
  few large occupations (labourers, cleaners, care workers, nurses, drivers) hold much of both
  sides; workers and vacancies draw occupations from the same distribution;
- skills drawn per occupation: each unit group and each minor group (3 digits) has its own pool,
  plus a few generic skills; a worker has 3-15 skills, a vacancy asks for 1-6 of its pool;
- 1-3 languages per worker (a mother tongue of the origin country, English at some level, and
  often the language of a preferred destination), and vacancies ask for the destination's
  language, so language requirements are tied to destinations;
- 1-4 preferred destinations per worker, skewed toward the large destinations;
- 1-10 openings per vacancy (most have 1-3);
- a few per cent of vacancies and workers break an ethical-recruitment rule (fees, passport
  retention, long hours, sub-minimum wages, blocklisted or unlicensed recruiters, no consent,
  under age), and health vacancies meet workers from WHO safeguard-list countries, so every step
  of a run (rules, pair rules, exclusions) does real work.
Ids are fixed-width (W0000001, V000001) so their byte order is their numeric order.
"""

import argparse
import bisect
import math
import random
from pathlib import Path

# Destinations: country, currency, usd per unit, monthly minimum wage (None: none on file),
# language of work, weight (share of vacancies and of worker preferences).
DESTINATIONS = [
    ("DE", "EUR", "1.08", "2161.00", "de", 14), ("SA", "SAR", "0.2666", None, "ar", 13),
    ("AE", "AED", "0.272294", None, "ar", 12), ("JP", "JPY", "0.0067", "170000", "ja", 9),
    ("GB", "GBP", "1.27", "2116.00", "en", 8), ("CA", "CAD", "0.712", "3077.00", "en", 8),
    ("QA", "QAR", "0.2747", "1000.00", "ar", 7), ("KR", "KRW", "0.00072", "2060740", "ko", 7),
    ("AU", "AUD", "0.651", "4108.00", "en", 6), ("MY", "MYR", "0.21", "1500.00", "ms", 5),
    ("NL", "EUR", "1.08", "2070.00", "nl", 4), ("IL", "ILS", "0.27", "5880.00", "he", 4),
    ("SG", "SGD", "0.74", None, "en", 3),
]
# Typical monthly wage in USD per destination (vacancy wages scatter around it).
TYPICAL_USD = {"DE": 3000, "SA": 900, "AE": 1100, "JP": 1700, "GB": 2800, "CA": 2900, "QA": 800,
               "KR": 1800, "AU": 3600, "MY": 450, "NL": 2900, "IL": 2000, "SG": 1400}
# Origins: country, mother tongue, weight. Several are on the WHO safeguards list (BD, NP, PK, GH, NG, ET, UG).
ORIGINS = [
    ("PH", "tl", 18), ("IN", "hi", 16), ("NP", "ne", 10), ("BD", "bn", 10), ("VN", "vi", 8),
    ("ID", "id", 8), ("PK", "ur", 7), ("LK", "si", 5), ("KE", "sw", 5), ("GH", "ak", 3),
    ("NG", "yo", 3), ("ET", "am", 3), ("UG", "lg", 2), ("EG", "ar", 2),
]
# Sub-major groups (2 digits) of ISCO-08 that labour migration draws on, with a relative size.
SUB_MAJOR = [
    ("21", 2), ("22", 5), ("25", 2), ("31", 2), ("32", 4), ("41", 1), ("42", 1), ("51", 5),
    ("52", 3), ("53", 6), ("54", 2), ("61", 3), ("71", 8), ("72", 5), ("74", 3), ("75", 3),
    ("81", 3), ("83", 6), ("91", 9), ("92", 5), ("93", 9), ("94", 3), ("96", 2),
]
GENERIC_SKILLS = ["occupational-safety", "manual-handling", "customer-service", "teamwork", "first-aid",
                  "basic-computing", "time-management", "hygiene-standards", "forklift", "driving-b"]
TONGUES = sorted({o[1] for o in ORIGINS[:8]})
CURRENCIES = sorted({d[1] for d in DESTINATIONS} | {"USD"})
RUN_YEAR = 2026  # Scripts/bench runs with --date 2026-11-29


class Draw:
    """Seeded draws from random.Random(seed).random() only."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def uniform(self):
        return self.rng.random()

    def below(self, n):
        return min(n - 1, int(self.rng.random() * n))

    def between(self, lo, hi):
        return lo + self.below(hi - lo + 1)

    def chance(self, p):
        return self.rng.random() < p

    def weighted(self, cumulative):
        """Index drawn from a cumulative weight list."""
        x = self.rng.random() * cumulative[-1]
        return min(len(cumulative) - 1, bisect.bisect_right(cumulative, x))

    def distinct(self, cumulative, k):
        """k distinct indices drawn by weight (k at most the number of items)."""
        out = []
        while len(out) < k:
            i = self.weighted(cumulative)
            if i not in out:
                out.append(i)
        return out

    def sample(self, items, k):
        """k distinct items, uniformly (k at most len(items))."""
        pool = list(items)
        out = []
        for _ in range(min(k, len(pool))):
            out.append(pool.pop(self.below(len(pool))))
        return out


def cumulative(weights):
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


class Occupations:
    """Unit groups with Zipf-skewed sizes and their skill pools."""

    def __init__(self, draw):
        self.codes = []
        for sub, size in SUB_MAJOR:
            minors = 2 + draw.below(3)
            for m in range(1, minors + 1):
                for u in range(1, 2 + draw.below(4) + 1):
                    self.codes.append(f"{sub}{m}{u}")
        # Rank the units at random, weighted by their sub-major group's size, then Zipf weights by rank.
        keyed = []
        size_of = dict(SUB_MAJOR)
        for code in self.codes:
            keyed.append((-(size_of[code[:2]] * draw.uniform()), code))
        keyed.sort()
        self.codes = [code for _, code in keyed]
        self.cumulative = cumulative([1.0 / (rank + 1) ** 0.55 for rank in range(len(self.codes))])
        self.unit_skills = {c: [f"{c}-task-{k}" for k in range(1, 9)] for c in self.codes}
        self.minor_skills = {c[:3]: [f"{c[:3]}x-tool-{k}" for k in range(1, 7)] for c in self.codes}
        self.related = {}
        for c in self.codes:
            self.related.setdefault(c[:3], []).append(c)

    def draw(self, draw):
        return self.codes[draw.weighted(self.cumulative)]

    def pool(self, code):
        return self.unit_skills[code] + self.minor_skills[code[:3]]


def decimal_text(x, places):
    return f"{x:.{places}f}"


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def generate(workers, vacancies, seed, out):
    draw = Draw(seed)
    occupations = Occupations(draw)
    dest_cum = cumulative([d[5] for d in DESTINATIONS])
    origin_cum = cumulative([o[2] for o in ORIGINS])
    cefr = ["A1", "A2", "B1", "B2", "C1", "C2"]
    out.mkdir(parents=True, exist_ok=True)

    # Reference data.
    write_csv(out / "fx-rates.csv", ["currency", "usd_per_unit"],
              [[c, next(d[2] for d in DESTINATIONS if d[1] == c)] for c in CURRENCIES if c != "USD"])
    write_csv(out / "minimum-wages.csv", ["country", "monthly_amount", "currency"],
              [[d[0], d[3], d[1]] for d in sorted(DESTINATIONS) if d[3] is not None])

    # Recruiters: mostly licensed; a few unlicensed, expired or blocklisted.
    recruiter_count = max(10, workers // 1000)
    recruiters = []
    for i in range(1, recruiter_count + 1):
        rid = f"R{i:04d}"
        country = ORIGINS[draw.weighted(origin_cum)][0]
        u = draw.uniform()
        number, expires, blocked = f"LIC-{i:05d}", f"{2027 + draw.below(3)}-06-30", "false"
        if u < 0.03:
            number, expires = "", ""
        elif u < 0.06:
            expires = "2025-12-31"
        elif u < 0.08:
            blocked = "true"
        recruiters.append([rid, f"Recruiter {i}", country, number, expires, "true" if draw.chance(0.3) else "false",
                           blocked])
    write_csv(out / "recruiters.csv", ["recruiter_id", "name", "license_country", "license_number",
                                       "license_expires", "iris_certified", "blocklisted"], recruiters)

    # Employers, each in one destination.
    employer_count = max(20, vacancies // 8)
    employers, employer_dest = [], []
    for i in range(1, employer_count + 1):
        d = DESTINATIONS[draw.weighted(dest_cum)]
        employer_dest.append(d)
        employers.append([f"E{i:05d}", f"Employer {i}", d[0], "", "true" if draw.chance(0.2) else "false",
                          "true" if draw.chance(0.01) else "false"])
    write_csv(out / "employers.csv", ["employer_id", "name", "country", "sector", "iris_certified",
                                      "blocklisted"], employers)

    # Vacancies.
    rows = []
    for i in range(1, vacancies + 1):
        e = draw.below(employer_count)
        dest = employer_dest[e]
        country, currency, usd, _, language, _ = dest
        isco = occupations.draw(draw)
        pool = occupations.pool(isco)
        skills = []
        for code in draw.sample(pool, draw.between(1, 6)):
            essential = "E" if draw.chance(0.7) else "O"
            skills.append(f"{code}:{draw.between(1, 4)}:{essential}")
        skills.extend(f"{code}:{draw.between(1, 3)}:O" for code in draw.sample(GENERIC_SKILLS, draw.below(2)))
        if language == "en" or draw.chance(0.3):
            languages = f"en:{cefr[draw.between(1, 3)]}"
        else:
            languages = f"{language}:{cefr[draw.between(0, 3)]}"
            if draw.chance(0.3):
                languages += f";en:{cefr[draw.between(1, 2)]}"
        education = "" if draw.chance(0.3) else str(draw.between(1, 6))
        experience = "" if draw.chance(0.3) else decimal_text(draw.between(1, 10) / 2, 1)
        wage_usd = TYPICAL_USD[country] * (0.85 + 0.9 * draw.uniform())
        wage = decimal_text(wage_usd / float(usd), 0 if float(usd) < 0.01 else 2)
        hours = "60" if draw.chance(0.03) else ("48" if draw.chance(0.4) else "40")
        contract = [language] if language == "en" else [language, "en"]
        # Multilingual contracts: often also in the tongues of the main origin countries.
        for tongue in draw.sample(TONGUES, draw.below(4)):
            if tongue not in contract:
                contract.append(tongue)
        if draw.chance(0.03):
            contract = []
        fee = decimal_text(200 + draw.below(800), 2) if draw.chance(0.02) else "0"
        recruiter = f"R{draw.between(1, recruiter_count):04d}" if draw.chance(0.5) else ""
        start = f"2027-{draw.between(1, 12):02d}-01" if draw.chance(0.5) else ""
        rows.append([f"V{i:06d}", f"E{e + 1:05d}", recruiter, isco, f"Job {isco}", country,
                     str(1 + int(10 * draw.uniform() ** 2.5)), ";".join(skills), languages, education,
                     experience, wage, currency, hours, str(12 * draw.between(1, 3)), ";".join(contract), fee,
                     "true" if draw.chance(0.01) else "false", "true" if draw.chance(0.05) else "false",
                     start, "" if draw.chance(0.8) else f"2027-{draw.between(1, 12):02d}-28"])
    write_csv(out / "vacancies.csv", [
        "vacancy_id", "employer_id", "recruiter_id", "isco_code", "title", "destination_country", "openings",
        "required_skills", "required_languages", "min_education", "min_experience_years", "monthly_wage",
        "currency", "hours_per_week", "contract_months", "contract_languages", "worker_fee",
        "passport_retention", "g2g_agreement", "start_date", "expires_on"], rows)

    # Workers.
    rows = []
    for i in range(1, workers + 1):
        origin, tongue, _ = ORIGINS[draw.weighted(origin_cum)]
        isco = occupations.draw(draw)
        occupation_items = [(isco, draw.between(0, 30) / 2)]
        if draw.chance(0.25):
            # A second occupation, usually a related one.
            other = occupations.related[isco[:3]][draw.below(len(occupations.related[isco[:3]]))] \
                if draw.chance(0.6) else occupations.draw(draw)
            if other != isco:
                occupation_items.append((other, draw.between(1, 10) / 2))
        pool = occupations.pool(isco)
        count = draw.between(3, 15)
        own = draw.sample(pool, min(len(pool), max(1, count - draw.below(3))))
        own += draw.sample(GENERIC_SKILLS, count - len(own))
        skills = ";".join(f"{s}:{draw.between(1, 4)}" for s in own)
        destinations = []
        for d in draw.distinct(dest_cum, 1 + int(4 * draw.uniform() ** 1.8)):
            destinations.append(DESTINATIONS[d])
        languages = [] if tongue == "en" else [(tongue, "C2")]
        if draw.chance(0.92) and tongue != "en":
            languages.append(("en", cefr[draw.weighted([1, 3, 7, 11, 13, 14])]))
        target = destinations[0][4]
        if len(languages) < 3 and target not in (l for l, _ in languages) and draw.chance(0.6):
            languages.append((target, cefr[draw.weighted([3, 6, 8, 9, 10, 10])]))
        min_wage = "" if draw.chance(0.7) else str(300 + 50 * draw.below(30))
        available = "" if draw.chance(0.6) else f"2027-{draw.between(1, 12):02d}-01"
        birth = draw.between(1965, 2008)
        recruiter = f"R{draw.between(1, recruiter_count):04d}" if draw.chance(0.4) else ""
        rows.append([f"W{i:07d}", origin, str(birth), "FMX"[draw.weighted([48, 99, 100])], str(draw.between(1, 7)),
                     ";".join(f"{c}:{decimal_text(y, 1)}" for c, y in occupation_items), skills,
                     ";".join(f"{c}:{l}" for c, l in languages), ";".join(d[0] for d in destinations), min_wage,
                     available, "false" if draw.chance(0.01) else "true", recruiter])
    write_csv(out / "workers.csv", [
        "worker_id", "origin_country", "birth_year", "gender", "education_level", "occupations", "skills",
        "languages", "preferred_destinations", "min_monthly_wage_usd", "available_from", "consent",
        "recruiter_id"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--vacancies", type=int, required=True)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.workers, args.vacancies, args.seed, args.out)


if __name__ == "__main__":
    main()
