#!/usr/bin/env python3
"""Differential test: the Swift engine (`labourmatch match`) against the Python reference of
Scripts/gen-fixtures.py, on many small adversarial random instances.

    python3 Scripts/crosscheck.py [N]                  # seeds 1..N (default 200)
    python3 Scripts/crosscheck.py --seeds 17,42        # just these seeds
    python3 Scripts/crosscheck.py --first 201 N        # seeds 201..N
    python3 Scripts/crosscheck.py --shrink 42          # shrink seed 42's instance to few rows
    python3 Scripts/crosscheck.py --dir DIR            # re-check an instance directory as it stands
    python3 Scripts/crosscheck.py 100 --db-every 5    # every 5th seed also through PostgreSQL (see below)
    options: --bin PATH (default .build/release/labourmatch, else .build/debug/labourmatch),
             --work DIR (default .build/crosscheck), --keep (keep every instance), -q (failures only),
             --avoid CASES (default: DECIDED below), --all (avoid nothing), --stats

Every instance (1-12 workers, 1-8 vacancies, 1-4 employers and recruiters, few codes so fits tie,
ids shared between workers and vacancies, dates around the run date, money near the minimum
wage and at half-cent FX edges, WHO origins and health occupations, recruiters unlicensed /
expired / blocklisted, absent optional fields, invalid and malformed rows, CSV and NDJSON,
random policy) is written to a directory, run through the Swift binary with each strategy
(stable, greedy, optimal; --candidates) and through the reference, and the files compared:
byte for byte for rejections.csv, exclusions.csv, candidates.csv, summary.json (input_sha256
excepted: its construction is the engine's) and matches.csv of stable and greedy. Optimal
matchings are not unique: its summary is compared whole when the optimal match count is
unique (gen-fixtures checks the fewest and the most matches an optimum allows), else without
the three count fields that depend on it; its matches.csv is checked to be a valid matching of
candidates whose fit and rank sums are the optimum's. A feed with a whole-file error must make
both sides fail (exit status 2 / FileError).

With --db-every K, every K-th seed also goes the way operators and the nightly run go, on the
dev cluster (Scripts/dev-db start): a fresh database labourmatch_crosscheck_PID, `labourmatch load`
of every feed, `labourmatch run` with each strategy. Its matches.csv, exclusions.csv and
summary.json must equal the offline run's byte for byte, and the rejections the loads stored
(feed_rejections) must be rejections.csv's rows. `labourmatch explain` of the stable run must
name every worker's match (fit, rank) and worker exclusions, and every refused pair's reasons. Then a second file of the vacancies and of the
workers (rows dropped, changed, new) is loaded over the first, as a snapshot or a delta, and
`labourmatch run --rerun` must equal `labourmatch match` on files holding exactly what FEEDS.md
says is then current (versions, withdrawals, rejected rows keeping the version before).

Randomness: only random.Random(seed).random(), so an instance is the same on every Python 3.
On a difference the instance directory is kept (feeds, policy, swift/ and expected/ outputs,
repro.sh) and the diff printed; the exit status is 1. Stdlib only, Python >= 3.11.
"""

import argparse
import csv
import io
import datetime
import decimal
import difflib
import importlib.util
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHO_SOURCE = ROOT / "Reference" / "who-safeguards-2023.csv"
STRATEGIES = ["stable", "greedy", "optimal"]
# Cases the generator can leave out (--avoid a,b) once a difference they cause is understood:
#   eof-quote  a CSV record whose quote is never closed (runs to the end of the file)
#   quote-recovery  a CSV record with bad quoting (a quote inside an unquoted field, text after
#              a closing quote) followed on its line by a field that opens a quoted section
#   item-key   an NDJSON list item with a key its list does not have
#   precision  numbers beyond 18 significant digits or 18 decimals (past 64 bits), huge exponents,
#              or counts (openings, contract months) past 64 bits
#   year-digits  a birth_year written with a leading zero (01990, 0999)
#   surrogate  a JSON string with a lone surrogate escape (\ud800)
#   spelling   a policy written otherwise (an inline weights table, dotted or quoted keys, a
#              comment holding ''' or """), or its weights all scaled by 10^e (e from -400 to
#              308: sums past a Double's range, or subnormal, where only their shares count)
# DECIDED: where the engine and this reference differ on purpose, left out unless --all.
#   year-digits  the engine takes birth_year "4 digits" as written (01990 is five digits); the
#              reference reads the number.
# (precision was one until session 6: the engine now keeps any decimal of up to 1,000 digits
# before and after the point exactly, as this reference's Fractions do.)
DECIDED = {"year-digits"}
AVOID = set()
EDGE_TOKENS = {
    "precision": {"3000.000000000000000001", "0.0000000000000000001", "1234567890123456789",
                  "99999999999999999999", "1e400", "4e-400", "3e18", "1e-19"},
    "year-digits": {"01990", "0999"},
    "surrogate": {'"a\\ud800b"'},
}
KINDS = ["employers", "recruiters", "minimum_wages", "fx_rates", "vacancies", "workers"]
OPTION = {"employers": "--employers", "recruiters": "--recruiters", "vacancies": "--vacancies",
          "workers": "--workers", "minimum_wages": "--minimum-wages", "fx_rates": "--fx-rates"}
PAIR_HEADER = ["worker_id", "vacancy_id", "fit", "worker_rank"]


