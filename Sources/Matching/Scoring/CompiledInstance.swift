import BigInt

/// Rows of variable length stored back to back (row `i` is `items[start[i]..<start[i+1]]`),
/// so that a scan over many workers reads contiguous memory.
struct Ragged<Element: Sendable>: Sendable {
    private(set) var start: [Int32] = [0]
    private(set) var items: [Element] = []

    /// Adds the next row.
    mutating func appendRow<S: Sequence>(_ row: S) where S.Element == Element {
        items.append(contentsOf: row)
        start.append(Int32(items.count))
    }

    /// The index range of row `i` in `items`.
    @inline(__always)
    func range(_ i: Int) -> Range<Int> { Int(start[i])..<Int(start[i + 1]) }

    var rowCount: Int { start.count - 1 }

    /// The rows `rows`, in that order, back to back.
    func subset(_ rows: [Int32]) -> Ragged {
        var out = Ragged()
        out.start.reserveCapacity(rows.count + 1)
        for r in rows { out.appendRow(items[range(Int(r))]) }
        return out
    }
}

/// An interned code with a level: a worker's skill or language, a required language.
struct CodeLevel: Sendable {
    var code: Int32
    var level: Int32
}

extension Ragged where Element == CodeLevel {
    /// The level of `code` in a row sorted by code, 0 when absent. `rest` is
    /// what is left of the row; codes must be asked in ascending order.
    @inline(__always)
    func level(of code: Int32, in rest: inout Range<Int>) -> Int32 {
        var j = rest.lowerBound
        while j < rest.upperBound && items[j].code < code { j += 1 }
        rest = j..<rest.upperBound
        return j < rest.upperBound && items[j].code == code ? items[j].level : 0
    }
}

/// An interned required skill.
struct RequiredSkillCode: Sendable {
    var code: Int32
    var minLevel: Int32
    var essential: Bool
}

/// A worker's occupation as interned ISCO prefixes of 2, 3 and 4 characters, with its years.
struct OccupationCode: Sendable {
    var p2: Int32
    var p3: Int32
    var p4: Int32
    var years: ExactDecimal
    var yearsDouble: Double
}

/// The ISCO prefixes of a code as interned ids.
struct IscoInterner: Sendable {
    var p2 = Interner(), p3 = Interner(), p4 = Interner()

    mutating func intern(_ code: String) -> (Int32, Int32, Int32) {
        let b = code.utf8
        return (p2.intern(String(decoding: b.prefix(2), as: UTF8.self)),
                p3.intern(String(decoding: b.prefix(3), as: UTF8.self)),
                p4.intern(code))
    }
}

/// The taking-part workers and vacancies of a run, each sorted by id bytes, as
/// contiguous arrays of interned codes: what the rules of a pair, the fit score
/// and candidate generation read. Worker and vacancy indices below are
/// positions in these sorted lists, so index order is id byte order.
struct CompiledInstance: Sendable {
    // Workers.
    var workerIds: [String] = []
    var workerEligible: [Bool] = []
    var occupations = Ragged<OccupationCode>()
    /// Sorted by code.
    var workerSkills = Ragged<CodeLevel>()
    /// Sorted by code.
    var workerLanguages = Ragged<CodeLevel>()
    var education: [Int32] = []
    /// In order of preference.
    var preferred = Ragged<Int32>()
    /// Least acceptable wage in USD cents, rounded up; 0 when the worker sets none.
    var minWageCents: [Int128] = []
    /// `Day.ordinal`, `Int32.min` when absent.
    var availableFrom: [Int32] = []
    var onWHOList: [Bool] = []

