/// An employer that offers vacancies (FEEDS.md, employers).
public struct Employer: Sendable, Hashable {
    public var id: String
    public var name: String
    public var country: String
    public var sector: String?
    public var irisCertified: Bool
    public var blocklisted: Bool

    public init(id: String, name: String, country: String, sector: String? = nil,
                irisCertified: Bool = false, blocklisted: Bool = false) {
        self.id = id; self.name = name; self.country = country; self.sector = sector
        self.irisCertified = irisCertified; self.blocklisted = blocklisted
    }
}

/// A recruitment agency (FEEDS.md, recruiters); unlicensed when `licenseNumber` is nil.
public struct Recruiter: Sendable, Hashable {
    public var id: String
    public var name: String
    public var licenseCountry: String
    public var licenseNumber: String?
    public var licenseExpires: Day?
    public var irisCertified: Bool
    public var blocklisted: Bool

    public init(id: String, name: String, licenseCountry: String, licenseNumber: String? = nil,
                licenseExpires: Day? = nil, irisCertified: Bool = false, blocklisted: Bool = false) {
        self.id = id; self.name = name; self.licenseCountry = licenseCountry
        self.licenseNumber = licenseNumber; self.licenseExpires = licenseExpires
        self.irisCertified = irisCertified; self.blocklisted = blocklisted
    }
}

/// A skill a vacancy asks for, with its minimum level (1...4) and whether it is essential.
public struct RequiredSkill: Sendable, Hashable {
    public var code: String
    public var minLevel: Int
    public var essential: Bool

    public init(code: String, minLevel: Int, essential: Bool) {
        self.code = code; self.minLevel = minLevel; self.essential = essential
    }
}

/// A language and a CEFR level: what a vacancy requires or what a worker knows.
public struct LanguageLevel: Sendable, Hashable {
    public var code: String
    public var level: CEFR

    public init(code: String, level: CEFR) {
        self.code = code; self.level = level
    }
}

/// A skill a worker has, at a level 1...4.
public struct WorkerSkill: Sendable, Hashable {
    public var code: String
    public var level: Int

    public init(code: String, level: Int) {
        self.code = code; self.level = level
    }
}

/// An ISCO-08 unit group a worker has worked in, with years of experience.
public struct Occupation: Sendable, Hashable {
    public var isco: String
    public var years: ExactDecimal

    public init(isco: String, years: ExactDecimal) {
        self.isco = isco; self.years = years
    }
}

/// A vacancy: `openings` places for one job at one employer (FEEDS.md, vacancies).
public struct Vacancy: Sendable, Hashable {
    public var id: String
    public var employerId: String
    public var recruiterId: String?
    public var isco: String
    public var title: String
    public var destinationCountry: String
    public var openings: Count
    public var requiredSkills: [RequiredSkill]
    public var requiredLanguages: [LanguageLevel]
    public var minEducation: Int?
    public var minExperienceYears: ExactDecimal?
    public var monthlyWage: ExactDecimal
    public var currency: String
    public var hoursPerWeek: ExactDecimal
    public var contractMonths: Count?
    public var contractLanguages: [String]
    public var workerFee: ExactDecimal
    public var passportRetention: Bool
    public var g2gAgreement: Bool
    public var startDate: Day?
    public var expiresOn: Day?
    /// Set by the store when a snapshot load no longer lists the vacancy.
    public var withdrawn: Bool

    public init(id: String, employerId: String, recruiterId: String? = nil, isco: String, title: String,
                destinationCountry: String, openings: Count, requiredSkills: [RequiredSkill] = [],
                requiredLanguages: [LanguageLevel] = [], minEducation: Int? = nil,
                minExperienceYears: ExactDecimal? = nil, monthlyWage: ExactDecimal, currency: String,
                hoursPerWeek: ExactDecimal, contractMonths: Count? = nil, contractLanguages: [String] = [],
                workerFee: ExactDecimal = .zero, passportRetention: Bool = false, g2gAgreement: Bool = false,
                startDate: Day? = nil, expiresOn: Day? = nil, withdrawn: Bool = false) {
        self.id = id; self.employerId = employerId; self.recruiterId = recruiterId; self.isco = isco
        self.title = title; self.destinationCountry = destinationCountry; self.openings = openings
        self.requiredSkills = requiredSkills; self.requiredLanguages = requiredLanguages
        self.minEducation = minEducation; self.minExperienceYears = minExperienceYears
        self.monthlyWage = monthlyWage; self.currency = currency; self.hoursPerWeek = hoursPerWeek
        self.contractMonths = contractMonths; self.contractLanguages = contractLanguages
        self.workerFee = workerFee; self.passportRetention = passportRetention
        self.g2gAgreement = g2gAgreement; self.startDate = startDate; self.expiresOn = expiresOn
        self.withdrawn = withdrawn
    }
}