def load_reference():
    spec = importlib.util.spec_from_file_location("gen_fixtures", ROOT / "Scripts" / "gen-fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.CODES = mod.load_codes()
    return mod


REF = load_reference()


# --------------------------------------------------------------------------------------
# Randomness from random() alone
# --------------------------------------------------------------------------------------

class Dice(REF.Dice):
    """gen-fixtures' draws, built on random() alone, and two more."""

    def between(self, lo, hi):
        return lo + self.index(hi - lo + 1)

    def subset(self, seq, p):
        return [x for x in seq if self.chance(p)]


# --------------------------------------------------------------------------------------
# Instance generator
# --------------------------------------------------------------------------------------

# Ids in every byte class the pattern allows ('-' < '.' < digits < upper < '_' < lower), shared
# by workers and vacancies (and employers, recruiters) so equal texts meet on both sides.
IDS = ["A", "B", "C", "a", "b", "1", "10", "2", "A.1", "A-1", "A_1", "_", "-", ".", "Z", "z9", "AA", "a1"]
DESTINATIONS = ["DE", "GB", "QA", "AE", "KW", "CA"]
ORIGINS = ["PH", "IN", "BD", "NP", "GH", "KE"]  # BD, NP, GH on the WHO list
CURRENCIES = ["EUR", "GBP", "QAR", "KWD", "CAD", "JPY", "USD"]
RATES = ["1.085", "1.25", "0.274725", "0.5", "0.0067", "2", "0.333333", "0.125", "1.1", "0.8"]
ISCO_V = ["2221", "2221", "3221", "5321", "2211", "7112"]
ISCO_W = ["2221", "2222", "2211", "2240", "3221", "3222", "5321", "5322", "7112", "9999"]
YEARS = ["0", "0.5", "1", "2", "3.2", "6.4", "10", "1.6"]
SKILLS = ["care", "med", "lift", "a.b", "x-1"]
LANGS = ["en", "de", "ar", "tl"]
CEFR = ["A1", "A2", "B1", "B2", "C1", "C2"]
TITLES = ["Nurse", "Care, aide", 'Say "hi"', "two\nlines", "Ünïcode title", "x", "'; DROP TABLE v;--"]


def iso(day):
    return day.isoformat()


def dec_text(x, places=2):
    """A Fraction as a plain decimal text with at most `places` decimals (rounded down)."""
    with decimal.localcontext(prec=400):  # long decimals: never the default 28 digits
        q = Decimal(x.numerator) / Decimal(x.denominator)
        q = q.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN")
    t = format(q, "f")
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return t or "0"


def exact_text(x, max_places=6):
    """A Fraction as an exact decimal text, or None when it needs more places."""
    for places in range(max_places + 1):
        if (x * 10 ** places).denominator == 1:
            return dec_text(x, places)
    return None


class Generator:
    def __init__(self, seed):
        self.d = Dice(seed)
        self.seed = seed
        # Long decimals (past 64 bits) draw from their own stream, so that leaving them out
        # (--avoid precision) gives every seed the instance it had before they existed.
        self.long_dice = random.Random(f"long-{seed}")
        self.long = "precision" not in AVOID and self.long_dice.random() < 0.3
        # Policy spellings draw from their own stream too (--avoid spelling: the instances of before).
        self.spell_dice = random.Random(f"spelling-{seed}")
        self.spell = "spelling" not in AVOID and self.spell_dice.random() < 0.25

    def stretch(self, text):
        """In a long-decimal instance, sometimes `text` moved by 10^-k (k 19 to 30): a value
        that 64 bits cannot hold and that sits just beside the one it replaces."""
        if not self.long or self.long_dice.random() >= 0.35 or Fraction(text) == 0:
            return text
        k = self.long_dice.randint(19, 30)
        moved = Fraction(text) + self.long_dice.choice([1, -1]) * Fraction(1, 10 ** k)
        return exact_text(moved, k) if moved > 0 else text

    def big(self, n):
        """In a long-decimal instance, sometimes a count (openings, contract months) of 10 to 30
        nines instead of `n`: past what 32 and 64 bits hold (FEEDS.md sets no upper bound)."""
        if not self.long or self.long_dice.random() >= 0.15:
            return n
        return int("9" * self.long_dice.randint(10, 30))

    def date_near(self, day, spread=(-2, -1, 0, 0, 1, 2, 40, -40)):
        return iso(day + datetime.timedelta(days=self.d.pick(spread)))

    def ids(self, n, dup_p=0.08):
        pool = self.d.shuffled(IDS)
        out = []
        for i in range(n):
            out.append(self.d.pick(out) if out and self.d.chance(dup_p) else pool[i % len(pool)])
        return out

    def policy(self):
        d = self.d
        if d.chance(0.2):
            return None, REF.DEFAULT_POLICY
        lines, top = [], []
        if d.chance(0.6):
            min_fit = (d.pick(["0", "0.5", "0.55", "0.6", "0.7", "0.4", "1", "0.5000005",
                               "0.4999995", "0.333333", "0.65", "0.8", "5e-1"]) if self.messy
                       else d.pick(["0", "0.5", "0.4", "0.5000005", "0.4999995", "0.333333",
                                    "5e-1", "0.6", "0.25", "0.0000005"]))
            top.append("min_fit = " + (min_fit if min_fit == "1" else self.stretch(min_fit)))
        if d.chance(0.5):
            top.append("max_weekly_hours = " + self.stretch(d.pick(["48", "45", "40.5", "50", "48.0", "60", "38.5"])))
        if d.chance(0.5):
            top.append("min_age = " + d.pick(["18", "16", "21", "0", "25"]))
        if d.chance(0.5):
            top.append(f'contract_language_min = "{d.pick(CEFR)}"')
        if d.chance(0.5):
            prefixes = d.subset(["22", "32", "2", "222", "2221", "5", "53", "3221"], 0.35)
            top.append("health_isco_prefixes = [" + ", ".join(f'"{p}"' for p in d.shuffled(prefixes)) + "]")
        weights = []
        for name in d.shuffled(["occupation", "skills", "experience", "languages", "education"]):
            if d.chance(0.5):
                weights.append(f"{name} = " + self.stretch(d.pick(["0", "0.1", "0.25", "1", "2", "0.333", "0.35",
                                                                   "3", "0.05", "1e-1", "2.5E0", "0.15", "0.7"])))
        if self.spell and any(Decimal(w.split(" = ", 1)[1]) != 0 for w in weights):
            weights, top = self.respell(weights, top)
        lines = ["# crosscheck policy"] + top
        if weights and weights[0].startswith("weights"):
            lines += weights   # already whole lines: an inline table or dotted keys
        elif weights:
            lines += ["", "[weights]"] + weights
        text = "\n".join(lines) + "\n"
        policy = REF.read_policy(text)
        if sum(policy["weights"].values()) == 0:
            text += "" if weights else ""
            text = text.replace("[weights]\n", "[weights]\nskills = 1\n", 1) if weights else \
                text + "\n[weights]\nskills = 1\n"
            # a later duplicate `skills` key would be invalid TOML: drop an earlier one
            wl = text.split("\n")
            seen, keep = False, []
            for line in wl:
                if line.startswith("skills = "):
                    if seen:
                        continue
                    seen = True
                keep.append(line)
            text = "\n".join(keep)
            policy = REF.read_policy(text)
        return text, policy

    def respell(self, weights, top):
        """The same policy written otherwise (TOML allows many spellings of one table), or with
        every weight scaled by one power of ten (the fit depends on the shares only): `weights`
        becomes whole lines when the `[weights]` header goes."""
        s = self.spell_dice
        if s.random() < 0.4:
            e = s.choice([-400, -330, -320, -310, 300, 307, 308])
            if e == 308 and max(Decimal(w.split(" = ", 1)[1]) for w in weights) >= Decimal("1.7"):
                e = 307   # a TOML float stays within a Double's range (1.797e308)
            def scale(line):
                name, value = line.split(" = ", 1)
                v = Decimal(value)
                return line if v == 0 else f"{name} = {v.scaleb(e):E}"
            weights = [scale(w) for w in weights]
        pairs = [w.split(" = ", 1) for w in weights]
        form = s.choice(["table", "inline", "dotted", "quoted"])
        if form == "inline":
            weights = ["weights = { " + ", ".join(f"{k} = {v}" for k, v in pairs) + " }"]
        elif form == "dotted":
            weights = [f"weights . {k} = {v}" for k, v in pairs]
        elif form == "quoted":
            weights = [f'"{k}" = {v}' if s.random() < 0.5 else f"'{k}' = {v}" for k, v in pairs]
            top = [f'"{line.split(" = ", 1)[0]}" = {line.split(" = ", 1)[1]}' if s.random() < 0.5 else line
                   for line in top]
        if s.random() < 0.5:
            top = ["# a comment with ''' and \"\"\" in it"] + top
        return weights, top

    # -- records: dict field -> logical value (None absent) --------------------------------

    def build(self):
        d = self.d
        # Most instances are "clean" (few exclusions and bad rows: the matching gets work); the
        # rest "messy" (validation, rules). h scales every harmful choice.
        self.messy = d.chance(0.3)
        h = 1.0 if self.messy else 0.25
        self.h = h
        day = d.pick([datetime.date(2026, 11, 29), datetime.date(2024, 2, 29), datetime.date(2025, 1, 1),
                      datetime.date(2026, 12, 31)])
        self.day = day
        policy_text, policy = self.policy()
        min_age = policy["min_age"]

        employers = []
        for eid in self.ids(d.between(1, 4), 0.05 * h):
            employers.append({"employer_id": eid, "name": d.pick(["Acme", "B, Ltd", "Ç"]),
                              "country": d.pick(DESTINATIONS),
                              "sector": d.pick([None, "health", "care"]),
                              "iris_certified": d.pick([None, True, False]),
                              "blocklisted": True if d.chance(0.1 * h) else d.pick([None, False])})
        recruiters = []
        for rid in self.ids(d.between(1, 4), 0.05 * h):
            recruiters.append({"recruiter_id": rid, "name": d.pick(["Agency", "R \"Q\""]),
                               "license_country": d.pick(ORIGINS),
                               "license_number": None if d.chance(0.12 * h) else d.pick(["L-1", "007"]),
                               "license_expires": self.date_near(day) if d.chance(0.4 * h) else
                               d.pick([None, iso(day + datetime.timedelta(days=400)), iso(day)]),
                               "iris_certified": d.pick([None, True, False]),
                               "blocklisted": True if d.chance(0.08 * h) else d.pick([None, False])})
        rates = {}
        for c in CURRENCIES:
            if c == "USD":
                if d.chance(0.2):
                    rates[c] = "1" if d.chance(0.5) else "1.000000"
            elif d.chance(1 - 0.15 * h if c != "KWD" else 0.4):
                rates[c] = d.pick(RATES)
        with_rate = [c for c in CURRENCIES if c in rates or c == "USD"]
        minimums = {}
        for c in DESTINATIONS:
            if d.chance(0.75):
                cur = d.pick(CURRENCIES) if d.chance(h) else d.pick(with_rate)
                minimums[c] = {"country": c,
                               "monthly_amount": self.stretch(d.pick(["1000", "2116.00", "1800", "450.5",
                                                                      "123.45", "1000.01", "75000"])),
                               "currency": cur}
        rates = {c: r if c == "USD" else self.stretch(r) for c, r in rates.items()}
        fx_rows = [{"currency": c, "usd_per_unit": r} for c, r in rates.items()]
        mw_rows = list(minimums.values())
        rate_of = {c: Fraction(r) for c, r in rates.items()}
        rate_of["USD"] = Fraction(1)

        employer_ids = [e["employer_id"] for e in employers]
        recruiter_ids = [r["recruiter_id"] for r in recruiters]
        good_recruiters = [r["recruiter_id"] for r in recruiters
                           if not r["blocklisted"] and r["license_number"] and
                           (r["license_expires"] is None or r["license_expires"] >= iso(day))] or [None]
        good_employers = [e["employer_id"] for e in employers if not e["blocklisted"]] or employer_ids
        skill_pool = d.shuffled(SKILLS)[:d.between(1, 3)]
        lang_pool = d.shuffled(LANGS)[:d.between(1, 3)]
        isco_pool = d.shuffled(ISCO_V)[:d.between(1, 3)]
        dest_pool = d.shuffled(DESTINATIONS)[:d.between(1, 4)]

        def recruiter():
            if d.chance(0.4):
                return None
            if d.chance(0.03 * h):
                return "R99"
            return d.pick(recruiter_ids) if d.chance(h) else d.pick(good_recruiters)

        vacancies = []
        for vid in self.ids(d.between(1, 8)):
            if vacancies and d.chance(0.25):  # the same vacancy under another id: ties on both sides
                vacancies.append({**d.pick(vacancies), "vacancy_id": vid})
                continue
            dest = d.pick(dest_pool)
            cur = d.pick(CURRENCIES) if d.chance(h) else d.pick(with_rate)
            wage = None
            m = minimums.get(dest)
            if m and m["currency"] in rate_of and cur in rate_of and d.chance(0.8):
                usd = Fraction(m["monthly_amount"]) * rate_of[m["currency"]]
                target = usd / rate_of[cur]
                exact = exact_text(target, 4)
                base = Fraction(exact) if exact is not None else Fraction(dec_text(target, 2)) + Fraction(1, 100)
                delta = d.pick([0, 0, Fraction(1, 100), -Fraction(1, 100), Fraction(1, 1000),
                                -Fraction(5, 1000), Fraction(d.between(0, 2000))])
                if delta < 0 and not d.chance(h):
                    delta = -delta
                wage = base + delta
                if wage <= 0:
                    wage = base
                wage = exact_text(wage, 4) or dec_text(wage, 4)
            if wage is None or wage == "0":
                wage = d.pick(["1000", "2116.00", "1800.5", "999.99", "3000", "100.01", "4567.89", "0.5"])
            wage = self.stretch(wage)
            skills = [(c, d.between(1, 4), d.chance(0.6)) for c in d.subset(skill_pool, 0.4)]
            langs = [(c, d.pick(CEFR)) for c in d.subset(lang_pool, 0.3)]
            contract = d.subset(lang_pool, 0.5)
            if not contract and not d.chance(0.3 * h):
                contract = [lang_pool[0]]
            vacancies.append({
                "vacancy_id": vid,
                "employer_id": "E99" if d.chance(0.03 * h) else
                d.pick(employer_ids) if d.chance(h) else d.pick(good_employers),
                "recruiter_id": recruiter(),
                "isco_code": d.pick(isco_pool), "title": d.pick(TITLES), "destination_country": dest,
                "openings": self.big(d.pick([1, 1, 2, 3])),
                "required_skills": skills or None, "required_languages": langs or None,
                "min_education": d.pick([None, None, 2, 3, 4, 6, 0, 8]),
                "min_experience_years": (lambda y: y and self.stretch(y))(
                    d.pick([None, None, "0", "1", "3.2", "6.4", "2.5", "12.8", "0.5"])),
                "monthly_wage": wage, "currency": cur,
                "hours_per_week": self.stretch(d.pick(["48.5", "50", "45", "40.5"]) if d.chance(0.3 * h) else
                                               d.pick(["40", "48", "48.0", "38.5", "38"])),
                "contract_months": (lambda m: m and self.big(m))(d.pick([None, 12, 24])),
                "contract_languages": contract or None,
                "worker_fee": d.pick(["50", "0.01"]) if d.chance(0.1 * h) else d.pick([None, None, "0", "0.00"]),
                "passport_retention": True if d.chance(0.06 * h) else d.pick([None, False]),
                "g2g_agreement": d.pick([None, False, True, None]),
                "start_date": d.pick([None, self.date_near(day), self.date_near(day, (10, 30, 60))]),
                "expires_on": self.date_near(day) if d.chance(0.3 * h) else d.pick([None, iso(day)]),
            })

        def cents_of(v):
            if v["currency"] not in rate_of:
                return None
            return REF.round_half_away(Fraction(v["monthly_wage"]) * rate_of[v["currency"]] * 100)

        workers = []
        for wid in self.ids(d.between(1, 12)):
            if workers and d.chance(0.3):  # the same profile under another id: fit ties
                workers.append({**d.pick(workers), "worker_id": wid})
                continue
            occs = []
            for c in d.subset(isco_pool + ISCO_W, 0.15) or [d.pick(isco_pool)]:
                if c not in [o for o, _ in occs]:
                    occs.append((c, self.stretch(d.pick(YEARS))))
            occs = occs[:3]
            minwage = None
            if d.chance(0.35):
                v = d.pick(vacancies)
                c = cents_of(v)
                if c is not None:
                    minwage = dec_text(Fraction(c + d.pick([-1, 0, 0, 1]), 100), 2)
                    if d.chance(0.3) and "." in minwage:
                        minwage = minwage + "0" * d.between(0, 2)
            elif d.chance(0.1):
                minwage = d.pick(["0", "1500", "1500.5", "0.01"])
            prefs = d.subset(dest_pool, 0.3) if d.chance(0.5) else []
            languages = [(c, d.pick(CEFR[2:] if d.chance(1 - 0.5 * h) else CEFR)) for c in d.subset(lang_pool, 0.6)]
            workers.append({
                "worker_id": wid, "origin_country": d.pick(ORIGINS),
                "birth_year": day.year - min_age - 1 + d.pick([-1, 0, 1]) if d.chance(0.4 * h)
                else d.pick([1990, 1985, 2000, day.year - min_age - 1 - 5]),
                "gender": d.pick([None, "F", "M", "X"]),
                "education_level": d.between(0, 8) if d.chance(0.5) else d.pick([2, 3, 4]),
                "occupations": occs,
                "skills": [(c, d.between(1, 4)) for c in d.subset(skill_pool, 0.6)] or None,
                "languages": languages or None,
                "preferred_destinations": d.shuffled(prefs) or None,
                "min_monthly_wage_usd": minwage,
                "available_from": d.pick([None, None, self.date_near(day), self.date_near(day, (10, 30, 60))]),
                "consent": not d.chance(0.07 * h),
                "recruiter_id": recruiter(),
            })

        records = {"employers": employers, "recruiters": recruiters, "minimum_wages": mw_rows,
                   "fx_rates": fx_rows, "vacancies": vacancies, "workers": workers}
        files = {}
        file_error = self.d.chance(0.03 * self.h)
        error_kind = self.d.pick(KINDS) if file_error else None
        for kind in KINDS:
            fmt = "csv" if kind in ("minimum_wages", "fx_rates") and d.chance(0.6) or d.chance(0.5) else "ndjson"
            render = Render(d, kind, fmt, self.h)
            data = render.file(records[kind], kind == error_kind)
            files[f"{REF.FILE_STEM[kind]}.{fmt}"] = data
        who_name = d.pick(["who-safeguards-2023.csv"] * 3 + ["who.csv", "list-2019-v2025.csv"])
        return {"day": day, "policy": policy_text, "files": files, "who_name": who_name}


# --------------------------------------------------------------------------------------
# Rendering (CSV / NDJSON), with valid variants and injected invalid cells and rows
# --------------------------------------------------------------------------------------

BAD_CSV = {
    "id": ["a b", "x" * 65, "é", "a/b", " A", "x" * 64],
    "text": [""],
    "country": ["UK", "de", "XX", " DE", "DEU"],
    "currency": ["EURO", "eur", "US", "XXX"],
    "isco": ["222", "22211", "22a1", " 2221", "0000"],
    "int>=1": ["0", "-1", " 3", "3.0", "1e2", "three", "+3", "03", "-0", "99999999999999999999"],
    "isced": ["9", "-1", "1.0", "08", "-0"],
    "year": ["1990.0", " 1990", "x", "999", "10000", "-1990", "1990 ", "01990", "0999"],
    "level": ["0", "5", "1.0", "04"],
    "dec>=0": ["-1", "-0", "-0.0", "1e2", ".5", "5.", "+5", "1,5", "0x10", "007.50", "0"],
    "dec>0": ["0", "0.0", "-0", "-1", "1e2", ".5", "5.", "+5", "00.10", "0.000001", "3000.000000000000000001",
              "0.0000000000000000001", "1234567890123456789"],
    "cents>=0": ["1500.505", "1500.500", "-100", "0", "-0", "0.001", "12.3", "12.30", "1e3"],
    "date": ["2026-02-30", "2024-02-29", "2025-02-29", "2026-2-3", "2026/02/03", "20261129", "2026-13-01",
             "2026-11-29 ", "2026-04-31"],
    "bool": ["yes", "tRuE", "2", " true", "t", "01", "FALSE", "0"],
    "gender": ["f", "female", "FM", "F "],
    "required_skills": ["care:2:e", "care:5:E", "care:0:E", "Care:2:E", "care:2", "care:2:E;care:3:O",
                        "care:2:E;", "care:2:E:x", " care : 2 : E ", "care:2:E ; med:1:O", "-care:2:E",
                        ";care:2:E", "care:2:E;;med:1:O", "care:2:E\t"],
    "language_levels": ["en:b1", "en:B3", "xx:B1", "EN:B1", "en", "en:B1;en:B2", "en:B1;", " en : B1 ",
                        "en:B1\t", "en:B1:C1"],
    "languages": ["en;", "en;en", "EN", "xx", " en ; de ", "en:B1", ";", "en;\u00a0de"],
    "countries": ["DE;DE", "de", "DE;", "UK", " DE ; GB "],
    "skills": ["care:0", "care:5", "care:1.0", "care", "care:2;care:3", " care : 2 "],
    "occupations": ["2221", "2221:-1", "2221:5.5", "2221:05", "222:1", "2221:1;2221:2", "2221:1e1",
                    "2221:", " 2221 : 3 ", "2221:1;"],
}
BAD_JSON = {
    "id": ['"a b"', "5", "true", '"' + "x" * 65 + '"', '"x"'],
    "text": ["5", "true", "{}", '""', "null", '"a\\ud800b"'],
    "country": ['"UK"', '"de"', "1"],
    "currency": ['"eur"', '"EURO"', "1"],
    "isco": ["2221", '"222"', '"2221 "'],
    "int>=1": ["3.0", '"3"', "true", "1e0", "-1", "0", "1E2", "3.5", "-0"],
    "isced": ["9", "1.0", '"1"', "-0"],
    "year": ["1990.0", '"1990"', "999", "10000", "1.99e3", "1990e0"],
    "level": ["0", "5", "3.0", '"3"'],
    "dec>=0": ['"3450.00"', "-1", "-0", "true", "1e2", "0.5e1", "-0.0", "0E5"],
    "dec>0": ['"3450.00"', "-1", "0", "-0", "true", "1e2", "0.5e1", "1E-2", "0e3", "1.5E+3", "1e400", "4e-400",
              "3e18", "1e-19"],
    "cents>=0": ["1500.505", "1.5e3", "15.005e2", '"1500"', "1500.500", "0.001", "-0", "1e-2"],
    "date": ['"2026-02-30"', "20261129", '"2025-02-29"', '"2024-02-29"', '"2026-11-29T00:00"'],
    "bool": ['"true"', "1", "0", '"false"', "null", "false"],
    "gender": ['"f"', "1", '"X"'],
}
BAD_JSON_LIST = {
    "languages": ['"en"', '["en",""]', '["en","en"]', "[1]", "{}", "[null]", '[{"code":"en","level":"B1"}]',
                  '["EN"]', "[]", '[" en"]'],
    "countries": ['"DE"', '["DE","DE"]', '["de"]', '["DE",null]', "[]"],
    "language_levels": ['[{"code":"en"}]', '[{"code":"en","level":"B1","x":1}]', '[{"code":"en","level":1}]',
                        '["en:B1"]', "[[]]", '[{"code":"en","level":"B1"},{"code":"en","level":"C1"}]',
                        '[{"code":"en","level":"b1"}]', '[{"level":"B1","code":"de"}]', '{"code":"en"}'],
    "required_skills": ['[{"code":"care","min_level":2,"essential":"E"}]',
                        '[{"code":"care","min_level":2.0,"essential":true}]',
                        '[{"code":"care","min_level":2}]', '[{"code":"care","min_level":5,"essential":false}]',
                        '[{"essential":false,"min_level":1,"code":"med"}]',
                        '[{"code":"care","min_level":2,"essential":true,"code2":1}]'],
    "skills": ['[{"code":"care","level":3.0}]', '[{"code":"care","level":"3"}]', '[{"code":"care"}]',
               '[{"code":"Care","level":3}]', '[{"level":2,"code":"med"}]'],
    "occupations": ['[{"isco":"2221","years":"5"}]', '[{"isco":2221,"years":5}]', '[{"isco":"2221"}]',
                    '[{"isco":"2221","years":-1}]', '[{"isco":"2221","years":5.5e0}]', "[]",
                    '[{"years":1,"isco":"2221"},{"isco":"2221","years":2}]', '[{"isco":"2221","years":1e1}]'],
}


class Render:
    def __init__(self, d, kind, fmt, h=1.0):
        self.d, self.kind, self.fmt, self.h = d, kind, fmt, h
        self.fields = REF.FIELDS[kind]
        self.types = {n: t for n, t, _ in self.fields}

    # ---- CSV cells
    def csv_scalar(self, ftype, v):
        d = self.d
        if isinstance(v, bool):
            return d.pick(["true", "TRUE", "True", "1"] if v else ["false", "FALSE", "0", "False"])
        if isinstance(v, int):
            return str(v)
        if ftype in REF.DEC_TYPES and d.chance(0.1):
            return v + ("0" if "." in v else ".0")
        return v

    def csv_cell(self, name, v):
        if v is None:
            return ""
        ftype = self.types[name]
        if ftype in REF.LIST_PARTS:
            d = self.d
            sp = (lambda: " " * d.index(3)) if d.chance(0.15) else (lambda: "")
            items = []
            for item in v:
                if isinstance(item, tuple):
                    parts = [self.csv_part(p) for p in item]
                    items.append(sp() + (sp() + ":" + sp()).join(parts) + sp())
                else:
                    items.append(sp() + item + sp())
            return ";".join(items)
        return self.csv_scalar(ftype, v)

    def csv_part(self, p):
        if isinstance(p, bool):
            return "E" if p else "O"
        return str(p)

    # ---- JSON values
    def json_number(self, text):
        d = self.d
        if d.chance(0.2):
            q = Decimal(text)
            k = d.pick([1, 2, 3])
            mant = format(q.scaleb(-k), "f")
            return mant + d.pick(["e", "E", "e+", "E+"]) + str(k)
        return text

    def json_value(self, name, v):
        ftype = self.types[name]
        if ftype in REF.LIST_PARTS:
            parts = REF.LIST_PARTS[ftype]
            if parts is None:
                return "[" + ",".join(json.dumps(x) for x in v) + "]"
            objs = []
            for item in v:
                members = []
                for (pname, ptype), p in zip(parts, item):
                    if ptype == "flag":
                        val = "true" if p else "false"
                    elif isinstance(p, int):
                        val = str(p)
                    elif ptype in REF.DEC_TYPES:
                        val = self.json_number(p)
                    else:
                        val = json.dumps(p)
                    members.append(f'"{pname}":{val}')
                if self.d.chance(0.15):
                    members = self.d.shuffled(members)
                objs.append("{" + ",".join(members) + "}")
            return "[" + ", ".join(objs) + "]"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if ftype in REF.DEC_TYPES:
            return self.json_number(v)
        return json.dumps(v, ensure_ascii=self.d.chance(0.5))

    # ---- rows and files
    def bad_token(self, name):
        ftype = self.types[name]
        if self.fmt == "csv":
            return self.unavoided(self.d.pick(BAD_CSV.get(ftype, [""])), BAD_CSV.get(ftype, [""]))
        if ftype in BAD_JSON_LIST:
            token = self.d.pick(BAD_JSON_LIST[ftype])
            if "item-key" in AVOID and ('"x":' in token or '"code2":' in token):
                token = "[{}]"
            return token
        return self.unavoided(self.d.pick(BAD_JSON.get(ftype, ["null"])), BAD_JSON.get(ftype, ["null"]))

    def unavoided(self, token, tokens):
        for case, edge in EDGE_TOKENS.items():
            if case in AVOID and token in edge:
                return tokens[0]
        return token

    def file(self, records, file_error):
        d = self.d
        names = [n for n, _, _ in self.fields]
        required = {n for n, _, r in self.fields if r}
        if self.fmt == "csv":
            columns = [n for n in names if n in required or d.chance(0.9) or
                       any(r.get(n) is not None for r in records)]
            if d.chance(0.3):
                columns = d.shuffled(columns)
            header = list(columns)
            if file_error:
                what = d.index(5)
                if what == 0:
                    header.append("passport_number")
                elif what == 1:
                    header.append(header[0])
                elif what == 2:
                    header = [h for h in header if h != d.pick(sorted(required))]
                elif what == 3:
                    return b""
                else:
                    header = [""] + header  # empty first line comes below
            nl = "\r\n" if d.chance(0.2) else "\n"
            lines = [",".join(REF.csv_cell(h) if not d.chance(0.05) else f'"{h}"' for h in header)]
            if file_error and header and header[0] == "":
                lines = ["", ",".join(header[1:])]
            for rec in records:
                cells = [self.csv_cell(c, rec.get(c)) for c in columns]
                line = self.mutate_csv(columns, cells)
                if d.chance(0.05):
                    lines.append("")
                lines.append(line)
            text = nl.join(lines) + ("" if d.chance(0.15) else nl)
            data = text.encode("utf-8", "surrogateescape")
            if d.chance(0.1):
                data = b"\xef\xbb\xbf" + data
            return data
        nl = "\r\n" if d.chance(0.15) else "\n"
        lines = []
        for rec in records:
            members = []
            for n in names:
                v = rec.get(n)
                if v is None:
                    r = d.real()
                    if r < 0.7:
                        continue
                    ftype = self.types[n]
                    members.append((n, "null" if r < 0.85 else ('""' if ftype not in REF.LIST_PARTS or
                                                               r < 0.9 else "[]")))
                else:
                    members.append((n, self.json_value(n, v)))
            if d.chance(0.3):
                members = d.shuffled(members)
            lines.append(self.mutate_json(members))
            if d.chance(0.05):
                lines.append("")
        if file_error and lines:
            i = d.index(len(lines))
            lines[i] = lines[i][:-1] + (", " if len(lines[i]) > 2 else "") + '"passport_number":"X"}'
        if not lines:
            return b""
        text = nl.join(lines) + ("" if d.chance(0.15) else nl)
        return text.encode("utf-8", "surrogateescape")

    def mutate_csv(self, columns, cells):
        d = self.d
        r = d.real()
        r /= self.h
        if r < 0.07:  # an invalid (or edge) cell
            i = d.index(len(columns))
            cells = list(cells)
            cells[i] = self.bad_token(columns[i])
        elif r < 0.09:  # an empty required cell
            req = [i for i, c in enumerate(columns) if any(n == c and q for n, _, q in self.fields)]
            cells = list(cells)
            cells[d.pick(req)] = ""
        elif r < 0.115:  # malformed
            what = d.index(6)
            if what == 0:
                return ",".join(REF.csv_cell(c) for c in cells) + ",x"
            if what == 1 and len(cells) > 1:
                return ",".join(REF.csv_cell(c) for c in cells[:-1])
            if what in (2, 3) and "quote-recovery" in AVOID:
                # the bad field last, so no field after it can open a quoted section
                return ",".join([REF.csv_cell(c) for c in cells[:-1]] + [d.pick(['a"b', '"ab"c'])])
            if what == 2:
                i = d.index(len(cells))
                cells = list(cells)
                return ",".join(REF.csv_cell(c) if j != i else 'a"b' for j, c in enumerate(cells))
            if what == 3:
                i = d.index(len(cells))
                return ",".join(REF.csv_cell(c) if j != i else '"ab"c' for j, c in enumerate(cells))
            if what == 4:
                i = d.index(len(cells))
                bad = d.pick(["\udcff", "\udcc3", "\udced\udca0\udc80", "a\udce2\udc82b"])
                return ",".join(REF.csv_cell(c) if j != i else c + bad for j, c in enumerate(cells))
            if "eof-quote" in AVOID:
                return ",".join(cells) + ',"x"y'
            return '"' + ",".join(cells)  # unterminated quote: swallows the rest of the file
        return ",".join(REF.csv_cell(c) if not (c and d.chance(0.03)) else '"' + c.replace('"', '""') + '"'
                        for c in cells)

    def mutate_json(self, members):
        d = self.d
        sep = d.pick([",", ",", ", "])
        colon = d.pick([":", ":", ": "])
        r = d.real() / self.h
        members = list(members)
        if r < 0.07:
            names = [n for n, _, _ in self.fields]
            n = d.pick(names)
            tok = self.bad_token(n)
            members = [(k, v) for k, v in members if k != n] + [(n, tok)]
        elif r < 0.09:
            req = [n for n, _, q in self.fields if q]
            n = d.pick(req)
            members = [(k, v) for k, v in members if k != n]
            if d.chance(0.5):
                members.append((n, d.pick(["null", '""', "[]"])))
        elif r < 0.115:
            what = d.index(6)
            body = sep.join(f'"{k}"{colon}{v}' for k, v in members)
            if what == 0:
                return "{" + body
            if what == 1:
                return "[" + body.replace('"', "'") + "]" if d.chance(0.3) else "[1]"
            if what == 2 and members:
                k, v = d.pick(members)
                return "{" + body + sep + f'"{k}"{colon}{v}' + "}"
            if what == 3:
                return "{" + body + ",}"
            if what == 4:
                return "{" + body.replace('":"', '":"\udcff', 1) + "}"
            return '"just a string"'
        return "{" + sep.join(f'"{k}"{colon}{v}' for k, v in members) + "}"


# --------------------------------------------------------------------------------------
# The reference side
# --------------------------------------------------------------------------------------

def kind_of(filename):
    stem = filename.rsplit(".", 1)[0]
    return {v: k for k, v in REF.FILE_STEM.items()}[stem]


def lenient_optimal(candidates, rank, capacity):
    """gen-fixtures' optimal_figures, without its assertion that the match count is unique: the
    count range is recorded instead (the spec lets the engine choose among optimal matchings)."""
    def figures(pairs):
        REF.check_matching(pairs, candidates, capacity)
        return (sum(candidates[p] for p in pairs), sum(rank[p] for p in pairs), len(pairs))
    fewest = figures(REF.min_cost_matching(REF.lexicographic_costs(candidates, rank, +1), capacity))
    most = figures(REF.min_cost_matching(REF.lexicographic_costs(candidates, rank, -1), capacity))
    REF.expect(fewest[:2] == most[:2], "optimal: the two tie-breaks disagree on fit or rank sums")
    checked = REF.networkx_figures(candidates, rank, capacity)
    if checked is not None:
        REF.expect(checked[:2] == fewest[:2], f"optimal: networkx finds {checked}, the script {fewest}")
    lenient_optimal.range = (fewest[2], most[2])
    return {"fit_sum": fewest[0], "worker_rank_sum": fewest[1], "matched": fewest[2], "networkx": False}


REF.optimal_figures = lenient_optimal
_who_list_edition = REF.who_list_edition
REF.who_list_edition = lambda path=None: _who_list_edition(path or REF.WHO_FILE)  # default bound late


def reference(inst_dir, meta):
    """{output name: bytes} expected, or {'FILE_ERROR': message}; plus info."""
    day = datetime.date.fromisoformat(meta["day"])
    known = {"employers": set(), "recruiters": set()}
    feeds, rejections = {}, []
    files = {kind_of(f): f for f in meta["files"]}
    for kind in KINDS:
        name = files[kind]
        data = (inst_dir / name).read_bytes()
        fmt = name.rsplit(".", 1)[1]
        try:
            accepted, rej = REF.validate(kind, data, fmt, known)
        except REF.FileError as error:
            return {"FILE_ERROR": f"{name}: {error}"}, {}
        feeds[kind] = accepted
        if kind in known:
            known[kind] = set(accepted)
        rejections += [(kind, r) for r in rej]
    who_path = inst_dir / meta["who_name"]
    REF.WHO_FILE = who_path
    who = REF.read_who()
    policy = REF.read_policy((inst_dir / "policy.toml").read_text()) if meta["policy"] else REF.DEFAULT_POLICY
    policy_text = REF.canonical_policy(policy)
    REF.RUN_DATE = day
    lenient_optimal.range = None
    result = REF.run(feeds, policy, who, day)
    opt_range = lenient_optimal.range
    out = {}
    rows = sorted(rejections, key=lambda kr: (kr[0].encode(), kr[1][0]))
    out["rejections.csv"] = REF.csv_text(
        ["file", "line", "field", "reason", "raw"],
        [[kind, str(line), "" if reason == "MALFORMED_ROW" else field, reason, raw.decode("utf-8", "replace")]
         for kind, (line, field, reason, _, raw) in rows])
    for strategy in STRATEGIES:
        base = strategy + "/"
        if strategy != "optimal":
            out[base + "matches.csv"] = REF.csv_text(PAIR_HEADER, REF.pair_rows(result["matches"][strategy], result))
        out[base + "candidates.csv"] = REF.csv_text(PAIR_HEADER, REF.pair_rows(result["candidates"], result))
        out[base + "exclusions.csv"] = REF.csv_text(["subject", "worker_id", "vacancy_id", "reason"],
                                                   [list(e) for e in result["exclusion_rows"]])
        out[base + "summary.json"] = REF.summary_json(result, strategy, policy_text)
        out[base + "rejections.csv"] = out["rejections.csv"]
    del out["rejections.csv"]
    excluded = {e[2] for e in result["exclusion_rows"] if e[0] == "vacancy"}
    capacity = {vid: v["openings"] for vid, v in feeds["vacancies"].items()
                if (v["expires_on"] is None or v["expires_on"] >= day) and vid not in excluded}
    return out, {"result": result, "opt_range": opt_range, "capacity": capacity}


# --------------------------------------------------------------------------------------
# The Swift side and the comparison
# --------------------------------------------------------------------------------------

SHA_RE = re.compile(rb'("input_sha256": )"[0-9a-f]{64}"')
COUNT_FIELDS = ("matched", "unmatched_workers", "unfilled_openings")


def swift(binary, inst_dir, meta, strategy):
    out = inst_dir / "swift" / strategy
    if out.exists():
        shutil.rmtree(out)
    cmd = [str(binary), "match"]
    for f in meta["files"]:
        cmd += [OPTION[kind_of(f)], str(inst_dir / f)]
    if meta["policy"]:
        cmd += ["--policy", str(inst_dir / "policy.toml")]
    cmd += ["--who-list", str(inst_dir / meta["who_name"]), "--date", meta["day"], "--strategy", strategy,
            "--candidates", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True)
    files = {}
    if out.is_dir():
        for p in sorted(out.iterdir()):
            data = p.read_bytes()
            if p.name == "summary.json":
                data = SHA_RE.sub(rb'\1"<engine>"', data)
            files[f"{strategy}/{p.name}"] = data
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), files, cmd