    // Vacancies.
    var vacancyIds: [String] = []
    var vacancyEligible: [Bool] = []
    /// The openings as written (`summary.json` counts them exactly; the assignment sees them
    /// clamped, see `MatchingEngine`).
    var openings: [Count] = []
    var vacancyP2: [Int32] = [], vacancyP3: [Int32] = [], vacancyP4: [Int32] = []
    /// Sorted by code.
    var requiredSkills = Ragged<RequiredSkillCode>()
    var essentialCount: [Int32] = [], optionalCount: [Int32] = []
    /// Sorted by code.
    var requiredLanguages = Ragged<CodeLevel>()
    /// `Int32.min` when absent.
    var minEducation: [Int32] = []
    /// Zero when absent.
    var requiredYears: [ExactDecimal] = []
    var requiredYearsDouble: [Double] = []
    var destination: [Int32] = []
    /// `round(monthly_wage * usd_per_unit * 100)`; 0 when the currency has no rate (the vacancy is then excluded).
    var wageCents: [Int128] = []
    /// `Day.ordinal`, `Int32.max` when absent.
    var startDate: [Int32] = []
    /// The ISCO code starts with a health prefix and there is no government-to-government agreement.
    var healthWithoutG2G: [Bool] = []
    var contractLanguages = Ragged<Int32>()
    /// Countries interned (destinations and preferred destinations): ids are `0..<countryCount`.
    var countryCount = 0

    var workerCount: Int { workerIds.count }
    var vacancyCount: Int { vacancyIds.count }

    /// Compiles sorted, taking-part rows. Eligibility is set later by the rules.
    init(workers: [Worker], vacancies: [Vacancy], policy: Policy, usdPerUnit: [String: ExactDecimal],
         whoCountries: Set<String>) {
        var isco = IscoInterner(), skills = Interner(), languages = Interner(), countries = Interner()
        var workerCents: [BigInt] = [], vacancyCents: [BigInt] = []
        for w in workers {
            workerIds.append(w.id)
            occupations.appendRow(w.occupations.map { o in
                let (p2, p3, p4) = isco.intern(o.isco)
                return OccupationCode(p2: p2, p3: p3, p4: p4, years: o.years, yearsDouble: o.years.fastDouble)
            })
            workerSkills.appendRow(w.skills.map { CodeLevel(code: skills.intern($0.code), level: Int32($0.level)) }
                .sorted { $0.code < $1.code })
            workerLanguages.appendRow(w.languages.map {
                CodeLevel(code: languages.intern($0.code), level: Int32($0.level.rawValue))
            }.sorted { $0.code < $1.code })
            education.append(Int32(w.educationLevel))
            preferred.appendRow(w.preferredDestinations.map { countries.intern($0) })
            workerCents.append(w.minMonthlyWageUSDCents ?? 0)
            availableFrom.append(w.availableFrom?.ordinal ?? Int32.min)
            onWHOList.append(whoCountries.contains(w.originCountry))
        }
        workerEligible = Array(repeating: true, count: workers.count)
        for v in vacancies {
            vacancyIds.append(v.id)
            openings.append(v.openings)
            let (p2, p3, p4) = isco.intern(v.isco)
            vacancyP2.append(p2); vacancyP3.append(p3); vacancyP4.append(p4)
            requiredSkills.appendRow(v.requiredSkills.map {
                RequiredSkillCode(code: skills.intern($0.code), minLevel: Int32($0.minLevel), essential: $0.essential)
            }.sorted { $0.code < $1.code })
            essentialCount.append(Int32(v.requiredSkills.filter(\.essential).count))
            optionalCount.append(Int32(v.requiredSkills.filter { !$0.essential }.count))
            requiredLanguages.appendRow(v.requiredLanguages.map {
                CodeLevel(code: languages.intern($0.code), level: Int32($0.level.rawValue))
            }.sorted { $0.code < $1.code })
            minEducation.append(v.minEducation.map { Int32($0) } ?? Int32.min)
            let years = v.minExperienceYears ?? .zero
            requiredYears.append(years)
            requiredYearsDouble.append(years.fastDouble)
            destination.append(countries.intern(v.destinationCountry))
            vacancyCents.append(usdPerUnit[v.currency].map(v.monthlyWageUSDCents) ?? 0)
            startDate.append(v.startDate?.ordinal ?? Int32.max)
            let health = policy.healthIscoPrefixes.contains { v.isco.utf8.starts(with: $0.utf8) }
            healthWithoutG2G.append(health && !v.g2gAgreement)
            contractLanguages.appendRow(v.contractLanguages.map { languages.intern($0) })
        }
        vacancyEligible = Array(repeating: true, count: vacancies.count)
        countryCount = countries.count
        (minWageCents, wageCents) = CompiledInstance.comparable(workerCents, vacancyCents)
    }

