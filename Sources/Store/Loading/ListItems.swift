import Matching

/// The list items of a version row (0004's array columns) as text: FEEDS.md's
/// item syntax, canonical (`code:min_level:E|O`, `code:level`, `isco:years`).
/// The loader writes the same bytes through `CopyLine`; the snapshot reader
/// parses them back; tests that write rows by hand use the formatters.
public enum ListItems {
    /// `code:min_level:E` or `code:min_level:O`.
    public static func text(_ s: RequiredSkill) -> String { "\(s.code):\(s.minLevel):\(s.essential ? "E" : "O")" }
    /// `code:level` (CEFR).
    public static func text(_ l: LanguageLevel) -> String { "\(l.code):\(l.level)" }
    /// `code:level` (1-4).
    public static func text(_ s: WorkerSkill) -> String { "\(s.code):\(s.level)" }
    /// `isco:years`, the years in their shortest text.
    public static func text(_ o: Occupation) -> String { "\(o.isco):\(o.years)" }

    /// The parts of an item split at `:`, when there are `count` of them.
    private static func parts(_ item: Substring, _ count: Int) -> [Substring]? {
        let parts = item.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == count ? parts : nil
    }

    static func requiredSkill(_ item: Substring) -> RequiredSkill? {
        guard let p = parts(item, 3), let level = Int(p[1]), p[2] == "E" || p[2] == "O" else { return nil }
        return RequiredSkill(code: String(p[0]), minLevel: level, essential: p[2] == "E")
    }

    static func languageLevel(_ item: Substring) -> LanguageLevel? {
        guard let p = parts(item, 2), let level = CEFR(code: p[1]) else { return nil }
        return LanguageLevel(code: String(p[0]), level: level)
    }

    static func workerSkill(_ item: Substring) -> WorkerSkill? {
        guard let p = parts(item, 2), let level = Int(p[1]) else { return nil }
        return WorkerSkill(code: String(p[0]), level: level)
    }

    static func occupation(_ item: Substring) -> Occupation? {
        guard let p = parts(item, 2), let years = ExactDecimal(exactly: String(p[1])) else { return nil }
        return Occupation(isco: String(p[0]), years: years)
    }
}