def text_diff(name, want, got, labels=("expected", "swift")):
    a = want.decode("utf-8", "replace").splitlines(keepends=True)
    b = got.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, f"{labels[0]}/{name}", f"{labels[1]}/{name}", n=2))


def check_optimal(swift_files, expected, info):
    """Optimal: matches.csv a valid matching of candidates with the optimum's sums; summary equal
    (without the count fields when the optimum's match count is not unique)."""
    problems = []
    result = info["result"]
    want_summary = json.loads(expected["optimal/summary.json"])
    got_text = swift_files.get("optimal/summary.json")
    lo, hi = info["opt_range"]
    if got_text is None:
        return ["optimal/summary.json missing"]
    if lo == hi:
        if got_text != expected["optimal/summary.json"]:
            problems.append(text_diff("optimal/summary.json", expected["optimal/summary.json"], got_text))
    else:
        got = json.loads(got_text)
        w = json.loads(expected["optimal/summary.json"])
        for k in COUNT_FIELDS:
            got["counts"][k] = w["counts"][k] = None
        if got != w:
            problems.append("optimal/summary.json (count fields masked, optimum has "
                            f"{lo}..{hi} matches):\n" + text_diff("optimal/summary.json",
                                                                 expected["optimal/summary.json"], got_text))
    m = swift_files.get("optimal/matches.csv")
    if m is None:
        return problems + ["optimal/matches.csv missing"]
    lines = m.decode().split("\n")
    if lines[0] != ",".join(PAIR_HEADER) or lines[-1] != "":
        problems.append("optimal/matches.csv: bad header or final line end")
    rows = [line.split(",") for line in lines[1:-1]]
    cand, rank = result["candidates"], result["rank"]
    seen, load, fsum, rsum = set(), {}, 0, 0
    for row in rows:
        if len(row) != 4:
            problems.append(f"optimal/matches.csv: bad row {row}")
            continue
        w, v, fit, r = row
        if (w, v) not in cand:
            problems.append(f"optimal/matches.csv: {w}/{v} is not a candidate")
            continue
        if fit != REF.fit_text(cand[(w, v)]) or r != str(rank[(w, v)]):
            problems.append(f"optimal/matches.csv: {w}/{v} fit {fit} rank {r}, reference "
                            f"{REF.fit_text(cand[(w, v)])} {rank[(w, v)]}")
        if w in seen:
            problems.append(f"optimal/matches.csv: {w} matched twice")
        seen.add(w)
        load[v] = load.get(v, 0) + 1
        fsum += cand[(w, v)]
        rsum += rank[(w, v)]
    for v, n in load.items():
        opening = info["capacity"].get(v)
        if opening is not None and n > opening:
            problems.append(f"optimal/matches.csv: {v} over its {opening} openings")
    keys = [(row[0].encode(), row[1].encode()) for row in rows if len(row) == 4]
    if keys != sorted(keys):
        problems.append("optimal/matches.csv: not sorted by worker_id")
    if REF.fit_text(fsum) != want_summary["fit_sum"] or rsum != want_summary["worker_rank_sum"]:
        problems.append(f"optimal/matches.csv sums {REF.fit_text(fsum)}/{rsum}, optimum "
                        f"{want_summary['fit_sum']}/{want_summary['worker_rank_sum']}")
    if not lo <= len(rows) <= hi:
        problems.append(f"optimal/matches.csv: {len(rows)} matches, an optimum has {lo}..{hi}")
    got = json.loads(got_text)
    if got["counts"]["matched"] != len(rows):
        problems.append("optimal: summary matched differs from matches.csv")
    return problems