    /// The cents as `Int128`s that compare as the exact values do: the values themselves
    /// when they all fit (any wage and rate of up to 18 digits each), else their ranks
    /// among all of them (cents are only ever compared).
    static func comparable(_ a: [BigInt], _ b: [BigInt]) -> ([Int128], [Int128]) {
        let x = a.compactMap { Int128(exactly: $0) }, y = b.compactMap { Int128(exactly: $0) }
        if x.count == a.count && y.count == b.count { return (x, y) }
        let sorted = Array(Set(a + b)).sorted()
        var rank: [BigInt: Int128] = [:]
        for (i, value) in sorted.enumerated() { rank[value] = Int128(i) }
        return (a.map { rank[$0]! }, b.map { rank[$0]! })
    }

    /// The same instance with only `workers` (global indices), renumbered
    /// `0..<workers.count` in that order; the vacancy side is shared, not
    /// copied. Scoring a group of workers on it reads compact memory.
    func restricted(to workers: [Int32]) -> CompiledInstance {
        var sub = self
        func pick<T>(_ a: [T]) -> [T] { workers.map { a[Int($0)] } }
        sub.workerIds = pick(workerIds)
        sub.workerEligible = pick(workerEligible)
        sub.occupations = occupations.subset(workers)
        sub.workerSkills = workerSkills.subset(workers)
        sub.workerLanguages = workerLanguages.subset(workers)
        sub.education = pick(education)
        sub.preferred = preferred.subset(workers)
        sub.minWageCents = pick(minWageCents)
        sub.availableFrom = pick(availableFrom)
        sub.onWHOList = pick(onWHOList)
        return sub
    }

    /// The worker's own conditions on the vacancy (MATCHING.md section 4, condition 3).
    @inline(__always)
    func workerAccepts(_ w: Int, _ v: Int) -> Bool {
        let prefs = preferred.range(w)
        if !prefs.isEmpty {
            let d = destination[v]
            var found = false
            for i in prefs where preferred.items[i] == d { found = true; break }
            if !found { return false }
        }
        return workerAcceptsTerms(w, v)
    }

    /// The wage and date parts of the worker's conditions (the destination aside).
    @inline(__always)
    func workerAcceptsTerms(_ w: Int, _ v: Int) -> Bool {
        wageCents[v] >= minWageCents[w] && availableFrom[w] <= startDate[v]
    }

    /// Position of the vacancy's destination in the worker's preferences (0 when the list is empty).
    func preferencePosition(_ w: Int, _ v: Int) -> Int {
        let prefs = preferred.range(w)
        for i in prefs where preferred.items[i] == destination[v] { return i - prefs.lowerBound }
        return 0
    }

    /// Whether the worker knows one of the vacancy's contract languages at `minLevel` or above.
    func understandsContract(_ w: Int, _ v: Int, minLevel: Int32) -> Bool {
        for c in contractLanguages.range(v) {
            let code = contractLanguages.items[c]
            for l in workerLanguages.range(w) where workerLanguages.items[l].code == code {
                if workerLanguages.items[l].level >= minLevel { return true }
            }
        }
        return false
    }
}

extension ExactDecimal {
    /// The value as a Double for the scorer's fast path; NaN for a large value, which
    /// the scorer then takes the exact way (its Double could be 0, infinite, or merge it
    /// with a neighbour the fit must tell apart).
    var fastDouble: Double { isSmall ? doubleValue : .nan }
}