/// A registered worker's pseudonymous profile (FEEDS.md, workers): no names, no contacts.
public struct Worker: Sendable, Hashable {
    public var id: String
    public var originCountry: String
    public var birthYear: Int
    public var gender: Gender?
    public var educationLevel: Int
    public var occupations: [Occupation]
    public var skills: [WorkerSkill]
    public var languages: [LanguageLevel]
    /// In order of preference; empty means any destination.
    public var preferredDestinations: [String]
    /// Whole cents (the spec guarantees `value * 100` is an integer).
    public var minMonthlyWageUSD: ExactDecimal?
    public var availableFrom: Day?
    public var consent: Bool
    public var recruiterId: String?
    /// Set by the store when the worker left the register.
    public var withdrawn: Bool

    public init(id: String, originCountry: String, birthYear: Int, gender: Gender? = nil,
                educationLevel: Int, occupations: [Occupation], skills: [WorkerSkill] = [],
                languages: [LanguageLevel] = [], preferredDestinations: [String] = [],
                minMonthlyWageUSD: ExactDecimal? = nil, availableFrom: Day? = nil, consent: Bool,
                recruiterId: String? = nil, withdrawn: Bool = false) {
        self.id = id; self.originCountry = originCountry; self.birthYear = birthYear; self.gender = gender
        self.educationLevel = educationLevel; self.occupations = occupations; self.skills = skills
        self.languages = languages; self.preferredDestinations = preferredDestinations
        self.minMonthlyWageUSD = minMonthlyWageUSD; self.availableFrom = availableFrom
        self.consent = consent; self.recruiterId = recruiterId; self.withdrawn = withdrawn
    }
}

/// A destination's statutory (or lowest sectoral) monthly gross minimum wage.
public struct MinimumWage: Sendable, Hashable {
    public var country: String
    public var monthlyAmount: ExactDecimal
    public var currency: String

    public init(country: String, monthlyAmount: ExactDecimal, currency: String) {
        self.country = country; self.monthlyAmount = monthlyAmount; self.currency = currency
    }
}

/// An exchange rate: how many US dollars one unit of `currency` is worth.
public struct FXRate: Sendable, Hashable {
    public var currency: String
    public var usdPerUnit: ExactDecimal

    public init(currency: String, usdPerUnit: ExactDecimal) {
        self.currency = currency; self.usdPerUnit = usdPerUnit
    }
}

/// A country on the WHO Health Workforce Support and Safeguards List.
public struct WHOListEntry: Sendable, Hashable {
    public var country: String
    public var name: String
    public var whoRegion: String

    public init(country: String, name: String, whoRegion: String) {
        self.country = country; self.name = name; self.whoRegion = whoRegion
    }
}

/// Everything one matching run reads: the parsed, accepted rows of every feed.
public struct MatchingInput: Sendable {
    public var employers: [Employer]
    public var recruiters: [Recruiter]
    public var vacancies: [Vacancy]
    public var workers: [Worker]
    public var minimumWages: [MinimumWage]
    public var fxRates: [FXRate]
    public var whoList: [WHOListEntry]
    /// The edition of the WHO list: the first 4-digit year in its file name, else `unknown`.
    public var whoListEdition: String

    public init(employers: [Employer] = [], recruiters: [Recruiter] = [], vacancies: [Vacancy] = [],
                workers: [Worker] = [], minimumWages: [MinimumWage] = [], fxRates: [FXRate] = [],
                whoList: [WHOListEntry] = [], whoListEdition: String = "unknown") {
        self.employers = employers; self.recruiters = recruiters; self.vacancies = vacancies
        self.workers = workers; self.minimumWages = minimumWages; self.fxRates = fxRates
        self.whoList = whoList; self.whoListEdition = whoListEdition
    }
}