STATS = {}


def bump(key, n=1):
    STATS[key] = STATS.get(key, 0) + n


def record_stats(expected, info):
    """What the instances exercise, from the reference's side (printed by --stats)."""
    bump("instances")
    if "FILE_ERROR" in expected:
        bump("whole-file error")
        return
    result = info["result"]
    for row in list(csv.reader(io.StringIO(expected["stable/rejections.csv"].decode(), newline="")))[1:]:
        bump(f"rejection {row[0]} {row[3]}")
    for reason, n in result["exclusions"].items():
        bump(f"exclusion {reason}", n)
    c = result["counts"]
    bump("instances with candidates", bool(c["candidates"]))
    bump("candidates", c["candidates"])
    for s in STRATEGIES:
        bump(f"matched {s}", result[s]["matched"])
    bump("instances stable != greedy", result["matches"]["stable"] != result["matches"]["greedy"])
    bump("instances stable sums != optimal sums",
         (result["stable"]["fit_sum"], result["stable"]["worker_rank_sum"]) !=
         (result["optimal"]["fit_sum"], result["optimal"]["worker_rank_sum"]))
    lo, hi = info["opt_range"]
    bump("instances optimal match count not unique", lo != hi)
    fits = list(result["candidates"].values())
    bump("instances with tied fits among candidates", len(fits) != len(set(fits)))
    bump("instances with a vacancy over-subscribed",
         any(n > info["capacity"].get(v, 0) for v, n in result["per_vacancy"].items()))
    bump("warnings MIN_WAGE_UNKNOWN", len(result["min_wage_unknown"]))
    bump("vacancies not taking part (expired)", len(result["not_taking_part"]))


def compare(binary, inst_dir, meta):
    """Returns a list of problem texts (empty = agreement) and the names that differ."""
    try:
        expected, info = reference(inst_dir, meta)
    except SystemExit as error:  # an assertion of gen-fixtures' own checks
        return [f"reference self-check failed: {error}"], ["reference"]
    problems, names = [], []
    record_stats(expected, info)
    exp_dir = inst_dir / "expected"
    if exp_dir.exists():
        shutil.rmtree(exp_dir)
    if "FILE_ERROR" in expected:
        for strategy in STRATEGIES[:1]:
            rc, err, files, _ = swift(binary, inst_dir, meta, strategy)
            if rc != 2 or files:
                problems.append(f"reference: whole-file error ({expected['FILE_ERROR']}); swift exit {rc}, "
                                f"wrote {sorted(files)}; stderr: {err.strip()[:300]}")
                names.append("file_error")
        return problems, names
    for name, data in expected.items():
        p = exp_dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    for strategy in STRATEGIES:
        rc, err, files, _ = swift(binary, inst_dir, meta, strategy)
        if rc != 0:
            problems.append(f"swift {strategy}: exit {rc}: {err.strip()[:500]}")
            names.append(f"{strategy}/exit")
            continue
        for name in sorted(n for n in expected if n.startswith(strategy + "/")):
            if strategy == "optimal" and name.endswith("summary.json"):
                continue
            if files.get(name) != expected[name]:
                names.append(name)
                problems.append(f"{name} differs:\n" + (text_diff(name, expected[name], files[name])
                                                        if name in files else "  (missing)"))
        extra = sorted(set(files) - set(expected) - {f"{strategy}/matches.csv"})
        if extra:
            problems.append(f"swift wrote unexpected files {extra}")
            names += extra
        if strategy == "optimal":
            for p in check_optimal(files, expected, info):
                problems.append(p)
                names.append("optimal/summary.json" if "summary.json" in p.split("\n")[0]
                             else "optimal/matches.csv")
    return problems, names


# --------------------------------------------------------------------------------------
# Through the database: labourmatch load, then labourmatch run
# --------------------------------------------------------------------------------------

LOAD_ORDER = ["employers", "recruiters", "minimum_wages", "fx_rates", "vacancies", "workers"]
# One database per process (two checks may run at once), dropped when the check ends.
DB_NAME = f"labourmatch_crosscheck_{os.getpid()}"
DB_USED = []


def drop_database():
    if DB_USED:
        subprocess.run(["psql", "-X", "-q", dev_db_url("postgres"), "-c", "SET client_min_messages TO warning",
                        "-c", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], capture_output=True)


def dev_db_url(name):
    return subprocess.run([str(ROOT / "Scripts" / "dev-db"), "url", name], capture_output=True, text=True,
                          check=True).stdout.strip()


def db_compare(binary, inst_dir, meta, file_error, seed):
    """The same instance through PostgreSQL, as operators and the nightly run use it: a fresh
    database on the dev cluster (Scripts/dev-db, running), `labourmatch load` of each feed,
    `labourmatch run` with each strategy. Its result files must equal the offline run's byte
    for byte, and the rejections the loads stored must be rejections.csv's; a whole-file error
    must stop a load exactly when it stops the offline run."""
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", dev_db_url("postgres"),
                    "-c", "SET client_min_messages TO warning",
                    "-c", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", "-c", f"CREATE DATABASE {DB_NAME}"],
                   check=True, capture_output=True)
    DB_USED.append(DB_NAME)
    url = dev_db_url(DB_NAME)

    def labourmatch(*args):
        return subprocess.run([str(binary), *args, "--database-url", url], capture_output=True, text=True)
    labourmatch.binary = binary

    migrated = labourmatch("db", "migrate")
    if migrated.returncode != 0:
        return [f"db migrate: exit {migrated.returncode}: {migrated.stderr.strip()[:300]}"]
    files = {kind_of(f): f for f in meta["files"]}
    for kind in LOAD_ORDER:
        loaded = labourmatch("load", kind.replace("_", "-"), str(inst_dir / files[kind]))
        if loaded.returncode == 2 and "has no data rows" in loaded.stderr and not file_error:
            # A snapshot of a file with no data rows is refused unless --allow-empty (README);
            # the offline run takes it as an empty feed.
            loaded = labourmatch("load", kind.replace("_", "-"), str(inst_dir / files[kind]), "--allow-empty")
        if loaded.returncode == 2 and file_error:
            return []
        if loaded.returncode != 0:
            return [f"load {kind}: exit {loaded.returncode}: {loaded.stderr.strip()[:300]}"]
    if file_error:
        return ["every load succeeded where the offline run stopped on a whole-file error"]
    offline_dir = inst_dir
    if meta["who_name"] != WHO_SOURCE.name:
        loaded = labourmatch("load", "who-list", str(inst_dir / meta["who_name"]))
        if _who_list_edition(inst_dir / meta["who_name"]) == "unknown":
            # A load refuses a list whose name gives no edition; the database keeps the shipped
            # 2023 edition (the same rows), so the runs must equal the offline run on that file.
            if loaded.returncode != 2 or "gives no WHO list edition" not in loaded.stderr:
                return [f"load who-list {meta['who_name']}: expected exit 2 (no edition in the name), "
                        f"got {loaded.returncode}: {loaded.stderr.strip()[:300]}"]
            meta = dict(meta, who_name=WHO_SOURCE.name)
            shutil.copyfile(WHO_SOURCE, inst_dir / WHO_SOURCE.name)
            offline_dir = inst_dir / "shipped-who"
            offline_dir.mkdir(exist_ok=True)
            for name in meta["files"] + ["policy.toml", WHO_SOURCE.name]:
                if (inst_dir / name).exists() and not (offline_dir / name).exists():
                    (offline_dir / name).symlink_to(inst_dir / name)
            for strategy in STRATEGIES:
                swift(binary, offline_dir, meta, strategy)
        elif _who_list_edition(inst_dir / meta["who_name"]) < _who_list_edition(WHO_SOURCE):
            # Editions move forward: one older than the shipped, current edition is refused unless
            # asked for (--allow-older-edition), which the runs then read.
            if loaded.returncode != 2 or "is older than the current edition" not in loaded.stderr:
                return [f"load who-list {meta['who_name']}: expected exit 2 (older than the current edition), "
                        f"got {loaded.returncode}: {loaded.stderr.strip()[:300]}"]
            loaded = labourmatch("load", "who-list", str(inst_dir / meta["who_name"]), "--allow-older-edition")
            if loaded.returncode != 0:
                return [f"load who-list --allow-older-edition: exit {loaded.returncode}: {loaded.stderr.strip()[:300]}"]
        elif loaded.returncode != 0:
            return [f"load who-list: exit {loaded.returncode}: {loaded.stderr.strip()[:300]}"]
    problems = db_runs(labourmatch, inst_dir, meta, "db", offline_dir)
    if not problems:
        problems += reload_round(binary, inst_dir, meta, labourmatch, Dice(seed * 7919 + 1))
    stored = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                             "COPY (SELECT f.kind, r.line, coalesce(r.field, ''), r.reason, r.raw FROM feed_rejections r "
                             "JOIN feeds f USING (feed_id) WHERE f.file_name NOT LIKE 'reload-%' "
                             "ORDER BY f.kind COLLATE \"C\", r.line) TO STDOUT WITH (FORMAT csv)"],
                            capture_output=True, check=True).stdout.decode("utf-8")
    offline = (inst_dir / "swift" / "stable" / "rejections.csv").read_bytes().decode("utf-8")  # CRs kept
    stored_rows = list(csv.reader(io.StringIO(stored, newline="")))
    offline_rows = list(csv.reader(io.StringIO(offline, newline="")))[1:]
    if stored_rows != offline_rows:
        first = next((i for i, (a, b) in enumerate(zip(offline_rows, stored_rows)) if a != b),
                     min(len(stored_rows), len(offline_rows)))
        problems.append(f"db: feed_rejections differ from rejections.csv ({len(stored_rows)} rows against "
                        f"{len(offline_rows)}); first at row {first + 1}: "
                        f"{offline_rows[first:first + 1]} vs {stored_rows[first:first + 1]}")
    return problems


def records_of(kind, data, fmt):
    """(header raw or None, [(line, raw, key or None)]) of a feed file; the key of a record whose
    fields cannot be read is None."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    key_field = REF.KEY[kind]
    if fmt == "csv":
        records = list(REF.csv_records(data))
        if not records or records[0][2] is None:
            return None, []
        header = [h.decode("utf-8", "replace") for h in records[0][2]]
        out = []
        for line, raw, fields in records[1:]:
            key = None
            if fields is not None and len(fields) == len(header) and key_field in header:
                key = fields[header.index(key_field)].decode("utf-8", "replace") or None
            out.append((line, raw, key))
        return records[0][1], out
    out = []
    for line, raw in REF.ndjson_records(data):
        try:
            obj = json.loads(raw.decode("utf-8"))
            key = obj.get(key_field) if isinstance(obj, dict) else None
        except (UnicodeDecodeError, ValueError):
            key = None
        out.append((line, raw, key if isinstance(key, str) and key else None))
    return None, out


def edited_ndjson(kind, raw, new_key=None):
    """An NDJSON record with its content changed (a vacancy's title, a worker's consent), or its
    key replaced by `new_key`, as text; None when the line has no such member."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    string = r'"(?:[^"\\]|\\.)*"'
    if new_key is not None:
        key = REF.KEY[kind]
        edited, n = re.subn(rf'"{key}"\s*:\s*{string}', f'"{key}":"{new_key}"', text, count=1)
    elif kind == "vacancies":
        edited, n = re.subn(rf'"title"\s*:\s*{string}', '"title":"Changed title"', text, count=1)
    else:
        edited, n = re.subn(r'"consent"\s*:\s*(true|false)',
                            lambda m: '"consent":' + ("false" if m.group(1) == "true" else "true"), text, count=1)
    return edited.encode("utf-8") if n else None


def edited(kind, fmt, raw, header, new_key=None):
    return edited_csv(kind, raw, header, new_key) if fmt == "csv" else edited_ndjson(kind, raw, new_key)


def reload_round(binary, inst_dir, meta, labourmatch, dice):
    """A second file of the vacancies and of the workers (some rows dropped, some changed, some
    new), loaded over the first into the same database (same sources), as a snapshot or a
    delta, then `labourmatch run --rerun`. FEEDS.md says what must then be current: the new
    file's accepted rows; for a key the new file names only in a rejected row, or for every
    key after a delta or a snapshot with a MALFORMED_ROW, the version before; no other key of
    the source. The run must equal `labourmatch match` on files that hold exactly those rows
    (the other feeds unchanged), input_sha256 included."""
    files = {kind_of(f): f for f in meta["files"]}
    known = {"employers": set(), "recruiters": set()}
    for kind in ("employers", "recruiters"):
        name = files[kind]
        known[kind] = set(REF.validate(kind, (inst_dir / name).read_bytes(), name.rsplit(".", 1)[1], known)[0])
    state_dir, reload_dir = inst_dir / "state", inst_dir / "reload"
    for d in (state_dir, reload_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir()
    for name in [f for k, f in files.items() if k not in ("vacancies", "workers")] + [meta["who_name"]] \
            + (["policy.toml"] if meta["policy"] else []):
        shutil.copyfile(inst_dir / name, state_dir / name)
    for kind in ("vacancies", "workers"):
        name = files[kind]
        fmt = name.rsplit(".", 1)[1]
        first = (inst_dir / name).read_bytes()
        header, rows = records_of(kind, first, fmt)
        if not rows:   # nothing to load again (a snapshot of no rows is refused)
            shutil.copyfile(inst_dir / name, state_dir / name)
            continue
        # The second file: each row dropped, changed or kept; a few new keys.
        second = []
        for line, raw, key in rows:
            r = dice.real()
            if r < 0.15:
                continue
            changed = edited(kind, fmt, raw, header) if r < 0.35 else None
            second.append(changed if changed is not None else raw)
        readable = [raw for _, raw, key in rows if key is not None]
        for n in range(dice.index(3)):
            new = edited(kind, fmt, dice.pick(readable), header, new_key=f"N{n}") if readable else None
            if new is not None:
                second.insert(dice.index(len(second) + 1), new)
        if not second:
            second = [rows[0][1]]
        text = ([header] if header is not None else []) + second
        second_bytes = b"\n".join(text) + b"\n"
        reload_name = f"reload-{name}"
        (reload_dir / reload_name).write_bytes(second_bytes)
        mode = "snapshot" if dice.chance(0.7) else "delta"
        loaded = labourmatch("load", kind, str(reload_dir / reload_name), "--source", kind_of_source(name),
                             "--mode", mode)
        if loaded.returncode != 0:
            return [f"reload {kind}: exit {loaded.returncode}: {loaded.stderr.strip()[:300]}"]
        # What must be current now (FEEDS.md, snapshots).
        accepted1, rejections1 = REF.validate(kind, first, fmt, known)
        accepted2, rejections2 = REF.validate(kind, second_bytes, fmt, known)
        _, rows2 = records_of(kind, second_bytes, fmt)
        rejected_lines = {r[0] for r in rejections2}
        # A delta touches no key it does not accept; a snapshot with a MALFORMED_ROW neither.
        malformed = mode == "delta" or any(r[2] == "MALFORMED_ROW" for r in rejections2)
        named = {r[3] for r in rejections2 if r[3]}
        raw_of_first = {}   # the accepted row of each key (an earlier rejected row may share it)
        rejected_first = {r[0] for r in rejections1}
        for line, raw, key in rows:
            if line not in rejected_first and key in accepted1:
                raw_of_first[key] = raw
        current = []
        seen = set()
        for line, raw, key in rows2:
            if line not in rejected_lines and key not in seen:
                current.append(raw)
                seen.add(key)
        for key, raw in raw_of_first.items():
            if key not in accepted2 and (malformed or key in named):
                current.append(raw)
            elif key not in accepted2:
                bump(f"reload {mode}: keys withdrawn")
            elif accepted2[key] != accepted1[key]:
                bump(f"reload {mode}: keys with a new version")
        bump(f"reload {mode}: new keys", len(set(accepted2) - set(accepted1)))
        bump(f"reload {mode}: files")
        state = ([header] if header is not None else []) + current
        (state_dir / name).write_bytes(b"\n".join(state) + b"\n")
    problems = []
    for strategy in STRATEGIES:
        rc, err, _, _ = swift(binary, state_dir, meta, strategy)
        if rc != 0:
            problems.append(f"match on the expected state, {strategy}: exit {rc}: {err.strip()[:300]}")
    return problems or db_runs(labourmatch, inst_dir, meta, "db2", state_dir, rerun=True)


def db_runs(labourmatch, inst_dir, meta, out_name, offline_dir, rerun=False):
    """`labourmatch run` with each strategy into inst_dir/out_name/; its matches.csv,
    exclusions.csv and summary.json must equal those `labourmatch match` wrote in
    offline_dir/swift/, byte for byte."""
    problems = []
    for strategy in STRATEGIES:
        out = inst_dir / out_name / strategy
        args = ["run", "--date", meta["day"], "--strategy", strategy, "--out", str(out)] + (["--rerun"] if rerun else [])
        if meta["policy"]:
            args += ["--policy", str(inst_dir / "policy.toml")]
        ran = labourmatch(*args)
        if ran.returncode != 0:
            problems.append(f"{out_name}: run {strategy}: exit {ran.returncode}: {ran.stderr.strip()[:300]}")
            continue
        if strategy == "stable" and not rerun:
            problems += explain_check(labourmatch, ran.stdout, out)
        if not rerun:
            problems += inputs_check(labourmatch, ran.stdout, out)
        for name in ["matches.csv", "exclusions.csv", "summary.json"]:
            offline, stored = offline_dir / "swift" / strategy / name, out / name
            if not stored.exists() or stored.read_bytes() != offline.read_bytes():
                problems.append(f"{out_name}/{strategy}/{name} differs from the offline run on {offline_dir.name}/:\n" +
                                text_diff(name, offline.read_bytes(), stored.read_bytes() if stored.exists() else b"",
                                          (f"{offline_dir.name}/swift/{strategy}", f"{out_name}/{strategy}")))
    return problems


def inputs_check(labourmatch, run_stdout, out):
    """`labourmatch export RUN --inputs`: the feed files it writes from the run's snapshot, and the
    run's policy, must reproduce the run offline with the `labourmatch match` command it prints:
    every row accepted, and the same result files, byte for byte (so the same input_sha256)."""
    found = re.match(r"run (\d+) ", run_stdout)
    if not found:
        return [f"export --inputs: no run id in run's output: {run_stdout[:200]}"]
    audit = out.parent / (out.name + "-audit")
    got = labourmatch("export", found.group(1), "--out", str(audit), "--inputs")
    prefix = "reproduce: "
    line = next((l for l in got.stdout.splitlines() if l.startswith(prefix)), None)
    if got.returncode != 0 or line is None:
        return [f"export {found.group(1)} --inputs: exit {got.returncode}: {got.stderr.strip()[:300]}"]
    # The command names the binary by its absolute path (it is not on PATH), and runs as printed.
    words = shlex.split(line[len(prefix):])
    if words[:2] != [os.path.realpath(labourmatch.binary), "match"]:
        return [f"export --inputs: the reproduce command does not begin with this binary's path: {line[:300]}"]
    reproduced = subprocess.run(words, capture_output=True, text=True)
    if reproduced.returncode != 0:
        return [f"export --inputs: the reproduce command failed: exit {reproduced.returncode}: "
                f"{reproduced.stderr.strip()[:300]}"]
    problems = []
    rejections = (audit / "reproduced" / "rejections.csv").read_text()
    if rejections != "file,line,field,reason,raw\n":
        problems.append(f"export --inputs of {out.name}: exported rows rejected:\n{rejections[:600]}")
    for name in ["matches.csv", "exclusions.csv", "summary.json"]:
        want, have = (out / name).read_bytes(), (audit / "reproduced" / name).read_bytes()
        if want != have:
            problems.append(f"export --inputs of {out.name}: reproduced/{name} differs from the run's:\n" +
                            text_diff(name, want, have, ("run", "reproduced")))
    return problems


def explain_check(labourmatch, run_stdout, out):
    """`labourmatch explain` of the stored run, for every worker its files name: a matched worker's
    match with its fit and rank, each reason of a worker exclusion, and for every pair the pair
    rules refused, `why not V: pair excluded:` with its reasons (explain reads only the rows it
    talks about, by arrays of ids bound as parameters: the odd ids here test that path)."""
    found = re.match(r"run (\d+) ", run_stdout)
    if not found:
        return [f"explain: no run id in run's output: {run_stdout[:200]}"]
    run_id = found.group(1)

    def rows(name):
        return list(csv.reader(io.StringIO((out / name).read_text(), newline="")))[1:]
    matches = {w: (v, fit, rank) for w, v, fit, rank in rows("matches.csv")}
    exclusions = rows("exclusions.csv")
    workers = sorted({w for w in matches} | {w for _, w, _, _ in exclusions if w})
    problems = []
    for w in workers:
        got = labourmatch("explain", run_id, "--worker", w)
        if got.returncode != 0:
            problems.append(f"explain {run_id} --worker {w}: exit {got.returncode}: {got.stderr.strip()[:200]}")
            continue
        lines = got.stdout.split("\n")
        matched = [line for line in lines if line.startswith("matched: ")]
        if w in matches:
            v, fit, rank = matches[w]
            if not matched or not matched[0].startswith(f"matched: {v} ") or f"fit {fit}, the worker's rank {rank}" not in matched[0]:
                problems.append(f"explain --worker {w}: {matched[:1]}, matches.csv says {v} fit {fit} rank {rank}")
        elif matched:
            problems.append(f"explain --worker {w}: {matched[0]}, but matches.csv has no match for it")
        for subject, ew, _, reason in exclusions:
            if subject == "worker" and ew == w and f"  excluded: {reason}: " not in got.stdout:
                problems.append(f"explain --worker {w}: no line for its exclusion {reason}")
    pairs = {}
    for subject, w, v, reason in exclusions:
        if subject == "pair":
            pairs.setdefault((w, v), []).append(reason)
    for (w, v), reasons in sorted(pairs.items()):
        got = labourmatch("explain", run_id, "--worker", w, "--vacancy", v)
        want = f"why not {v}: pair excluded: {', '.join(sorted(reasons))}"
        if got.returncode != 0 or want not in got.stdout.split("\n"):
            problems.append(f"explain {run_id} --worker {w} --vacancy {v}: exit {got.returncode}, "
                            f"no line '{want}' in:\n{got.stdout[-600:]}")
    return problems


def kind_of_source(filename):
    """The source a load names by default: the file's base name without its extension."""
    return filename.rsplit(".", 1)[0]


def edited_csv(kind, raw, header, new_key=None):
    """`edited_record` for a CSV record, through the csv module (quoting as needed)."""
    try:
        names = next(csv.reader(io.StringIO(header.decode("utf-8"), newline="")))
        cells = next(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
    if len(cells) != len(names):
        return None
    if new_key is not None:
        cells[names.index(REF.KEY[kind])] = new_key
    elif kind == "vacancies" and "title" in names:
        cells[names.index("title")] = "Changed title"
    elif kind == "workers" and "consent" in names:
        i = names.index("consent")
        cells[i] = "false" if cells[i].lower() in ("true", "1") else "true"
    else:
        return None
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------

def write_instance(inst_dir, inst):
    if inst_dir.exists():
        shutil.rmtree(inst_dir)
    inst_dir.mkdir(parents=True)
    for name, data in inst["files"].items():
        (inst_dir / name).write_bytes(data)
    if inst["policy"]:
        (inst_dir / "policy.toml").write_text(inst["policy"])
    shutil.copyfile(WHO_SOURCE, inst_dir / inst["who_name"])
    meta = {"day": inst["day"].isoformat() if not isinstance(inst["day"], str) else inst["day"],
            "policy": bool(inst["policy"]), "files": sorted(inst["files"]), "who_name": inst["who_name"]}
    (inst_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def write_repro(binary, inst_dir, meta):
    lines = ["#!/bin/sh", "# rerun the Swift side of this instance; compare with expected/", 'cd "$(dirname "$0")"']
    args = ["match"]
    for f in meta["files"]:
        args += [OPTION[kind_of(f)], f]
    if meta["policy"]:
        args += ["--policy", "policy.toml"]
    args += ["--who-list", meta["who_name"], "--date", meta["day"], "--candidates"]
    for s in STRATEGIES:
        lines.append(f"{binary} " + " ".join(args) + f" --strategy {s} --out swift/{s} >/dev/null")
    (inst_dir / "repro.sh").write_text("\n".join(lines) + "\n")


def check_seed(binary, work, seed, keep=False, db=False):
    inst = Generator(seed).build()
    inst_dir = work / f"seed-{seed}"
    meta = write_instance(inst_dir, inst)
    problems, names = compare(binary, inst_dir, meta)
    if db and not problems:
        file_error = not (inst_dir / "swift" / "stable" / "summary.json").exists()
        db_problems = db_compare(binary, inst_dir, meta, file_error, seed)
        problems += db_problems
        names += ["db"] * len(db_problems)
    if problems:
        write_repro(binary, inst_dir, meta)
    elif not keep:
        shutil.rmtree(inst_dir)
    return problems, names, inst_dir


def shrink(binary, work, seed):
    """Greedy deletion of lines from the feed files and of policy lines while the first
    differing output still differs."""
    problems, names, inst_dir = check_seed(binary, work, seed, keep=True)
    if not problems:
        print(f"seed {seed}: no difference to shrink")
        return 0
    target = names[0]
    meta = json.loads((inst_dir / "meta.json").read_text())
    print(f"seed {seed}: shrinking on {target}")

    def still_fails():
        p, n = compare(binary, inst_dir, meta)
        return target in n

    changed = True
    while changed:
        changed = False
        candidates = list(meta["files"]) + (["policy.toml"] if meta["policy"] else [])
        for name in candidates:
            path = inst_dir / name
            data = path.read_bytes()
            lines = data.split(b"\n")
            keep_first = name.endswith(".csv")
            i = len(lines) - 1
            while i >= (1 if keep_first else 0):
                trial = lines[:i] + lines[i + 1:]
                if trial == lines:
                    break
                path.write_bytes(b"\n".join(trial))
                if still_fails():
                    lines = trial
                    changed = True
                else:
                    path.write_bytes(b"\n".join(lines))
                i -= 1
            path.write_bytes(b"\n".join(lines))
        if meta["policy"]:
            meta["policy"] = False
            if still_fails():
                changed = True
                (inst_dir / "policy.toml").unlink()
                (inst_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
            else:
                meta["policy"] = True
    problems, names = compare(binary, inst_dir, meta)
    write_repro(binary, inst_dir, meta)
    print(f"shrunk instance in {inst_dir}:")
    for name in meta["files"] + (["policy.toml"] if meta["policy"] else []):
        print(f"--- {name}")
        text = (inst_dir / name).read_bytes().decode("utf-8", "replace")
        print(text if text.endswith("\n") else text + "\n(no final line end)\n", end="")
    print(f"--- run date {meta['day']}, WHO list file {meta['who_name']}")
    for p in problems:
        print(p)
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--seeds", help="comma-separated seeds")
    parser.add_argument("--shrink", type=int, metavar="SEED")
    parser.add_argument("--dir", help="re-check an existing instance directory")
    parser.add_argument("--bin", default=None)
    parser.add_argument("--work", default=str(ROOT / ".build" / "crosscheck"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("-q", action="store_true", help="print failing seeds only")
    parser.add_argument("--stats", action="store_true", help="print what the instances exercised")
    parser.add_argument("--avoid", default=",".join(sorted(DECIDED)),
                        help="comma-separated cases to leave out: eof-quote,quote-recovery,item-key,precision,"
                             "year-digits,surrogate (default: the DECIDED ones)")
    parser.add_argument("--all", action="store_true", help="leave nothing out (the DECIDED cases then differ)")
    parser.add_argument("--db-every", type=int, default=0, metavar="K",
                        help="every K-th seed also goes through PostgreSQL (load, run) on the dev cluster, "
                             "which must be running; 0: never")
    args = parser.parse_args()
    if not args.all:
        AVOID.update(a for a in args.avoid.split(",") if a)
    binary = Path(args.bin) if args.bin else ROOT / ".build" / "release" / "labourmatch"
    if not args.bin and not binary.exists():
        binary = ROOT / ".build" / "debug" / "labourmatch"
    if not binary.exists():
        print(f"crosscheck: no labourmatch binary at {binary} (swift build, or --bin PATH)", file=sys.stderr)
        return 2
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.shrink is not None:
        return shrink(binary, work, args.shrink)
    if args.dir:
        inst_dir = Path(args.dir)
        meta = json.loads((inst_dir / "meta.json").read_text())
        problems, _ = compare(binary, inst_dir, meta)
        for p in problems:
            print(p)
        print("differs" if problems else "agrees")
        return 1 if problems else 0
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else range(args.first, args.n + 1)
    failed = []
    for seed in seeds:
        db = args.db_every > 0 and seed % args.db_every == 0
        problems, names, inst_dir = check_seed(binary, work, seed, args.keep, db)
        if problems:
            failed.append(seed)
            print(f"seed {seed}: DIFF {sorted(set(names))} (kept in {inst_dir})")
            for p in problems:
                print("  " + p.replace("\n", "\n  ").rstrip())
        elif not args.q:
            print(f"seed {seed}: ok")
        sys.stdout.flush()
    if args.stats:
        for key in sorted(STATS):
            print(f"  {key}: {STATS[key]}")
    print(f"{len(seeds) - len(failed)} of {len(seeds)} seeds agree" +
          (f"; differences in seeds {','.join(map(str, failed))}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    # A check stopped by kill drops its database too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    finally:
        drop_database()
